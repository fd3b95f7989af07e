/**
 * Contract drift against DynamoDB Local: a shape the pipeline does not know is stored once, with
 * no value in it, announced once on the bus, and `npm run drift` lists it and writes it out.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { DriftStore, readContractDrift } from '../../lambda/adapters/drift-store';
import { eventsOfChange } from '../../lambda/event-publisher/changes';
import { createInboundHandler } from '../../lambda/inbound-processor/process';
import { drift } from '../../ops/drift';
import { fixtureEvent } from '../fixtures';
import { createConversationTable, localDynamoDbClient } from '../support/assembly';
import { lambdaContext } from '../support/lambda-context';
import { testPseudonyms } from '../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../support/recording-observability';

let dynamo: DynamoDBClient;
beforeAll(() => {
  dynamo = localDynamoDbClient();
});
afterAll(() => dynamo.destroy());

async function pipeline() {
  const tableName = await createConversationTable(dynamo);
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const handler = createInboundHandler({
    pseudonyms: testPseudonyms,
    store: new ConversationStore({ client: dynamo, tableName, retentionDays: 30 }),
    drift: new DriftStore({ client: dynamo, tableName, retentionDays: 30 }),
    logger,
    metrics,
  });
  return {
    tableName,
    metrics,
    logger,
    invoke: (name: string) => handler(fixtureEvent(name), lambdaContext(30_000)),
  };
}

describe('contract drift', () => {
  test('a shape is stored once however often it comes, and counted every time', async () => {
    const { invoke, tableName, metrics } = await pipeline();
    await invoke('message-future-type');
    await invoke('message-future-type');
    const shapes = await readContractDrift(dynamo, tableName);
    expect(shapes.map((s) => s.kind)).toEqual(['message-type']);
    expect(metrics.get('ContractDrift/kind=message-type')).toBe(2);
  });

  test('the stored skeleton holds no value of the message', async () => {
    const { invoke, tableName } = await pipeline();
    await invoke('message-future-type');
    const [shape] = await readContractDrift(dynamo, tableName);
    expect(shape?.shape).not.toMatch(/\d{7,}|wamid\./);
  });

  test('is one Contract Drift Detected on the bus when first stored', async () => {
    const { invoke, tableName } = await pipeline();
    await invoke('message-future-type');
    const [shape] = await readContractDrift(dynamo, tableName);
    if (shape === undefined) throw new Error('nothing stored');
    const events = eventsOfChange({ new: shape }, 'test');
    expect(events.map((e) => e.detailType)).toEqual(['Contract Drift Detected']);
    expect(eventsOfChange({ old: shape, new: shape }, 'test')).toEqual([]);
  });

  test('the log names what drifted once, at warn, with no value', async () => {
    const { invoke, logger } = await pipeline();
    await invoke('status-unknown-value');
    await invoke('status-unknown-value');
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});

describe('npm run drift', () => {
  test('lists every shape with its kind and name', async () => {
    const { invoke, tableName } = await pipeline();
    await invoke('message-future-type');
    await invoke('edge-future-field');
    const printed: string[] = [];
    expect(await drift(['--table', tableName], { client: dynamo, print: (t) => printed.push(t) })).toBe(0);
    expect(printed.join('\n')).toMatch(/1 +message-type/);
    expect(printed.join('\n')).toMatch(/2 +field +group_lifecycle_update/);
  });

  test('writes a shape out as a fixture to fill in', async () => {
    const { invoke, tableName } = await pipeline();
    await invoke('edge-future-field');
    const written: { path: string; text: string }[] = [];
    const code = await drift(['--table', tableName, '--write', '1', '--out', 'drift.json'], {
      client: dynamo,
      print: () => undefined,
      write: (path, text) => written.push({ path, text }),
    });
    expect(code).toBe(0);
    expect(written[0]?.path).toBe('drift.json');
    expect(JSON.parse(written[0]?.text ?? '{}')).toMatchObject({
      description: expect.stringMatching(/^TO FILL IN: field "group_lifecycle_update"/),
      envelope: { whatsAppWebhookEntry: { changes: [{ field: 'group_lifecycle_update' }] } },
    });
  });

  test('--write without --out is refused before any request', async () => {
    await expect(drift(['--table', 't', '--write', '1'], { print: () => undefined })).rejects.toThrow(
      '--write <n> needs --out <file.json>',
    );
  });

  test('an empty table says there is no drift', async () => {
    const { tableName } = await pipeline();
    const printed: string[] = [];
    await drift(['--table', tableName], { client: dynamo, print: (t) => printed.push(t) });
    expect(printed).toEqual(['No drift: every shape Meta sent is one this pipeline knows.']);
  });
});
