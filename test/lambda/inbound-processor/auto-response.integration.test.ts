import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { WhatsAppSender } from '../../../lambda/adapters/whatsapp-sender';
import { type AutoResponsePolicy, DEFAULT_AUTO_RESPONSE_POLICY } from '../../../lambda/domain/auto-response';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { AutoResponder, ResponseInProgressError } from '../../../lambda/inbound-processor/auto-responder';
import { createInboundHandler, ProcessingError } from '../../../lambda/inbound-processor/process';
import { countRequests } from '../../../local/request-counter';
import { FAULTS, type SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { ConversationReader } from '../../../ops/conversation-reader';
import { encodeEnvelope, fixtureEnvelope, fixtureEvent, snsEvent } from '../../fixtures';
import { createConversationTable, localDynamoDbClient } from '../../support/assembly';
import { lambdaContext } from '../../support/lambda-context';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';
import { socialMessagingClient, startSimulator } from '../../support/simulator';

const NOW = new Date('2026-01-01T00:00:30Z');
const ORIGINATION = 'phone-number-id-abcdef0123456789abcdef0123456789';
const CUSTOMER_PHONE = '14255550150';

let dynamo: DynamoDBClient;
let simulator: SocialMessagingSimulator;
let messaging: SocialMessagingClient;

beforeAll(async () => {
  dynamo = localDynamoDbClient();
  simulator = await startSimulator();
  messaging = socialMessagingClient();
});
afterEach(() => simulator.reset());
afterAll(async () => {
  dynamo.destroy();
  messaging.destroy();
  await simulator.stop();
});

/** A pipeline with auto-responses: a fresh table, the shared simulator, and the given policy. */
async function pipeline(policy: Partial<AutoResponsePolicy> = {}, options: { dynamo?: DynamoDBClient } = {}) {
  const client = options.dynamo ?? dynamo;
  const tableName = await createConversationTable(dynamo);
  const store = new ConversationStore({ client, tableName, retentionDays: 30, clock: () => NOW });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const sender = new WhatsAppSender({
    client: messaging,
    metaApiVersion: 'v24.0',
    baseBackoffMs: 5,
    maxBackoffMs: 20,
  });
  const responder = new AutoResponder({
    store,
    sender,
    policy: { ...DEFAULT_AUTO_RESPONSE_POLICY, ...policy },
    logger,
    metrics,
    clock: () => NOW,
  });
  const handler = createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    logger,
    metrics,
    hooks: [responder],
  });
  const invoke = (event: unknown, remainingMs?: number) => handler(event, lambdaContext(remainingMs));
  return { invoke, store, responder, reader: new ConversationReader(dynamo, tableName), metrics, logger };
}

function wamidOf(name: string): string {
  const [decoded] = decodeSnsEvent(fixtureEvent(name));
  const wamid = decoded?.messages[0]?.wamid;
  if (wamid === undefined) throw new Error(`no message in ${name}`);
  return wamid;
}

function withMessage(
  name: string,
  change: (message: Record<string, unknown>, value: Record<string, unknown>) => void,
) {
  const envelope = fixtureEnvelope(name);
  const entry = envelope.whatsAppWebhookEntry as {
    changes: { value: Record<string, unknown> & { messages: Record<string, unknown>[] } }[];
  };
  const value = entry.changes[0]?.value;
  const message = value?.messages[0];
  if (value === undefined || message === undefined) throw new Error(`no message in ${name}`);
  change(message, value);
  return snsEvent(encodeEnvelope(envelope));
}

/** What the simulator accepted, as `receipt` / `reaction:<emoji>` per wamid. */
function sentActions(): string[] {
  return simulator.sent.map((request) => {
    const message = request.message as { status?: string; type?: string; reaction?: { emoji: string } };
    return message.status === 'read' ? 'receipt' : `reaction:${message.reaction?.emoji}`;
  });
}

