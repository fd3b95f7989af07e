/**
 * The keyword auto-reply on real parts: its claims table in DynamoDB Local, its sends through the
 * real SocialMessaging client to the simulator, and (end to end) the shipped bundles of a stack
 * with the example enabled, fed by the pipeline's own events.
 */

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { createKeywordReplyHandler, ReplyDeferredError } from '../../examples/keyword-reply/reply';
import { EffectStore } from '../../lambda/adapters/effect-store';
import type { MessageItem } from '../../lambda/adapters/items';
import { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { EffectInProgressError } from '../../lambda/shared/exactly-once';
import { CallFailedError } from '../../lambda/shared/retry';
import { synthesizeAssembly } from '../../local/assembly';
import { envelope, inboundValue, newWamid } from '../../local/events';
import { LocalPipeline } from '../../local/pipeline';
import { FAULTS } from '../../local/socialmessaging-simulator';
import { deliveredEvent } from '../support/conversation-events';
import { lambdaContext } from '../support/lambda-context';
import { useLocalParts } from '../support/local-parts';
import { RecordingLogger } from '../support/recording-observability';

const KEYWORDS = { hours: 'We are open 9 to 5' };
const NOW = new Date('2026-12-01T10:05:00Z');

const parts = useLocalParts();

async function claimsTable(): Promise<string> {
  const tableName = `keyword-claims-${randomUUID()}`;
  await parts.dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists(
    { client: parts.dynamo, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 },
    { TableName: tableName },
  );
  return tableName;
}

async function reply(tableName?: string, sender?: Pick<WhatsAppSender, 'send'>) {
  const logger = new RecordingLogger();
  const table = tableName ?? (await claimsTable());
  const handler = createKeywordReplyHandler({
    effects: new EffectStore({
      client: parts.dynamo,
      tableName: table,
      retentionDays: 7,
      keySchema: 'pk',
      clock: () => NOW,
    }),
    sender:
      sender ??
      new WhatsAppSender({
        client: parts.messaging,
        metaApiVersion: 'v24.0',
        baseBackoffMs: 5,
        maxBackoffMs: 10,
      }),
    keywords: KEYWORDS,
    logger,
    clock: () => NOW,
  });
  return { handler, logger, table };
}

/** The Message Received event the pipeline publishes for a text, as the subscriber receives it. */
function received(body: string, overrides: Partial<MessageItem> = {}) {
  const wamid = newWamid();
  const item: MessageItem = {
    entity: 'message',
    wamid,
    direction: 'inbound',
    type: 'text',
    businessPhoneNumberId: '574086085794038',
    conversationKey: '574086085794038#14255550123',
    customerKey: '14255550123',
    customerPhone: '14255550123',
    sentAt: '2026-12-01T10:00:00.000Z',
    routing: 'routed',
    originationPhoneNumberId: 'phone-number-id-abcdef0123456789abcdef0123456789',
    content: { kind: 'text', body },
    receivedAt: '2026-12-01T10:00:01.000Z',
    expiresAt: 1_900_000_000,
    statusHistory: [],
    ...overrides,
  };
  return deliveredEvent(item);
}

const texts = () =>
  parts.simulator.sent.flatMap((r) => {
    const m = r.message as { type?: string; text?: { body: string } };
    return m.type === 'text' ? [m.text?.body] : [];
  });

describe('the keyword reply, exactly once', () => {
  test('a keyword within the service window gets the configured reply, quoting the message', async () => {
    const { handler } = await reply();
    const event = received('Hours?');
    expect(await handler(event, lambdaContext())).toBe('sent');
    expect(parts.simulator.sent.map((r) => r.message)).toEqual([
      expect.objectContaining({
        to: '14255550123',
        text: { body: KEYWORDS.hours },
        context: { message_id: event.detail.wamid },
      }),
    ]);
  });

  test('a redelivered event (same eventId, new EventBridge id) sends nothing more', async () => {
    const { handler } = await reply();
    const event = received('hours');
    await handler(event, lambdaContext());
    expect(await handler({ ...event, id: randomUUID() }, lambdaContext())).toBe('already-handled');
    expect(texts()).toEqual([KEYWORDS.hours]);
  });

  test('concurrent deliveries of one event send once', async () => {
    const { handler } = await reply();
    const event = received('hours');
    // The others find the reply in progress and fail, to be retried once it is settled.
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => handler(event, lambdaContext())));
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent');
    expect(sent).toHaveLength(1);
    for (const other of outcomes.filter((o) => o.status === 'rejected')) {
      expect(other.reason).toBeInstanceOf(EffectInProgressError);
    }
    await expect(handler(event, lambdaContext())).resolves.toBe('already-handled');
    expect(texts()).toEqual([KEYWORDS.hours]);
  });

  test('after an ambiguous failure the reply is recorded as unknown and never sent again', async () => {
    const { handler } = await reply();
    const event = received('hours');
    parts.simulator.failNext(1, FAULTS.internal);
    expect(await handler(event, lambdaContext())).toBe('unknown');
    expect(await handler(event, lambdaContext())).toBe('already-handled');
    // The one attempt the simulator saw (refused with a 5xx, which may have been applied), no second.
    expect(parts.simulator.requests.filter((r) => r.operation === 'SendWhatsAppMessage')).toHaveLength(1);
  });

  test('a throttled send is retried within the invocation, and sent once', async () => {
    const { handler } = await reply();
    parts.simulator.failNext(1, FAULTS.throttled);
    expect(await handler(received('hours'), lambdaContext())).toBe('sent');
    expect(texts()).toEqual([KEYWORDS.hours]);
  });

  test('a send refused before it was applied for the whole budget releases the claim, so a retry sends it once', async () => {
    const refusing = {
      send: async () => {
        // What the sender throws when throttling outlasts the budget: refused, so surely not delivered.
        throw new CallFailedError('transient', 'ThrottledRequestException', 4, false, {
          cause: new Error('Rate exceeded'),
        });
      },
    };
    const event = received('hours');
    const first = await reply(undefined, refusing);
    await expect(first.handler(event, lambdaContext())).rejects.toBeInstanceOf(ReplyDeferredError);
    const retry = await reply(first.table);
    expect(await retry.handler(event, lambdaContext())).toBe('sent');
    expect(texts()).toEqual([KEYWORDS.hours]);
  });

  test('a keyword written in a group is not answered: it is talk among the members', async () => {
    const { handler } = await reply();
    expect(await handler(received('hours', { groupId: 'Y2FwaV9ncm91cDox' }), lambdaContext())).toBe('group');
    expect(texts()).toEqual([]);
  });

  test('a permanent refusal is recorded as failed, not retried', async () => {
    const { handler } = await reply();
    const event = received('hours');
    parts.simulator.failNext(1, FAULTS.invalidParameters);
    expect(await handler(event, lambdaContext())).toBe('failed');
    expect(await handler(event, lambdaContext())).toBe('already-handled');
    expect(parts.simulator.requests).toHaveLength(1);
  });

  test.each([
    ['not a keyword', received('what are your hours?'), 'no-keyword'],
    [
      'outside the service window',
      received('hours', { sentAt: '2026-11-30T09:00:00.000Z' }),
      'window-closed',
    ],
    [
      'not routed',
      received('hours', { routing: 'unmatched', originationPhoneNumberId: undefined }),
      'unrouted',
    ],
  ])('%s: nothing is sent', async (_case, event, outcome) => {
    const { handler } = await reply();
    expect(await handler(event, lambdaContext())).toBe(outcome);
    expect(parts.simulator.requests).toEqual([]);
  });

  test('its logs hold no wamid, phone number or text', async () => {
    const { handler, logger } = await reply();
    await handler(received('hours'), lambdaContext());
    expect(logger.text()).not.toContain('14255550123');
    expect(logger.text()).not.toContain(KEYWORDS.hours);
  });
});

