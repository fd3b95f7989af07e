import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { HealthStore } from '../../../lambda/adapters/health-store';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { serviceWindowOpen } from '../../../lambda/domain/service-window';
import { createInboundHandler, ProcessingError } from '../../../lambda/inbound-processor/process';
import { countRequests } from '../../../local/request-counter';
import { ConversationReader } from '../../../ops/conversation-reader';
import { encodeEnvelope, FIXTURE_NAMES, fixtureEnvelope, fixtureEvent, snsEvent } from '../../fixtures';
import { createConversationTable, localDynamoDbClient } from '../../support/assembly';
import { testPseudonymizer, testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const PHONE_ID = '574086085794038';
const CUSTOMER = 'US.13491208655302741918';
const NOW = new Date('2026-01-01T00:00:30Z');
const RETENTION_DAYS = 30;

let client: DynamoDBClient;

beforeAll(() => {
  client = localDynamoDbClient();
});
afterAll(() => client.destroy());

/** A fresh table, handler and reader for one test. */
async function pipeline(options: { client?: DynamoDBClient } = {}) {
  const tableName = await createConversationTable(client);
  const storeClient = options.client ?? client;
  const store = new ConversationStore({
    client: storeClient,
    tableName,
    retentionDays: RETENTION_DAYS,
    clock: () => NOW,
  });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const health = new HealthStore({
    client: storeClient,
    tableName,
    retentionDays: RETENTION_DAYS,
    digestWindowMinutes: 15,
    clock: () => NOW,
  });
  const handler = createInboundHandler({ pseudonyms: testPseudonyms, store, health, logger, metrics });
  const reader = new ConversationReader(client, tableName);
  const itemCount = async () =>
    (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count;
  return { tableName, handler, reader, logger, metrics, itemCount };
}

/** The first message's wamid in a fixture. */
function wamidOf(name: string, index = 0): string {
  const entry = fixtureEnvelope(name).whatsAppWebhookEntry as {
    changes: { value: { messages?: { id: string }[]; statuses?: { id: string }[] } }[];
  };
  const value = entry.changes[0]?.value;
  const id = (value?.messages ?? value?.statuses)?.[index]?.id;
  if (id === undefined) throw new Error(`no item in ${name}`);
  return id;
}

/** A fixture envelope with its first message changed. */
function withMessage(name: string, change: (message: Record<string, unknown>) => void): string {
  const envelope = fixtureEnvelope(name);
  const entry = envelope.whatsAppWebhookEntry as {
    changes: { value: { messages: Record<string, unknown>[] } }[];
  };
  const message = entry.changes[0]?.value.messages[0];
  if (message === undefined) throw new Error(`no message in ${name}`);
  change(message);
  return encodeEnvelope(envelope);
}

/** A status envelope with the given statuses of one outbound wamid. */
function statusesEnvelope(
  statuses: { id: string; status: string; timestamp: string; [k: string]: unknown }[],
): string {
  const envelope = fixtureEnvelope('status-read');
  const entry = envelope.whatsAppWebhookEntry as { changes: { value: { statuses: unknown[] } }[] };
  const value = entry.changes[0]?.value;
  if (value === undefined) throw new Error('fixture changed');
  value.statuses = statuses.map((s) => ({ recipient_id: '14255550150', recipient_user_id: CUSTOMER, ...s }));
  return encodeEnvelope(envelope);
}

describe('inbound processor against DynamoDB Local', () => {
  test('a text message is recorded with its conversation', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('message-text'));

    const message = await reader.getMessage(wamidOf('message-text'));
    expect(message).toMatchObject({
      entity: 'message',
      direction: 'inbound',
      type: 'text',
      content: { kind: 'text', body: 'Hello! Is my order on its way?' },
      customerPhone: '14255550150',
      customerKey: CUSTOMER,
      businessPhoneNumberId: PHONE_ID,
      routing: 'routed',
      originationPhoneNumberId: 'phone-number-id-abcdef0123456789abcdef0123456789',
      sentAt: '2026-01-01T00:00:00.000Z',
      receivedAt: NOW.toISOString(),
      snsMessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
    });
    const conversation = await reader.getConversation(PHONE_ID, CUSTOMER);
    expect(conversation).toMatchObject({
      entity: 'conversation',
      profileName: 'Jane Doe',
      lastInboundAt: '2026-01-01T00:00:00.000Z',
      lastInboundWamid: wamidOf('message-text'),
      inboundCount: 1,
      activityBucket: `${PHONE_ID}#2026-01-01`,
    });
  });

  test('a new inbound message costs one transaction of two writes and no reads', async () => {
    const counted = localDynamoDbClient();
    const counts = countRequests(counted);
    const { handler } = await pipeline({ client: counted });
    await handler(fixtureEvent('message-text'));
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItemsCommand: 1 });
    counted.destroy();
  });

  test('a status costs one write and no reads', async () => {
    const counted = localDynamoDbClient();
    const counts = countRequests(counted);
    const { handler } = await pipeline({ client: counted });
    await handler(fixtureEvent('status-delivered'));
    expect(Object.fromEntries(counts)).toEqual({ UpdateItemCommand: 1 });
    counted.destroy();
  });

  test('a duplicate costs one request and writes nothing', async () => {
    const counted = localDynamoDbClient();
    const { handler, itemCount } = await pipeline({ client: counted });
    await handler(fixtureEvent('message-text'));
    const before = await itemCount();
    const counts = countRequests(counted);
    await handler(fixtureEvent('message-text'));
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItemsCommand: 1 });
    expect(await itemCount()).toBe(before);
    counted.destroy();
  });

  test('every item is written with a TTL, as a Number, retentionDays after the write', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('message-text'));
    const expected = Math.floor(NOW.getTime() / 1000) + RETENTION_DAYS * 86_400;
    expect((await reader.getMessage(wamidOf('message-text')))?.expiresAt).toBe(expected);
    expect((await reader.getConversation(PHONE_ID, CUSTOMER))?.expiresAt).toBe(expected);
  });

  test.each(FIXTURE_NAMES.filter((n) => !n.startsWith('bad-')))(
    '%s is processed without error',
    async (name) => {
      const { handler } = await pipeline();
      await expect(handler(fixtureEvent(name))).resolves.toBeUndefined();
    },
  );

  test.each([
    'message-image',
    'message-audio-voice',
    'message-location',
    'message-contacts',
    'message-interactive-nfm-reply',
    'message-order',
    'message-system-user-changed-number',
    'message-unsupported',
    'message-future-type',
  ])('%s is stored with its raw payload, exactly as received', async (name) => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent(name));
    const entry = fixtureEnvelope(name).whatsAppWebhookEntry as {
      changes: { value: { messages: unknown[] } }[];
    };
    const stored = await reader.getMessage(wamidOf(name));
    expect(JSON.parse(String(stored?.payload))).toEqual(entry.changes[0]?.value.messages[0]);
  });
});