describe('auto-response to a new message', () => {
  test('sends the read receipt and the reaction, from the receiving number, with the configured API version', async () => {
    const { invoke } = await pipeline();
    await invoke(fixtureEvent('message-text'));
    const wamid = wamidOf('message-text');
    expect(simulator.sent.map((r) => r.message)).toEqual(
      expect.arrayContaining([
        { messaging_product: 'whatsapp', message_id: wamid, status: 'read' },
        {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: CUSTOMER_PHONE,
          type: 'reaction',
          reaction: { message_id: wamid, emoji: '👍' },
        },
      ]),
    );
    expect(simulator.sent).toHaveLength(2);
    expect(new Set(simulator.sent.map((r) => r.originationPhoneNumberId))).toEqual(new Set([ORIGINATION]));
    expect(new Set(simulator.sent.map((r) => r.metaApiVersion))).toEqual(new Set(['v24.0']));
  });

  test('issues both calls concurrently', async () => {
    const { invoke } = await pipeline();
    simulator.latencyMs = 60;
    await invoke(fixtureEvent('message-text'));
    const [first, second] = simulator.sent;
    expect(first && second && second.receivedAt < first.answeredAt).toBe(true);
  });

  test('stores the AWS message id of each send with the inbound message', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(fixtureEvent('message-text'));
    const stored = await reader.getMessage(wamidOf('message-text'));
    const receiptId = simulator.sent.find((r) => (r.message as { status?: string }).status === 'read')
      ?.outcome.messageId;
    const reactionId = simulator.sent.find((r) => (r.message as { type?: string }).type === 'reaction')
      ?.outcome.messageId;
    expect(stored).toMatchObject({
      autoResponse: {
        receipt: { state: 'sent', messageId: receiptId, attempts: 1 },
        reaction: { state: 'sent', messageId: reactionId, attempts: 1 },
      },
      receiptMessageId: receiptId,
      reactionMessageId: reactionId,
    });
    expect(stored?.claim).toBeUndefined();
  });

  test('costs the transaction, one more write, no reads, and exactly two sends', async () => {
    const counted = localDynamoDbClient();
    const dynamoCounts = countRequests(counted);
    const sendCounts = countRequests(messaging);
    const { invoke } = await pipeline({}, { dynamo: counted });
    sendCounts.clear();
    await invoke(fixtureEvent('message-text'));
    expect(Object.fromEntries(dynamoCounts)).toEqual({ TransactWriteItemsCommand: 1, UpdateItemCommand: 1 });
    expect(Object.fromEntries(sendCounts)).toEqual({ SendWhatsAppMessageCommand: 2 });
    counted.destroy();
  });

  test('reacts to messages[].from, not contacts[].wa_id', async () => {
    const { invoke } = await pipeline();
    await invoke(
      withMessage('message-text', (_message, value) => {
        value.contacts = [{ profile: { name: 'Jane' }, wa_id: '12065550102' }];
      }),
    );
    expect(simulator.sent.map((r) => (r.message as { to?: string }).to).filter(Boolean)).toEqual([
      CUSTOMER_PHONE,
    ]);
  });

  test('addresses a username user without phone number by user id, as recipient', async () => {
    const { invoke } = await pipeline();
    await invoke(fixtureEvent('message-username-user'));
    const reaction = simulator.sent.find((r) => (r.message as { type?: string }).type === 'reaction');
    expect(reaction?.message).toMatchObject({ recipient: 'BR.5512345678901234567' });
    expect(reaction?.message).not.toHaveProperty('to');
  });

  test('never sends an unaddressed reaction: without phone or user id, only the receipt', async () => {
    const { invoke, reader } = await pipeline();
    const event = withMessage('message-text', (message, value) => {
      delete message.from;
      delete message.from_user_id;
      delete value.contacts;
    });
    await invoke(event);
    expect(sentActions()).toEqual(['receipt']);
    expect((await reader.getMessage(wamidOf('message-text')))?.autoResponse).toMatchObject({
      reaction: { state: 'skipped', reason: 'no-address' },
    });
  });

  test('adds the typing indicator to the read receipt when configured', async () => {
    const { invoke } = await pipeline({ typingIndicator: true });
    await invoke(fixtureEvent('message-text'));
    expect(simulator.sent.map((r) => r.message)).toContainEqual(
      expect.objectContaining({ status: 'read', typing_indicator: { type: 'text' } }),
    );
  });

  test('uses per-type emoji overrides', async () => {
    const { invoke } = await pipeline({ emoji: '🙏', emojiByType: { order: '🛒' } });
    await invoke(fixtureEvent('message-order'));
    await invoke(fixtureEvent('message-text'));
    expect(
      sentActions()
        .filter((a) => a.startsWith('reaction'))
        .sort(),
    ).toEqual(['reaction:🙏', 'reaction:🛒']);
  });
});

