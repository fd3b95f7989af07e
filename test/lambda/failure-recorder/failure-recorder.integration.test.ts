import { type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { orphanFailureKey } from '../../../contracts';
import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { FailureStore } from '../../../lambda/adapters/failure-store';
import { WhatsAppSender } from '../../../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../../../lambda/domain/auto-response';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { createFailureHandler } from '../../../lambda/failure-recorder/process';
import { AutoResponder } from '../../../lambda/inbound-processor/auto-responder';
import { createInboundHandler } from '../../../lambda/inbound-processor/process';
import { BundleHost } from '../../../local/bundle-host';
import type { SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { ConversationReader } from '../../../ops/conversation-reader';
import { fixtureEvent } from '../../fixtures';
import { eventBridgeFixture } from '../../fixtures/eventbridge';
import { createConversationTable, localDynamoDbClient, shippedFunction } from '../../support/assembly';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';
import { socialMessagingClient, startSimulator } from '../../support/simulator';

const NOW = new Date('2026-01-01T00:00:30Z');
const WAMID = 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0001';

let dynamo: DynamoDBClient;
let simulator: SocialMessagingSimulator;
let messaging: SocialMessagingClient;

beforeAll(async () => {
  dynamo = localDynamoDbClient();
  simulator = await startSimulator();
  messaging = socialMessagingClient();
});
afterAll(async () => {
  dynamo.destroy();
  messaging.destroy();
  await simulator.stop();
});

/** A table holding one answered message, and the recorder over it. */
async function setup() {
  const tableName = await createConversationTable(dynamo);
  const store = new ConversationStore({ client: dynamo, tableName, retentionDays: 30, clock: () => NOW });
  const responder = new AutoResponder({
    store,
    sender: new WhatsAppSender({ client: messaging, metaApiVersion: 'v24.0' }),
    policy: DEFAULT_AUTO_RESPONSE_POLICY,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    clock: () => NOW,
  });
  await createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    hooks: [responder],
  })(fixtureEvent('message-text'));
  const reader = new ConversationReader(dynamo, tableName);
  const answered = await reader.getMessage(WAMID);
  const receiptMessageId = String(answered?.receiptMessageId);
  const reactionMessageId = String(answered?.reactionMessageId);

  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const record = createFailureHandler({
    store: new FailureStore({ client: dynamo, tableName, retentionDays: 30, clock: () => NOW }),
    logger,
    metrics,
    digestWindowMinutes: 15,
  });
  const items = async () =>
    ((await dynamo.send(new ScanCommand({ TableName: tableName }))).Items ?? []).map((i) => unmarshall(i));
  const orphan = async (awsMessageId: string | undefined, eventId: string) => {
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: tableName, Key: marshall(orphanFailureKey(awsMessageId, eventId)) }),
    );
    return Item === undefined ? undefined : unmarshall(Item);
  };
  return { tableName, reader, record, logger, metrics, items, orphan, receiptMessageId, reactionMessageId };
}

/** A failure fixture about a given AWS message id. */
function failureAbout(messageId: string, name = 'failed'): Record<string, unknown> {
  const event = eventBridgeFixture(name);
  return { ...event, detail: { ...(event.detail as object), messageId } };
}