describe('exactly once', () => {
  test('a redelivered SNS message produces one record', async () => {
    const { handler, reader, metrics } = await pipeline();
    await handler(fixtureEvent('message-text', 'sns-1'));
    await handler(fixtureEvent('message-text', 'sns-1'));
    expect((await reader.getConversation(PHONE_ID, CUSTOMER))?.inboundCount).toBe(1);
    expect(metrics.get('InboundMessages/type=text')).toBe(1);
    expect(metrics.get('DuplicateMessages')).toBe(1);
  });

  test('a Meta retry re-published as a new SNS message produces one record, keeping the first', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('message-text', 'sns-first'));
    await handler(fixtureEvent('message-text', 'sns-meta-retry'));
    expect((await reader.getMessage(wamidOf('message-text')))?.snsMessageId).toBe('sns-first');
    expect((await reader.getConversation(PHONE_ID, CUSTOMER))?.inboundCount).toBe(1);
  });

  test('concurrent duplicate deliveries produce one record', async () => {
    const { handler, reader, metrics } = await pipeline();
    await Promise.all(Array.from({ length: 8 }, (_, i) => handler(fixtureEvent('message-text', `sns-${i}`))));
    expect((await reader.getConversation(PHONE_ID, CUSTOMER))?.inboundCount).toBe(1);
    expect(metrics.get('InboundMessages/type=text')).toBe(1);
    expect(metrics.get('DuplicateMessages')).toBe(7);
  });

  test('a failed write fails the invocation, and the retry completes only what is missing', async () => {
    const flaky = localDynamoDbClient();
    let calls = 0;
    flaky.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        if (calls === 2) {
          throw Object.assign(new Error('Throughput exceeds the current capacity'), {
            name: 'ProvisionedThroughputExceededException',
            $retryable: { throttling: true },
          });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const { handler, reader, tableName } = await pipeline({ client: flaky });
    const event = fixtureEvent('edge-multi-change');

    const failure = await handler(event).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProcessingError);
    expect((failure as ProcessingError).cause).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });

    const retry = createInboundHandler({
      pseudonyms: testPseudonyms,
      store: new ConversationStore({ client, tableName, retentionDays: RETENTION_DAYS, clock: () => NOW }),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    await retry(event);
    const messages = await reader.listMessages(PHONE_ID, CUSTOMER);
    expect(messages.filter((m) => m.direction === 'inbound').map((m) => m.type)).toEqual([
      'text',
      'text',
      'image',
    ]);
    expect((await reader.getConversation(PHONE_ID, CUSTOMER))?.inboundCount).toBe(3);
    flaky.destroy();
  });
});