describe('the keyword reply in a stack, on the shipped bundles', () => {
  let pipeline: LocalPipeline;

  beforeAll(async () => {
    const assembly = synthesizeAssembly(
      join(__dirname, '..', '..', '.cache', 'test-example-assembly'),
      undefined,
      {
        keywordReply: { enabled: true, keywords: KEYWORDS },
      },
    );
    pipeline = await LocalPipeline.start({
      assembly,
      dynamoDbEndpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    });
  }, 120_000);
  afterAll(() => pipeline?.stop());

  test('a customer writing the keyword gets the read receipt, the reaction and the reply, once', async () => {
    const wamid = newWamid();
    const message = envelope([
      inboundValue(
        { phone: '14255550123', name: 'Jane' },
        { wamid, type: 'text', at: new Date(), payload: { body: 'Hours' } },
      ),
    ]);
    await pipeline.publish(message, 'sns-1');
    const first = await pipeline.settle();
    await pipeline.publish(message, 'sns-1');
    await pipeline.publish(message, 'sns-2');
    await pipeline.settle();
    const kinds = pipeline.simulator.sent.map((r) => {
      const m = r.message as { status?: string; type?: string; text?: { body: string } };
      return m.status === 'read' ? 'receipt' : m.type === 'text' ? `text: ${m.text?.body}` : m.type;
    });
    expect(kinds.sort()).toEqual(['reaction', 'receipt', `text: ${KEYWORDS.hours}`]);
    expect(first.deliveries).toEqual([
      expect.objectContaining({
        rule: expect.stringContaining('KeywordReply'),
        result: { ok: true, result: 'sent' },
      }),
    ]);
  });

  test('the rule delivers texts only: a photo does not reach the example', async () => {
    const message = envelope([
      inboundValue(
        { phone: '14255550123', name: 'Jane' },
        { wamid: newWamid(), type: 'image', at: new Date(), payload: { id: '123', mime_type: 'image/jpeg' } },
      ),
    ]);
    await pipeline.publish(message);
    const { published, deliveries } = await pipeline.settle();
    expect(published.map((e) => e['detail-type'])).toContain('Message Received');
    // Only the media archive takes it.
    expect(deliveries.map((d) => d.rule)).not.toContainEqual(expect.stringContaining('KeywordReply'));
    expect(deliveries.map((d) => d.rule)).toEqual([expect.stringContaining('/Media/')]);
  });
});
