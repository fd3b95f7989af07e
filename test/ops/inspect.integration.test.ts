import { LocalPipeline } from '../../local/pipeline';
import {
  runScenario,
  SCENARIO_CUSTOMER,
  SCENARIO_NEW_IDENTITY,
  type ScenarioResult,
} from '../../local/scenario';
import { runCli } from '../../ops/cli';
import { INSPECT_USAGE, inspect } from '../../ops/inspect';
import { localDynamoDbClient, testAssembly } from '../support/assembly';

describe('npm run inspect', () => {
  let pipeline: LocalPipeline;
  let scenario: ScenarioResult;
  const client = localDynamoDbClient();

  beforeAll(async () => {
    pipeline = await LocalPipeline.start({
      assembly: testAssembly(),
      dynamoDbEndpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    });
    scenario = await runScenario(pipeline, () => undefined);
  });
  afterAll(async () => {
    await pipeline.stop();
    client.destroy();
  });

  async function run(...args: string[]): Promise<{ code: number; text: string }> {
    const printed: string[] = [];
    const code = await inspect(['--table', pipeline.tableName, ...args], {
      client,
      print: (t) => printed.push(t),
    });
    return { code, text: printed.join('\n') };
  }

  test('by a number the customer gave up: the conversation with every message, its ticks and the service window', async () => {
    const { code, text } = await run(SCENARIO_CUSTOMER.phone ?? '');
    expect(code).toBe(0);
    // Jane changed her number in the scenario: the conversation shows the one she has now.
    expect(text).toContain(`Conversation with Jane Doe +${SCENARIO_NEW_IDENTITY.phone}`);
    expect(text).toContain('system: "User Jane Doe changed from');
    expect(text).toContain('service window open');
    expect(text).toContain('text: "Hi! Where is my order #1234? Postcode 98052."');
    expect(text).toContain('edited 1×');
    expect(text).toContain('a person, from the WhatsApp Business app: text:');
    expect(text).toContain('a person was handling the conversation: no bot answered');
    expect(text).toContain('as sent: "Hi! Where is my order #1234?"');
    expect(text).toContain('statuses: sent');
    expect(text).toContain('✗ 131047 Re-engagement message');
  });

  test('by customer key and business number, without scanning', async () => {
    const { code, text } = await run(SCENARIO_CUSTOMER.userId ?? '', '--number', '574086085794038');
    expect(code).toBe(0);
    expect(text).toContain('7 inbound message(s)');
  });

  test('by wamid: the message with its status history', async () => {
    const { code, text } = await run(scenario.template);
    expect(code).toBe(0);
    expect(text).toContain('current status: read');
    expect(text).toContain('statuses: sent');
  });

  test("a WABA's health at a glance: templates by status and quality", async () => {
    const { code, text } = await run('--health', '1163793972139053');
    expect(code).toBe(0);
    expect(text).toContain('Templates (1) by status and quality:');
    expect(text).toMatch(/PAUSED +- +order_update \(en_US\) \[id 1234567890123456\]/);
    expect(text).toContain('category MARKETING');
    expect(text).toContain('Account: no change recorded');
  });

  test('recently active conversations of a number', async () => {
    const { text } = await run('--recent', '--number', '574086085794038');
    expect(text).toContain(`${SCENARIO_CUSTOMER.userId}  Jane Doe  7 inbound`);
  });

  test('an unknown customer is said so, with exit code 1', async () => {
    expect(await run('19999999999')).toEqual({ code: 1, text: 'No conversation with 19999999999.' });
  });

  test('without a table, says so with the usage and exits 2, before any request', async () => {
    const errors: string[] = [];
    const code = await runCli(
      ['x'],
      INSPECT_USAGE,
      (argv) => inspect(argv, { client, print: () => undefined }),
      {
        out: () => undefined,
        err: (t) => errors.push(t),
      },
    );
    expect(code).toBe(2);
    expect(errors.join('\n')).toMatch(/^--table <name> is required\nusage: npm run inspect/);
  });
});