describe('conversations', () => {
  test('a late, older message is counted but does not move the service window back', async () => {
    const { handler, reader } = await pipeline();
    await handler(
      snsEvent(
        withMessage('message-text', (m) => Object.assign(m, { id: 'wamid.newer', timestamp: '1767225700' })),
      ),
    );
    await handler(
      snsEvent(
        withMessage('message-text', (m) => Object.assign(m, { id: 'wamid.older', timestamp: '1767225000' })),
      ),
    );
    expect(await reader.getConversation(PHONE_ID, CUSTOMER)).toMatchObject({
      lastInboundAt: '2026-01-01T00:01:40.000Z',
      lastInboundWamid: 'wamid.newer',
      inboundCount: 2,
    });
    expect(await reader.getMessage('wamid.older')).toBeDefined();
  });

  test('messages of a conversation come back in time order', async () => {
    const { handler, reader } = await pipeline();
    for (const [id, timestamp] of [
      ['wamid.b', '1767225620'],
      ['wamid.c', '1767225630'],
      ['wamid.a', '1767225610'],
    ]) {
      await handler(snsEvent(withMessage('message-text', (m) => Object.assign(m, { id, timestamp }))));
    }
    expect((await reader.listMessages(PHONE_ID, CUSTOMER)).map((m) => m.wamid)).toEqual([
      'wamid.a',
      'wamid.b',
      'wamid.c',
    ]);
  });

  test('recently active conversations are listed newest first, with the service window state', async () => {
    const { handler, reader } = await pipeline();
    await handler(
      snsEvent(
        withMessage('message-text', (m) =>
          Object.assign(m, { from_user_id: 'US.1', timestamp: '1767225600' }),
        ),
      ),
    );
    await handler(
      snsEvent(
        withMessage('message-text', (m) =>
          Object.assign(m, { id: 'wamid.x', from_user_id: 'US.2', timestamp: '1767225660' }),
        ),
      ),
    );
    const active = await reader.listActiveConversations(PHONE_ID, NOW);
    expect(active.map((c) => c.customerKey)).toEqual(['US.2', 'US.1']);
    expect(active.every((c) => serviceWindowOpen(c.lastInboundAt, NOW))).toBe(true);
    expect(serviceWindowOpen(active[0]?.lastInboundAt, new Date('2026-01-02T00:01:01Z'))).toBe(false);
  });

  test('a username user without phone number is a conversation keyed by user id', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('message-username-user'));
    expect(await reader.getConversation(PHONE_ID, 'BR.5512345678901234567')).toMatchObject({
      username: '@sam.travels',
      inboundCount: 1,
    });
  });

  test('text of 4096 characters of any script is stored byte-exact', async () => {
    const { handler, reader } = await pipeline();
    const pieces = ['שלום עולם ', 'مرحبا ', '👩‍👩‍👧‍👦', '🇧🇷', '🏳️‍🌈', 'e\u0301', '\u200f', '𝕏', 'ﷺ'];
    let body = '';
    for (let i = 0; [...body].length < 4096; i++) body += pieces[i % pieces.length];
    body = [...body].slice(0, 4096).join('');
    await handler(snsEvent(withMessage('message-text', (m) => Object.assign(m, { text: { body } }))));
    const stored = await reader.getMessage(wamidOf('message-text'));
    expect(stored?.content).toEqual({ kind: 'text', body });
  });
});

