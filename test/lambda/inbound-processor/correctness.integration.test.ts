import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import fc from 'fast-check';
import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { WhatsAppSender } from '../../../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../../../lambda/domain/auto-response';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { readReceipt, textMessage } from '../../../lambda/domain/outbound';
import { currentStatus } from '../../../lambda/domain/status';
import { AutoResponder } from '../../../lambda/inbound-processor/auto-responder';
import { createInboundHandler } from '../../../lambda/inbound-processor/process';
import { CallFailedError } from '../../../lambda/shared/retry';
import { envelope, inboundValue, LOCAL_BUSINESS, statusValue } from '../../../local/events';
import { countRequests } from '../../../local/request-counter';
import type { SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { ConversationReader } from '../../../ops/conversation-reader';
import { encodeEnvelope, fixtureEnvelope, snsEvent } from '../../fixtures';
import { createConversationTable, localDynamoDbClient } from '../../support/assembly';
import { lambdaContext } from '../../support/lambda-context';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';
import { socialMessagingClient, startSimulator } from '../../support/simulator';

const CUSTOMER = { phone: '14255550150', name: 'Ada', userId: 'US.13491208655302741918' };

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

async function pipeline(options: { client?: DynamoDBClient } = {}) {
  const tableName = await createConversationTable(dynamo);
  const store = new ConversationStore({ client: options.client ?? dynamo, tableName, retentionDays: 30 });
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
    policy: DEFAULT_AUTO_RESPONSE_POLICY,
    logger,
    metrics,
  });
  const handler = createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    logger,
    metrics,
    hooks: [responder],
  });
  return {
    handler,
    invoke: (event: unknown, requestId?: string) => handler(event, lambdaContext(30_000, requestId)),
    store,
    tableName,
    logger,
    metrics,
    reader: new ConversationReader(dynamo, tableName),
  };
}

/** A fixture's event, re-dated to now so that the auto-response is not skipped as too old. */
function fresh(name: string) {
  const env = fixtureEnvelope(name);
  const now = String(Math.floor(Date.now() / 1000));
  const entry = JSON.parse(
    JSON.stringify(env.whatsAppWebhookEntry).replace(/"timestamp":"\d+"/g, `"timestamp":"${now}"`),
  );
  return snsEvent(encodeEnvelope({ ...env, whatsAppWebhookEntry: entry }));
}

/** The text fixture, re-dated to now, and its message as the processor decodes it. */
function freshText() {
  const event = fresh('message-text');
  const [decoded] = decodeSnsEvent(event);
  return { event, message: decoded?.messages[0] ?? fail() };
}

const OUT = 'wamid.outbound-status';
function statusEvent(status: string, at: number, snsMessageId = randomUUID()) {
  return snsEvent(
    envelope([statusValue(CUSTOMER, [{ wamid: OUT, status, at: new Date(at * 1000) }])]),
    snsMessageId,
  );
}