describe('the default policy', () => {
  test.each([
    ['message-text', ['reaction:👍', 'receipt']],
    ['message-image', ['reaction:👍', 'receipt']],
    ['message-audio-voice', ['reaction:👍', 'receipt']],
    ['message-video', ['reaction:👍', 'receipt']],
    ['message-document', ['reaction:👍', 'receipt']],
    ['message-sticker', ['reaction:👍', 'receipt']],
    ['message-location', ['reaction:👍', 'receipt']],
    ['message-contacts', ['reaction:👍', 'receipt']],
    ['message-interactive-button-reply', ['reaction:👍', 'receipt']],
    ['message-interactive-list-reply', ['reaction:👍', 'receipt']],
    ['message-interactive-nfm-reply', ['reaction:👍', 'receipt']],
    ['message-button', ['reaction:👍', 'receipt']],
    ['message-order', ['reaction:👍', 'receipt']],
    ['message-reaction', []],
    ['message-reaction-removed', []],
    ['message-system-user-changed-number', []],
    ['message-system-user-changed-number-bsuid', []],
    ['message-system-user-changed-user-id', []],
    ['message-unsupported', ['receipt']],
    ['message-unknown-legacy', ['receipt']],
    ['message-future-type', ['receipt']],
    ['message-request-welcome', ['receipt']],
  ])('%s → %j', async (name, expected) => {
    const { invoke } = await pipeline();
    await invoke(fixtureEvent(name));
    expect(sentActions().sort()).toEqual(expected);
  });

  test.each(['status-sent', 'status-delivered', 'status-read', 'status-failed', 'status-batch'])(
    '%s sends nothing',
    async (name) => {
      const { invoke } = await pipeline();
      await invoke(fixtureEvent(name));
      expect(simulator.requests).toEqual([]);
    },
  );

  test.each(['edge-no-context', 'edge-unmatched-phone-number'])(
    '%s (unrouted) sends nothing',
    async (name) => {
      const { invoke, reader } = await pipeline();
      await invoke(fixtureEvent(name));
      expect(simulator.requests).toEqual([]);
      expect((await reader.getMessage(wamidOf(name)))?.autoResponse).toEqual({
        receipt: { state: 'skipped', reason: 'unrouted' },
        reaction: { state: 'skipped', reason: 'unrouted' },
      });
    },
  );

  test('a message older than the window (a replay after an outage) gets nothing', async () => {
    const { invoke, reader } = await pipeline();
    const dayAndAMinuteAgo = String(Math.floor(NOW.getTime() / 1000) - 86_460);
    await invoke(withMessage('message-text', (m) => Object.assign(m, { timestamp: dayAndAMinuteAgo })));
    expect(simulator.requests).toEqual([]);
    expect((await reader.getMessage(wamidOf('message-text')))?.autoResponse).toMatchObject({
      receipt: { state: 'skipped', reason: 'too-old' },
    });
  });

  test('the age limit is configurable', async () => {
    const { invoke } = await pipeline({ maxMessageAgeSeconds: 10 });
    await invoke(fixtureEvent('message-text'));
    expect(simulator.requests).toEqual([]);
  });

  test('an action override applies', async () => {
    const { invoke } = await pipeline({
      actions: { ...DEFAULT_AUTO_RESPONSE_POLICY.actions, image: 'receipt' },
    });
    await invoke(fixtureEvent('message-image'));
    expect(sentActions()).toEqual(['receipt']);
  });
});