describe('statuses', () => {
  const OUT = 'wamid.outbound-1';

  test('out of order, the current status never regresses and the full history is kept', async () => {
    const { handler, reader } = await pipeline();
    await handler(snsEvent(statusesEnvelope([{ id: OUT, status: 'read', timestamp: '1767225605' }])));
    await handler(snsEvent(statusesEnvelope([{ id: OUT, status: 'sent', timestamp: '1767225601' }])));
    await handler(snsEvent(statusesEnvelope([{ id: OUT, status: 'delivered', timestamp: '1767225603' }])));
    const message = await reader.getMessage(OUT);
    expect(message?.status).toBe('read');
    expect(message?.statusHistory.map((h) => h.status)).toEqual(['sent', 'delivered', 'read']);
  });

  test('a redelivered status adds nothing to the history', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-sent', 'sns-1'));
    await handler(fixtureEvent('status-sent', 'sns-1'));
    expect((await reader.getMessage(wamidOf('status-sent')))?.statusHistory).toHaveLength(1);
  });

  test('a failed status records its errors and is current only when nothing better was seen', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-failed'));
    const failed = await reader.getMessage(wamidOf('status-failed'));
    expect(failed?.status).toBe('failed');
    expect(failed?.statusHistory[0]?.errors).toEqual([expect.objectContaining({ code: '131047' })]);

    await handler(snsEvent(statusesEnvelope([{ id: OUT, status: 'delivered', timestamp: '1767225603' }])));
    await handler(snsEvent(statusesEnvelope([{ id: OUT, status: 'failed', timestamp: '1767225609' }])));
    expect((await reader.getMessage(OUT))?.status).toBe('delivered');
  });

  test('pricing and conversation are kept with the status', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-sent'));
    expect((await reader.getMessage(wamidOf('status-sent')))?.statusHistory[0]).toMatchObject({
      pricing: { pricingModel: 'PMP', category: 'utility', type: 'regular' },
      conversation: { originType: 'utility' },
    });
  });

  test('an unknown status value is stored verbatim', async () => {
    const { handler, reader, metrics } = await pipeline();
    await handler(fixtureEvent('status-unknown-value'));
    const message = await reader.getMessage(wamidOf('status-unknown-value'));
    expect(message?.status).toBe('warning');
    expect(message?.statusHistory.map((h) => h.status)).toEqual(['warning']);
    expect(metrics.get('StatusUpdates/status=other')).toBe(1);
  });

  test('a status of a message the pipeline never saw creates an outbound record in the conversation', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-delivered'));
    const [message] = await reader.listMessages(PHONE_ID, CUSTOMER);
    expect(message).toMatchObject({ direction: 'outbound', wamid: wamidOf('status-delivered') });
  });

  test('a status storm of one batch is applied in full', async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-batch'));
    expect((await reader.getMessage(wamidOf('status-batch', 0)))?.status).toBe('read');
    expect((await reader.getMessage(wamidOf('status-batch', 2)))?.status).toBe('delivered');
  });
});

