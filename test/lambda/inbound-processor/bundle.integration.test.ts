import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HealthStore } from '../../../lambda/adapters/health-store';
import { BundleHost } from '../../../local/bundle-host';
import { envelope, inboundValue, newWamid, snsEventOf, statusValue } from '../../../local/events';
import { LAMBDA_NODE_MAJOR } from '../../../local/lambda-node';
import type { SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { ConversationReader } from '../../../ops/conversation-reader';
import { fixtureEnvelope, fixtureEvent, snsEvent } from '../../fixtures';
import { createConversationTable, localDynamoDbClient, shippedFunction } from '../../support/assembly';
import { localPartsEnvironment } from '../../support/bundle-env';
import { startSimulator } from '../../support/simulator';

const CUSTOMER = { phone: '14255550177', name: 'Bundle Customer' };

/** The JSON objects among a function's output lines. */
function parsedLines(output: readonly string[]): Record<string, unknown>[] {
  return output.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null
        ? [Object.fromEntries(Object.entries(parsed))]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * Runs the bundle the stack ships (the synthesized asset), with the environment the stack gives it,
 * against DynamoDB Local: proves the deployed artifact, not only the sources, works.
 */
describe('the shipped inbound-processor bundle', () => {
  let client: DynamoDBClient;
  let host: BundleHost;
  let reader: ConversationReader;
  let simulator: SocialMessagingSimulator;
  let tableName: string;

  beforeAll(async () => {
    simulator = await startSimulator();
    client = localDynamoDbClient();
    tableName = await createConversationTable(client);
    const fn = shippedFunction('InboundProcessor/Processor');
    host = BundleHost.forFunction(fn, localPartsEnvironment(tableName, simulator.endpoint));
    await host.start();
    reader = new ConversationReader(client, tableName);
  });

  afterAll(async () => {
    await host.stop();
    await simulator.stop();
    client.destroy();
  });

  test('logs carry the Lambda context (request id, cold start) and the first invocation emits ColdStart', async () => {
    await host.invoke(fixtureEvent('message-text'));
    await host.invoke(fixtureEvent('message-text'));
    const lines = parsedLines(host.output);
    expect(lines).toContainEqual(
      expect.objectContaining({ function_request_id: expect.any(String), cold_start: true }),
    );
    expect(lines.filter((line) => 'ColdStart' in line)).toHaveLength(1);
  });

  test("runs on the Lambda runtime's Node major", () => {
    expect(host.nodeVersion).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
  });

  test('records an inbound message through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    await expect(host.invoke(fixtureEvent('message-text'))).resolves.toEqual({ ok: true, result: null });
    const stored = await reader.getMessage(
      'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0001',
    );
    expect(stored?.content).toEqual({ kind: 'text', body: 'Hello! Is my order on its way?' });
  });

  test('records a paused template, with its alert waiting for the digest', async () => {
    await expect(host.invoke(fixtureEvent('health-template-paused'))).resolves.toEqual({
      ok: true,
      result: null,
    });
    const health = new HealthStore({ client, tableName, retentionDays: 1, digestWindowMinutes: 15 });
    const [template] = await health.wabaHealth('1163793972139053');
    expect(template?.current).toMatchObject({ status: { event: 'PAUSED' } });
  });

  test('sends nothing for that message: the fixture is older than the shipped 24-hour limit', () => {
    expect(simulator.requests).toEqual([]);
  });

  test('answers a fresh message with a read receipt and a reaction through AWS_ENDPOINT_URL_SOCIALMESSAGING', async () => {
    const envelope = fixtureEnvelope('message-text');
    const entry = JSON.stringify(envelope.whatsAppWebhookEntry)
      .replace('"1767225600"', `"${Math.floor(Date.now() / 1000)}"`)
      .replace('A0001', 'A9999');
    const event = snsEvent(JSON.stringify({ ...envelope, whatsAppWebhookEntry: entry }));
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    const kinds = simulator.sent.map((r) => {
      const message = r.message as { status?: string; type?: string };
      return `${r.metaApiVersion} ${message.status ?? message.type}`;
    });
    expect(kinds.sort()).toEqual(['v24.0 reaction', 'v24.0 read']);
  });

  test('fails a console test message with EventDecodeError, so it lands in the failure queue', async () => {
    await expect(host.invoke(fixtureEvent('bad-console-test-message'))).resolves.toEqual({
      ok: false,
      error: expect.objectContaining({ name: 'EventDecodeError' }),
    });
  });

  test('ships without the SDK default credential chain: Lambda gives credentials in the environment', () => {
    const code = readFileSync(shippedFunction('InboundProcessor/Processor').bundlePath, 'utf8');
    expect(code).not.toContain('sso_start_url');
    expect(code).not.toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
    expect(code).toContain('AWS_SECRET_ACCESS_KEY');
  });

  test('does not turn on source maps at run time, which would slow every cold start', () => {
    expect(shippedFunction('InboundProcessor/Processor').environment.NODE_OPTIONS).toBeUndefined();
  });

  test('an answered message writes one INFO line and one EMF document', async () => {
    const wamid = newWamid();
    const before = host.output.length;
    const event = snsEventOf(
      envelope([inboundValue(CUSTOMER, { wamid, type: 'text', at: new Date(), payload: { body: 'Hi' } })]),
      randomUUID(),
    );
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    const lines = parsedLines(host.output.slice(before));
    expect(lines.filter((line) => line.level === 'INFO').map((line) => line.message)).toEqual([
      'Message recorded',
    ]);
    const documents = lines.filter((line) => '_aws' in line);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ type: 'text', InboundMessages: 1, AutoResponsesSent: 2 });
  });

  test('a status writes its EMF document and no INFO line', async () => {
    const wamid = newWamid();
    const before = host.output.length;
    const event = snsEventOf(
      envelope([statusValue(CUSTOMER, [{ wamid, status: 'delivered', at: new Date() }])]),
      randomUUID(),
    );
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    const lines = parsedLines(host.output.slice(before));
    expect(lines.filter((line) => line.level !== undefined)).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ status: 'delivered', StatusUpdates: 1 })]);
  });

  test('writes structured JSON logs and EMF metrics, without phone numbers or texts', async () => {
    await host.invoke(fixtureEvent('message-image'));
    const lines = host.output.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Message recorded',
        function_request_id: expect.any(String),
      }),
    );
    // The log group names the function; repeating it on every line would be paid per byte.
    expect(lines.filter((line) => 'function_arn' in line || 'function_memory_size' in line)).toEqual([]);
    expect(lines.some((line) => typeof line._aws === 'object' && 'InboundMessages' in line)).toBe(true);
    const all = host.output.join('\n');
    expect(all).not.toContain('14255550150');
    expect(all).not.toContain('The box arrived damaged');
  });
});