describe('exactly once per wamid and action', () => {
  test('a redelivery after success sends nothing', async () => {
    const { invoke } = await pipeline();
    await invoke(fixtureEvent('message-text', 'sns-1'));
    await invoke(fixtureEvent('message-text', 'sns-1'));
    await invoke(fixtureEvent('message-text', 'sns-meta-retry'));
    expect(sentActions().sort()).toEqual(['reaction:👍', 'receipt']);
  });

  test('after a partial failure, the retry sends only what is missing', async () => {
    const { invoke, reader } = await pipeline();
    simulator.failWhen(({ message }) =>
      (message as { type?: string }).type === 'reaction' ? FAULTS.internal : undefined,
    );
    const failure = await invoke(fixtureEvent('message-text'), 3600).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProcessingError);
    const afterFailure = await reader.getMessage(wamidOf('message-text'));
    expect(afterFailure?.autoResponse).toMatchObject({
      receipt: { state: 'sent' },
      reaction: { state: 'pending' },
    });
    expect(afterFailure?.claim).toBeUndefined();

    simulator.reset();
    await invoke(fixtureEvent('message-text'));
    expect(sentActions()).toEqual(['reaction:👍']);
    expect((await reader.getMessage(wamidOf('message-text')))?.autoResponse).toMatchObject({
      receipt: { state: 'sent' },
      reaction: { state: 'sent' },
    });
  });

  test('concurrent duplicate invocations send once', async () => {
    const { invoke } = await pipeline();
    simulator.latencyMs = 50;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => invoke(fixtureEvent('message-text', `sns-${i}`))),
    );
    expect(sentActions().sort()).toEqual(['reaction:👍', 'receipt']);
    // Duplicates that found the first invocation still sending ask to be retried later.
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result.reason as ProcessingError).cause).toBeInstanceOf(ResponseInProgressError);
    }
    // Their retries, once the first is done, send nothing.
    await Promise.all(
      Array.from({ length: 3 }, (_, i) => invoke(fixtureEvent('message-text', `sns-retry-${i}`))),
    );
    expect(simulator.sent).toHaveLength(2);
  });

  test('a retry takes over an unfinished response once its claim has expired (the first invocation died)', async () => {
    const { invoke, store, responder } = await pipeline();
    const [decoded] = decodeSnsEvent(fixtureEvent('message-text'));
    const message = decoded?.messages[0];
    if (message === undefined) throw new Error('fixture changed');
    // An invocation that recorded the message and died before sending: its claim ended a second ago.
    const dead = { id: 'dead-invocation', end: Date.now() - 1000, deadline: Date.now() - 4000 };
    await store.recordInbound(message, responder.creation(message, dead));

    await invoke(fixtureEvent('message-text'));
    expect(sentActions().sort()).toEqual(['reaction:👍', 'receipt']);
  });

  test('a retry does not take over while the claim holder may still be running', async () => {
    const { invoke, store, responder } = await pipeline();
    const [decoded] = decodeSnsEvent(fixtureEvent('message-text'));
    const message = decoded?.messages[0];
    if (message === undefined) throw new Error('fixture changed');
    const live = { id: 'live-invocation', end: Date.now() + 60_000, deadline: Date.now() + 57_000 };
    await store.recordInbound(message, responder.creation(message, live));

    const failure = await invoke(fixtureEvent('message-text')).catch((e: unknown) => e);
    expect((failure as ProcessingError).cause).toBeInstanceOf(ResponseInProgressError);
    expect(simulator.requests).toEqual([]);
  });
});