describe('routing, errors and skipped changes', () => {
  test.each([
    ['edge-no-context', 'no-context'],
    ['edge-unmatched-phone-number', 'unmatched'],
  ])('%s: the message is recorded and flagged, and counted as unrouted', async (name, routing) => {
    const { handler, reader, metrics, logger } = await pipeline();
    await handler(fixtureEvent(name));
    const message = await reader.getMessage(wamidOf(name));
    expect(message?.routing).toBe(routing);
    expect(message?.originationPhoneNumberId).toBeUndefined();
    expect(metrics.get('UnroutedMessages')).toBe(1);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('not routed'))).toBe(true);
  });

  test('a webhook-level error is recorded once, even when redelivered', async () => {
    const { handler, reader, metrics } = await pipeline();
    await handler(fixtureEvent('edge-webhook-error'));
    await handler(fixtureEvent('edge-webhook-error'));
    const errors = await reader.listWebhookErrors(PHONE_ID);
    expect(errors).toEqual([expect.objectContaining({ code: '130429', title: 'Rate limit hit' })]);
    expect(metrics.get('WebhookErrors')).toBe(2);
  });

  test('a template status update stores its health record alone: no message, no conversation', async () => {
    const { handler, itemCount } = await pipeline();
    await handler(fixtureEvent('edge-template-status-update'));
    expect(await itemCount()).toBe(1);
  });

  test('a field the pipeline does not record stores nothing and succeeds', async () => {
    const { handler, itemCount } = await pipeline();
    await handler(fixtureEvent('edge-future-field'));
    expect(await itemCount()).toBe(0);
  });
});

describe('a status of a message sent to a group', () => {
  test("is recorded in the group's conversation, not as a customer's", async () => {
    const { handler, reader } = await pipeline();
    await handler(fixtureEvent('status-group-delivered'));
    const message = await reader.getMessage('wamid.HBgLMTQyNTU1NTAxNTAVAgARGBJHUk9VUDEyMzQ1Njc4OTBBQkNEAA==');
    expect(message).toMatchObject({
      direction: 'outbound',
      status: 'delivered',
      groupId: 'Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=',
      conversationKey: `${PHONE_ID}#GROUP#Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=`,
    });
    expect(message?.customerPhone).toBeUndefined();
  });
});

describe('bad input', () => {
  test.each([
    ['bad-console-test-message', 'not-an-eum-envelope'],
    ['bad-entry-not-json', 'entry-not-json'],
    ['bad-message-without-id', 'item-without-identity'],
  ])('%s: the invocation fails, nothing is stored, a metric and a log line say why', async (name, reason) => {
    const { handler, itemCount, metrics, logger } = await pipeline();
    await expect(handler(fixtureEvent(name, 'sns-bad'))).rejects.toBeInstanceOf(EventDecodeError);
    expect(await itemCount()).toBe(0);
    expect(metrics.get(`UndecodableEvents/reason=${reason}`)).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        attributes: expect.objectContaining({ reason, snsMessageIds: ['sns-bad'] }),
      }),
    );
  });
});

describe('logs', () => {
  test('never contain phone numbers, user ids or message texts', async () => {
    const { handler, logger } = await pipeline();
    for (const name of ['message-text', 'message-username-user', 'edge-no-context', 'status-failed']) {
      await handler(fixtureEvent(name));
    }
    await handler(fixtureEvent('bad-message-without-id')).catch(() => undefined);
    const text = logger.text();
    for (const secret of [
      '14255550150',
      CUSTOMER,
      'BR.5512345678901234567',
      'Hello! Is my order',
      'Olá',
      'I have no id',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(logger.lines.some((l) => typeof l.attributes.customer === 'string')).toBe(true);
  });

  test('carry the SNS message id and keyed pseudonyms of the wamid and customer as correlation keys', async () => {
    const { handler, logger } = await pipeline();
    await handler(fixtureEvent('message-text', 'sns-correlate'));
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        message: 'Message recorded',
        attributes: expect.objectContaining({
          snsMessageId: 'sns-correlate',
          messageRef: testPseudonymizer.message(wamidOf('message-text')),
          customer: testPseudonymizer.customer(CUSTOMER),
        }),
      }),
    );
    expect(JSON.stringify(logger.lines)).not.toContain(wamidOf('message-text'));
  });
});