describe('the current status, stored', () => {
  test('a message that received a status carries status and statusAt as top-level attributes', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(statusEvent('delivered', 1_767_225_603));
    const message = await reader.getMessage(OUT);
    expect(message).toMatchObject({ status: 'delivered', statusAt: '2026-01-01T00:00:03.000Z' });
  });

  test('in order, each status costs one write', async () => {
    const { store, reader } = await pipeline();
    const writes: number[] = [];
    for (const [status, at] of [
      ['sent', 1],
      ['delivered', 2],
      ['read', 3],
    ] as const) {
      const [notification] = decodeSnsEvent(statusEvent(status, 1_767_225_600 + at));
      const outcome = await store.recordStatus(notification?.statuses[0] ?? fail());
      writes.push(outcome.writes);
    }
    expect(writes).toEqual([1, 1, 1]);
    expect((await reader.getMessage(OUT))?.status).toBe('read');
  });

  test('out of order, a lower status costs a second conditional write and does not move the status back', async () => {
    const { store, reader } = await pipeline();
    const [read] = decodeSnsEvent(statusEvent('read', 1_767_225_605));
    const [sent] = decodeSnsEvent(statusEvent('sent', 1_767_225_601));
    await store.recordStatus(read?.statuses[0] ?? fail());
    const late = await store.recordStatus(sent?.statuses[0] ?? fail());
    expect(late).toEqual({ kind: 'recorded', previous: 'read', current: 'read', writes: 2 });
    const message = await reader.getMessage(OUT);
    expect(message?.status).toBe('read');
    expect(message?.statusHistory.map((h) => h.status)).toEqual(['sent', 'read']);
  });

  test('a redelivered status is recognized with one write and adds nothing', async () => {
    const { store, reader } = await pipeline();
    const [delivered] = decodeSnsEvent(statusEvent('delivered', 1_767_225_603));
    await store.recordStatus(delivered?.statuses[0] ?? fail());
    const again = await store.recordStatus(delivered?.statuses[0] ?? fail());
    expect(again).toEqual({ kind: 'duplicate', writes: 1 });
    expect((await reader.getMessage(OUT))?.statusHistory).toHaveLength(1);
  });

  test('shuffled, duplicated and concurrent status sequences always end in the status of precedence', async () => {
    const { store, tableName } = await pipeline();
    const reader = new ConversationReader(dynamo, tableName);
    const statuses = ['sent', 'delivered', 'read', 'failed', 'played', 'warning'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...statuses), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat({ max: 5 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (seen, duplicates, parallelism) => {
          const wamid = `wamid.storm-${randomUUID()}`;
          const deliveries = [...seen, ...duplicates.map((i) => seen[i % seen.length] ?? 'sent')].sort(
            () => Math.random() - 0.5,
          );
          const updates = deliveries.map((status) => {
            const at = 1_767_225_600 + statuses.indexOf(status);
            const [notification] = decodeSnsEvent(
              snsEvent(envelope([statusValue(CUSTOMER, [{ wamid, status, at: new Date(at * 1000) }])])),
            );
            return notification?.statuses[0] ?? fail();
          });
          for (let i = 0; i < updates.length; i += parallelism) {
            await Promise.all(updates.slice(i, i + parallelism).map((u) => store.recordStatus(u)));
          }
          const message = await reader.getMessage(wamid);
          expect(message?.status).toBe(currentStatus(seen));
          expect(new Set(message?.statusHistory.map((h) => h.status))).toEqual(new Set(seen));
          expect(message?.statusHistory).toHaveLength(seen.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  test('an empty from is absent: the reaction goes to the business-scoped user id, never to ""', async () => {
    const { invoke } = await pipeline();
    await invoke(fresh('message-username-user-empty-from'));
    const reactions = simulator.sent
      .map((r) => r.message)
      .filter((m) => (m as { type?: string }).type === 'reaction');
    expect(reactions).toEqual([expect.objectContaining({ recipient: 'BR.5512345678901234567' })]);
    expect(JSON.stringify(simulator.requests)).not.toContain('"to":""');
  });

  test('with neither a number nor a user id, no reaction is sent at all', async () => {
    const { invoke, reader } = await pipeline();
    const env = fixtureEnvelope('message-username-user-empty-from');
    const now = String(Math.floor(Date.now() / 1000));
    const entry = JSON.parse(
      JSON.stringify(env.whatsAppWebhookEntry)
        .replace(/"timestamp":"\d+"/g, `"timestamp":"${now}"`)
        .replace(/"(from_)?user_id":"[^"]*"/g, '"$1user_id":""'),
    );
    await invoke(snsEvent(encodeEnvelope({ ...env, whatsAppWebhookEntry: entry })));
    expect(
      simulator.sent.map((r) => (r.message as { type?: string; status?: string }).status ?? 'reaction'),
    ).toEqual(['read']);
    const [decoded] = decodeSnsEvent(snsEvent(encodeEnvelope({ ...env, whatsAppWebhookEntry: entry })));
    const stored = await reader.getMessage(decoded?.messages[0]?.wamid ?? fail());
    expect(stored?.autoResponse?.reaction).toEqual({ state: 'skipped', reason: 'no-address' });
  });

  test('no payload builder accepts an empty address', () => {
    expect(() => textMessage({ to: '' }, 'hi')).toThrow('non-empty address');
    expect(() => textMessage({ recipient: '  ' }, 'hi')).toThrow('non-empty address');
  });
});

describe('the same wamid twice in one notification', () => {
  test('is recorded once and answered once, the first occurrence winning, without failing', async () => {
    const { invoke, reader, metrics } = await pipeline();
    const wamid = `wamid.twice-${randomUUID()}`;
    const at = new Date();
    const first = inboundValue(CUSTOMER, { wamid, type: 'text', at, payload: { body: 'first copy' } });
    const second = inboundValue(CUSTOMER, { wamid, type: 'text', at, payload: { body: 'second copy' } });
    for (let run = 0; run < 5; run++) {
      simulator.reset();
      const id = `${wamid}-${run}`;
      const withId = (value: Record<string, unknown>) =>
        JSON.parse(JSON.stringify(value).replaceAll(wamid, id)) as Record<string, unknown>;
      await expect(invoke(snsEvent(envelope([withId(first), withId(second)])))).resolves.toBeUndefined();
      expect((await reader.getMessage(id))?.content).toEqual({ kind: 'text', body: 'first copy' });
      expect(simulator.sent.map((r) => (r.message as { type?: string }).type ?? 'receipt').sort()).toEqual([
        'reaction',
        'receipt',
      ]);
    }
    expect(metrics.get('InboundMessages/type=text')).toBe(5);
    expect(metrics.get('DuplicateMessages')).toBe(0);
  });
});

describe('claims', () => {
  test("the retry of a failed invocation gets the failed invocation's claim back at once", async () => {
    // DynamoDB fails the outcome write and the release of the claim: the claim stays behind.
    const client = failingWrites(2);
    const { invoke, reader } = await pipeline({ client });
    const { event, message } = freshText();
    const wamid = message.wamid;
    const requestId = randomUUID();
    await expect(invoke(event, requestId)).rejects.toThrow();
    expect((await reader.getMessage(wamid))?.claim?.owner).toBe(requestId);
    // Another invocation may not take a live claim; the retry of the same one (same request id) may.
    await expect(invoke(event)).rejects.toThrow();
    await expect(invoke(event, requestId)).resolves.toBeUndefined();
    const done = await reader.getMessage(wamid);
    expect(done?.claim).toBeUndefined();
    expect(done?.autoResponse?.receipt.state).toBe('sent');
    client.destroy();
  });

  test('a failed invocation releases its claim when DynamoDB lets it', async () => {
    const client = failingWrites(1);
    const { invoke, reader } = await pipeline({ client });
    const { event, message } = freshText();
    const wamid = message.wamid;
    await expect(invoke(event)).rejects.toThrow();
    expect((await reader.getMessage(wamid))?.claim).toBeUndefined();
    // So any retry, whatever its request id, resumes at once.
    await expect(invoke(event)).resolves.toBeUndefined();
    client.destroy();
  });

  test('claimResponse accepts a claim the caller already holds', async () => {
    const { store } = await pipeline();
    const { message } = freshText();
    const owner = 'invocation-1';
    const end = Date.now() + 60_000;
    await store.recordInbound(message, {
      record: { receipt: { state: 'pending' }, reaction: { state: 'skipped', reason: 'policy' } },
      claim: { owner, expiresAtMs: end },
    });
    await expect(store.claimResponse(message.wamid, owner, end)).resolves.toMatchObject({ claimed: true });
    await expect(store.claimResponse(message.wamid, 'someone-else', end)).resolves.toMatchObject({
      claimed: false,
    });
  });

  test('an outcome write that was already applied (its answer lost, the SDK retried) is success, not a takeover', async () => {
    const { store } = await pipeline();
    const { message } = freshText();
    const owner = 'invocation-1';
    await store.recordInbound(message, {
      record: { receipt: { state: 'pending' }, reaction: { state: 'skipped', reason: 'policy' } },
      claim: { owner, expiresAtMs: Date.now() + 60_000 },
    });
    const results = {
      receipt: { state: 'sent' as const, messageId: 'aws-1', at: '2026-01-01T00:00:00.000Z', attempts: 1 },
    };
    await expect(store.recordResponses(message.wamid, owner, results)).resolves.toBe('recorded');
    await expect(store.recordResponses(message.wamid, owner, results)).resolves.toBe('already-recorded');
    await expect(
      store.recordResponses(message.wamid, owner, { receipt: { ...results.receipt, messageId: 'aws-2' } }),
    ).resolves.toBe('claim-lost');
  });

  test('a crash between the sends and the outcome write: the retry resends only idempotent payloads', async () => {
    const client = failingWrites(2);
    const { invoke, reader } = await pipeline({ client });
    const { event, message } = freshText();
    const wamid = message.wamid;
    const requestId = randomUUID();
    await expect(invoke(event, requestId)).rejects.toThrow();
    const sentFirst = simulator.sent.map((r) => r.message);
    await invoke(event, requestId);
    const resent = simulator.sent.slice(sentFirst.length).map((r) => r.message);
    // Both were delivered, both are sent again: a read receipt and the same reaction change nothing.
    expect(resent.map((m) => (m as { type?: string }).type ?? 'receipt').sort()).toEqual([
      'reaction',
      'receipt',
    ]);
    expect(resent).toEqual(expect.arrayContaining(sentFirst));
    expect((await reader.getMessage(wamid))?.autoResponse?.reaction.state).toBe('sent');
    client.destroy();
  });
});

describe('ambiguous sends', () => {
  test('an idempotent payload is retried after a failure that may have been delivered', async () => {
    const sender = fastSender();
    simulator.failNext(1, { type: 'InternalServiceException', status: 500, message: 'oops' });
    const result = await sender.send(
      LOCAL_BUSINESS.originationPhoneNumberId,
      readReceipt('wamid.A'),
      Date.now() + 5000,
    );
    expect(result.attempts).toBe(2);
  });

  test('a non-idempotent text is never repeated after a failure that may have been delivered', async () => {
    const sender = fastSender();
    simulator.failNext(1, { type: 'InternalServiceException', status: 500, message: 'oops' });
    const failure = await sender
      .send(
        LOCAL_BUSINESS.originationPhoneNumberId,
        textMessage({ to: CUSTOMER.phone }, 'Hello'),
        Date.now() + 5000,
      )
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CallFailedError);
    expect(failure).toMatchObject({ kind: 'transient', ambiguous: true, attempts: 1 });
    expect(simulator.requests).toHaveLength(1);
  });

  test('a throttled text is retried: throttling is refused before anything is sent', async () => {
    const sender = fastSender();
    simulator.failNext(1, { type: 'ThrottledRequestException', status: 429, message: 'slow down' });
    const result = await sender.send(
      LOCAL_BUSINESS.originationPhoneNumberId,
      textMessage({ to: CUSTOMER.phone }, 'Hello'),
      Date.now() + 5000,
    );
    expect(result.attempts).toBe(2);
  });
});

describe('request counting of statuses', () => {
  test('counts are taken at the client, so the figures above are real requests', async () => {
    const client = localDynamoDbClient();
    const counts = countRequests(client);
    const tableName = await createConversationTable(dynamo);
    const store = new ConversationStore({ client, tableName, retentionDays: 30 });
    const [status] = decodeSnsEvent(statusEvent('read', 1_767_225_605));
    await store.recordStatus(status?.statuses[0] ?? fail());
    expect([...counts.entries()]).toEqual([['UpdateItemCommand', 1]]);
    client.destroy();
  });
});

/** A sender with millisecond backoffs, so retries take no time. */
function fastSender(): WhatsAppSender {
  return new WhatsAppSender({
    client: messaging,
    metaApiVersion: 'v24.0',
    baseBackoffMs: 1,
    maxBackoffMs: 2,
  });
}

/**
 * A DynamoDB client whose first `count` updates that remove a claim (the outcome write, the release)
 * fail as a lost connection would: what a crash between the sends and the bookkeeping leaves.
 */
function failingWrites(count: number): DynamoDBClient {
  const client = localDynamoDbClient();
  let left = count;
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      if (ctx.commandName === 'UpdateItemCommand' && left > 0 && input.UpdateExpression?.includes('REMOVE')) {
        left--;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failClaimWrites' },
  );
  return client;
}

function fail(): never {
  throw new Error('fixture did not decode as expected');
}