describe('errors', () => {
  test('throttling is retried with backoff within the invocation, then succeeds', async () => {
    const { invoke, reader } = await pipeline();
    simulator.failNext(3, FAULTS.throttled);
    await invoke(fixtureEvent('message-text'));
    expect(simulator.requests.filter((r) => 'fault' in r.outcome)).toHaveLength(3);
    expect(sentActions().sort()).toEqual(['reaction:👍', 'receipt']);
    const stored = await reader.getMessage(wamidOf('message-text'));
    const autoResponse = stored?.autoResponse as Record<string, { attempts: number }> | undefined;
    expect((autoResponse?.receipt?.attempts ?? 0) + (autoResponse?.reaction?.attempts ?? 0)).toBe(5);
  });

  test('throttling beyond the time budget fails the invocation so the event is retried, never dropped', async () => {
    const { invoke, reader, metrics } = await pipeline();
    simulator.failWhen(() => FAULTS.throttled);
    const failure = await invoke(fixtureEvent('message-text'), 3400).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProcessingError);
    expect((await reader.getMessage(wamidOf('message-text')))?.autoResponse).toMatchObject({
      receipt: { state: 'pending' },
      reaction: { state: 'pending' },
    });
    expect(metrics.get('AutoResponsesRetried/action=receipt')).toBe(1);
  });

  test('a network failure is transient too', async () => {
    const { invoke } = await pipeline();
    const endpoint = simulator.endpoint;
    process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = 'http://127.0.0.1:9';
    const offline = socialMessagingClient();
    const tableName = await createConversationTable(dynamo);
    const store = new ConversationStore({ client: dynamo, tableName, retentionDays: 30, clock: () => NOW });
    const responder = new AutoResponder({
      store,
      sender: new WhatsAppSender({
        client: offline,
        metaApiVersion: 'v24.0',
        baseBackoffMs: 5,
        maxBackoffMs: 20,
      }),
      policy: DEFAULT_AUTO_RESPONSE_POLICY,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      clock: () => NOW,
    });
    const handler = createInboundHandler({
      pseudonyms: testPseudonyms,
      store,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      hooks: [responder],
    });
    await expect(handler(fixtureEvent('message-text'), lambdaContext(3300))).rejects.toBeInstanceOf(
      ProcessingError,
    );
    offline.destroy();
    process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = endpoint;
    await invoke(fixtureEvent('message-text'));
  });

  test('a permanent error is recorded on the message, counted, and not retried', async () => {
    const { invoke, reader, metrics } = await pipeline();
    simulator.failWhen(({ message }) =>
      (message as { type?: string }).type === 'reaction' ? FAULTS.invalidParameters : undefined,
    );
    await invoke(fixtureEvent('message-text'));
    const stored = await reader.getMessage(wamidOf('message-text'));
    expect(stored?.autoResponse).toMatchObject({
      receipt: { state: 'sent' },
      reaction: {
        state: 'failed',
        error: { name: 'InvalidParametersException', message: 'Invalid parameters' },
      },
    });
    expect(metrics.get('AutoResponsesFailed/action=reaction')).toBe(1);
    expect(
      simulator.requests.filter((r) => (r.message as { type?: string }).type === 'reaction'),
    ).toHaveLength(1);

    await invoke(fixtureEvent('message-text', 'redelivered'));
    expect(
      simulator.requests.filter((r) => (r.message as { type?: string }).type === 'reaction'),
    ).toHaveLength(1);
  });

  test.each([FAULTS.accessDenied, FAULTS.notFound])('$type is permanent', async (fault) => {
    const { invoke, reader } = await pipeline();
    simulator.failWhen(() => fault);
    await invoke(fixtureEvent('message-text'));
    expect((await reader.getMessage(wamidOf('message-text')))?.autoResponse).toMatchObject({
      receipt: { state: 'failed', error: { name: fault.type } },
    });
  });
});