describe('failure recorder against DynamoDB Local', () => {
  test('records a failure on the message whose reaction got that AWS message id', async () => {
    const { record, reader, reactionMessageId, metrics } = await setup();
    await expect(record(failureAbout(reactionMessageId))).resolves.toBe('recorded');
    const stored = await reader.getMessage(WAMID);
    expect(stored?.autoResponse).toMatchObject({
      reaction: {
        state: 'sent',
        messageId: reactionMessageId,
        delivery: {
          status: 'failed',
          detailType: 'WhatsApp Message Failed',
          awsMessageId: reactionMessageId,
          eventId: 'e-failed',
          errors: [{ code: '131047', title: 'Re-engagement message' }],
          occurredAt: '2026-01-01T00:05:00Z',
        },
      },
    });
    expect(metrics.get('MessageFailures')).toBe(1);
    expect(metrics.get('MessageFailuresByErrorCode/errorCode=131047')).toBe(1);
  });

  test('records a failure of the read receipt under the receipt', async () => {
    const { record, reader, receiptMessageId } = await setup();
    await record(failureAbout(receiptMessageId, 'undeliverable'));
    expect((await reader.getMessage(WAMID))?.autoResponse).toMatchObject({
      receipt: { delivery: { status: 'undeliverable', errors: [{ code: '131026' }] } },
    });
  });

  test('a send End User Messaging Social could not hand to Meta is recorded on it as a failure, and counted', async () => {
    const { record, reader, reactionMessageId, metrics } = await setup();
    await expect(record(failureAbout(reactionMessageId, 'handover-failed'))).resolves.toBe('recorded');
    expect((await reader.getMessage(WAMID))?.autoResponse?.reaction).toMatchObject({
      delivery: {
        status: 'handover_failed',
        detailType: 'WhatsApp Message Handover Failed',
        awsMessageId: reactionMessageId,
      },
    });
    expect(metrics.get('MessageFailures')).toBe(1);
  });

  test('a failure reported under another detail-type, by status, is recorded too', async () => {
    const { record, reactionMessageId } = await setup();
    await expect(record(failureAbout(reactionMessageId, 'failed-status-other-type'))).resolves.toBe(
      'recorded',
    );
  });

  test('an unknown AWS message id is kept as an orphan failure', async () => {
    const { record, orphan, metrics } = await setup();
    await expect(record(failureAbout('not-ours'))).resolves.toBe('orphan');
    expect(await orphan('not-ours', 'e-failed')).toMatchObject({
      entity: 'orphan-failure',
      reason: 'unknown-message-id',
      businessPhoneNumberId: '574086085794038',
      errors: [{ code: '131047' }],
      expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86_400,
    });
    expect(metrics.get('OrphanFailures')).toBe(1);
  });

  test('an event without message id keeps the raw event and is flagged', async () => {
    const { record, orphan } = await setup();
    const event = eventBridgeFixture('failed-without-message-id');
    await expect(record(event)).resolves.toBe('missing-message-id');
    const stored = await orphan(undefined, 'e-no-id');
    expect(stored?.reason).toBe('missing-message-id');
    expect(JSON.parse(String(stored?.payload))).toEqual(event);
  });

  test('a redelivered event changes nothing', async () => {
    const { record, items, reader, reactionMessageId } = await setup();
    await record(failureAbout(reactionMessageId));
    await record(failureAbout('not-ours'));
    const before = await items();
    const message = await reader.getMessage(WAMID);
    await record(failureAbout(reactionMessageId));
    await record(failureAbout('not-ours'));
    expect(await items()).toHaveLength(before.length);
    expect((await reader.getMessage(WAMID))?.autoResponse).toEqual(message?.autoResponse);
  });

  test.each(['delivered', 'read', 'sent', 'received', 'handover-succeeded', 'other-source-failed'])(
    'ignores %s and writes nothing',
    async (name) => {
      const { record, items } = await setup();
      const before = await items();
      await expect(record(eventBridgeFixture(name))).resolves.toBe('ignored');
      expect(await items()).toEqual(before);
    },
  );

  test('rejects input that is not an EventBridge event, so it is retried and dead-lettered', async () => {
    const { record, metrics } = await setup();
    await expect(record({ hello: 'world' })).rejects.toBeInstanceOf(EventDecodeError);
    expect(metrics.get('UndecodableEvents/reason=not-an-eventbridge-event')).toBe(1);
  });

  test('a storage failure throws, so EventBridge retries', async () => {
    const { tableName, reactionMessageId } = await setup();
    const broken = localDynamoDbClient();
    broken.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('unavailable'), { name: 'InternalServerError', $fault: 'server' });
      },
      { step: 'initialize' },
    );
    const record = createFailureHandler({
      store: new FailureStore({ client: broken, tableName, retentionDays: 30 }),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      digestWindowMinutes: 15,
    });
    await expect(record(failureAbout(reactionMessageId))).rejects.toMatchObject({
      name: 'InternalServerError',
    });
    broken.destroy();
  });

  test('the shipped bundle records a failure through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const { tableName, reader, reactionMessageId } = await setup();
    const fn = shippedFunction('Alerts/Recorder');
    const host = BundleHost.forFunction(fn, {
      CONVERSATION_TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    });
    try {
      await expect(host.invoke(failureAbout(reactionMessageId))).resolves.toEqual({
        ok: true,
        result: 'recorded',
      });
      expect((await reader.getMessage(WAMID))?.autoResponse).toMatchObject({
        reaction: { delivery: { status: 'failed' } },
      });
    } finally {
      await host.stop();
    }
  });
});
