import type {
  ConversationItem,
  DeliveryFailure,
  MessageItem,
  OrphanFailureItem,
  WebhookErrorItem,
} from '../../../lambda/adapters/items';
import { toMessageStatus } from '../../../lambda/domain/model';
import { eventsOfChange, UnmappableChangeError } from '../../../lambda/event-publisher/changes';
import { expectValidEvent } from '../../support/event-schemas';

const PIPELINE = 'WhatsAppPipeline';
const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRCRDcwNzgzMTRGNjAwRjg1NQA=';

function inbound(overrides: Partial<MessageItem> = {}): MessageItem {
  return {
    entity: 'message',
    wamid: WAMID,
    direction: 'inbound',
    type: 'text',
    businessPhoneNumberId: '574086085794038',
    displayPhoneNumber: '15815555555',
    wabaId: '1163793972139053',
    conversationKey: '574086085794038#16505551234',
    conversationSort: `2026-12-01T10:00:00.000Z#${WAMID}`,
    customerKey: '16505551234',
    customerPhone: '16505551234',
    timestamp: 1_796_119_200,
    sentAt: '2026-12-01T10:00:00.000Z',
    routing: 'routed',
    originationPhoneNumberId: 'phone-number-id-abc',
    content: { kind: 'text', body: 'Hello' },
    receivedAt: '2026-12-01T10:00:01.000Z',
    expiresAt: 1_900_000_000,
    autoResponse: { receipt: { state: 'pending' }, reaction: { state: 'pending', emoji: '👍' } },
    statusHistory: [],
    ...overrides,
  };
}

/** A message whose sent reaction gets `delivery` recorded: the item before and after. */
function reactionDelivery(delivery: DeliveryFailure): { old: MessageItem; next: MessageItem } {
  const reaction = {
    state: 'sent' as const,
    messageId: 'aws-1',
    at: '2026-12-01T10:00:02.000Z',
    attempts: 1,
  };
  const receipt = { state: 'skipped' as const, reason: 'type' };
  return {
    old: inbound({ autoResponse: { receipt, reaction } }),
    next: inbound({ autoResponse: { receipt, reaction: { ...reaction, delivery } } }),
  };
}

function outbound(overrides: Partial<MessageItem> = {}): MessageItem {
  return {
    entity: 'message',
    wamid: WAMID,
    direction: 'outbound',
    businessPhoneNumberId: '574086085794038',
    conversationKey: '574086085794038#16505551234',
    customerKey: '16505551234',
    customerPhone: '16505551234',
    expiresAt: 1_900_000_000,
    statusHistory: [],
    ...overrides,
  };
}

const sent = { status: toMessageStatus('sent'), at: '2026-12-01T10:00:00.000Z' };
const delivered = {
  status: toMessageStatus('delivered'),
  at: '2026-12-01T10:00:05.000Z',
  pricing: { category: 'utility', pricingModel: 'PMP' },
};
const failed = {
  status: toMessageStatus('failed'),
  at: '2026-12-01T10:00:03.000Z',
  errors: [{ code: '131026', title: 'Message undeliverable' }],
};

const typesOf = (events: { detailType: string }[]) => events.map((e) => e.detailType);

describe('eventsOfChange', () => {
  test('a newly recorded inbound message is one Message Received, with its content, routing and plan', () => {
    const events = eventsOfChange({ new: inbound() }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Received']);
    expect(events[0]?.detail).toMatchObject({
      schemaVersion: 1,
      pipeline: PIPELINE,
      businessPhoneNumberId: '574086085794038',
      occurredAt: '2026-12-01T10:00:00.000Z',
      wamid: WAMID,
      customer: { key: '16505551234', phone: '16505551234' },
      content: { kind: 'text', body: 'Hello' },
      routing: { kind: 'routed', originationPhoneNumberId: 'phone-number-id-abc' },
      autoResponse: { receipt: { state: 'pending' }, reaction: { state: 'pending' } },
    });
    for (const event of events) expectValidEvent(event);
  });

  test('a message written in a group carries its group, and is valid against the schema', () => {
    const group = 'Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=';
    const [event] = eventsOfChange(
      { new: inbound({ groupId: group, conversationKey: `574086085794038#GROUP#${group}` }) },
      PIPELINE,
    );
    expect(event?.detail).toMatchObject({ groupId: group, customer: { phone: '16505551234' } });
    if (event !== undefined) expectValidEvent(event);
  });

  test("a completed Flow is Message Received and Flow Completed, with the Flow's token and answers as data", () => {
    const content = {
      kind: 'interactive' as const,
      replyType: 'nfm_reply',
      flowName: 'flow',
      flowToken: 'order-42',
      response: { flow_token: 'order-42', rating: 5 },
    };
    const events = eventsOfChange({ new: inbound({ content, replyTo: 'wamid.flow-sent' }) }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Received', 'Flow Completed']);
    expect(events[1]?.detail).toMatchObject({
      wamid: WAMID,
      flowToken: 'order-42',
      response: { flow_token: 'order-42', rating: 5 },
      replyTo: 'wamid.flow-sent',
    });
    for (const event of events) expectValidEvent(event);
  });

  test('an address form (an nfm_reply that is not a Flow) is received, and no Flow Completed', () => {
    const content = { kind: 'interactive' as const, replyType: 'nfm_reply', flowName: 'address_message' };
    expect(typesOf(eventsOfChange({ new: inbound({ content }) }, PIPELINE))).toEqual(['Message Received']);
  });

  test('an inbound message that was recorded before publishes no new Message Received', () => {
    const old = inbound();
    expect(eventsOfChange({ old, new: inbound({ snsMessageId: 'another' }) }, PIPELINE)).toEqual([]);
  });

  test('a message first created by a status and then received is received then', () => {
    const old = inbound({ receivedAt: undefined, statusHistory: [] });
    expect(typesOf(eventsOfChange({ old, new: inbound() }, PIPELINE))).toEqual(['Message Received']);
  });

  test('a change of the current status is one Message Status Changed with the previous status and pricing', () => {
    const old = outbound({ status: sent.status, statusAt: sent.at, statusHistory: [sent] });
    const next = outbound({
      status: delivered.status,
      statusAt: delivered.at,
      statusHistory: [sent, delivered],
    });
    const events = eventsOfChange({ old, new: next }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Status Changed']);
    expect(events[0]?.detail).toMatchObject({
      previousStatus: 'sent',
      status: 'delivered',
      occurredAt: delivered.at,
      pricing: { category: 'utility' },
      recipient: { key: '16505551234' },
    });
    for (const event of events) expectValidEvent(event);
  });

  test('the first status has no previous status', () => {
    const next = outbound({ status: sent.status, statusAt: sent.at, statusHistory: [sent] });
    const [event] = eventsOfChange({ new: next }, PIPELINE);
    expect(event?.detail).not.toHaveProperty('previousStatus', expect.anything());
  });

  test('a late status that leaves the current status as it was publishes nothing', () => {
    const old = outbound({ status: delivered.status, statusAt: delivered.at, statusHistory: [delivered] });
    const next = outbound({
      status: delivered.status,
      statusAt: delivered.at,
      statusHistory: [delivered, sent],
    });
    expect(eventsOfChange({ old, new: next }, PIPELINE)).toEqual([]);
  });

  test('a failed status is a Message Failed of origin status, with its errors, even when it is not current', () => {
    const old = outbound({ status: delivered.status, statusAt: delivered.at, statusHistory: [delivered] });
    const next = outbound({
      status: delivered.status,
      statusAt: delivered.at,
      statusHistory: [delivered, failed],
    });
    const events = eventsOfChange({ old, new: next }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Failed']);
    expect(events[0]?.detail).toMatchObject({
      origin: 'status',
      matched: true,
      status: 'failed',
      occurredAt: failed.at,
      errors: [{ code: '131026' }],
    });
    for (const event of events) expectValidEvent(event);
  });

  test('a failed status that becomes current is both a failure and a status change', () => {
    const old = outbound({ status: sent.status, statusAt: sent.at, statusHistory: [sent] });
    const next = outbound({ status: failed.status, statusAt: failed.at, statusHistory: [sent, failed] });
    expect(typesOf(eventsOfChange({ old, new: next }, PIPELINE))).toEqual([
      'Message Failed',
      'Message Status Changed',
    ]);
  });

  test('a delivery failure recorded on an auto-response is a Message Failed of that action', () => {
    const { old, next } = reactionDelivery({
      status: 'failed',
      detailType: 'WhatsApp Message Failed',
      awsMessageId: 'aws-1',
      errors: [{ code: '131047' }],
      eventId: 'eb-1',
      occurredAt: '2026-12-01T10:00:09.000Z',
      recordedAt: '2026-12-01T10:00:10.000Z',
    });
    const events = eventsOfChange({ old, new: next }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Failed']);
    expect(events[0]?.detail).toMatchObject({
      origin: 'delivery-event',
      action: 'reaction',
      awsMessageId: 'aws-1',
      occurredAt: '2026-12-01T10:00:09.000Z',
    });
    for (const event of events) expectValidEvent(event);
  });

  test('a send that could not be handed to Meta is one Message Failed with origin handover', () => {
    const { old, next } = reactionDelivery({
      status: 'handover_failed',
      detailType: 'WhatsApp Message Handover Failed',
      awsMessageId: 'aws-1',
      errors: [],
      eventId: 'eb-2',
      occurredAt: '2026-12-01T10:00:09.000Z',
      recordedAt: '2026-12-01T10:00:10.000Z',
    });
    const events = eventsOfChange({ old, new: next }, PIPELINE);
    expect(events.map((e) => e.detail)).toEqual([
      expect.objectContaining({ origin: 'handover', status: 'handover_failed', action: 'reaction' }),
    ]);
    for (const event of events) expectValidEvent(event);
  });

  test('the auto-response reaching its outcome is one Auto Response Completed', () => {
    const old = inbound();
    const at = '2026-12-01T10:00:02.000Z';
    const next = inbound({
      autoResponse: {
        receipt: { state: 'sent', messageId: 'aws-r', at, attempts: 1 },
        reaction: { state: 'unknown', error: { name: 'TimeoutError', message: 'timed out' }, at },
      },
    });
    const events = eventsOfChange({ old, new: next }, PIPELINE);
    expect(typesOf(events)).toEqual(['Auto Response Completed']);
    expect(events[0]?.detail).toMatchObject({
      occurredAt: at,
      receipt: { state: 'sent', messageId: 'aws-r' },
      reaction: { state: 'unknown', errorName: 'TimeoutError' },
    });
    for (const event of events) expectValidEvent(event);
    expect(eventsOfChange({ old: next, new: next }, PIPELINE)).toEqual([]);
  });

  test('an auto-response with one action still pending is not completed', () => {
    const next = inbound({
      autoResponse: {
        receipt: { state: 'sent', messageId: 'aws-r', at: '2026-12-01T10:00:02.000Z', attempts: 1 },
        reaction: { state: 'pending', emoji: '👍' },
      },
    });
    expect(eventsOfChange({ old: inbound(), new: next }, PIPELINE)).toEqual([]);
  });

  test('a media archive that is recorded is one Media Archived, with where the object is', () => {
    const media = inbound({
      type: 'image',
      content: { kind: 'media', mediaType: 'image', mediaId: '1', mimeType: 'image/jpeg' },
    });
    const archived = inbound({
      ...media,
      mediaArchive: {
        state: 'archived',
        bucket: 'b',
        keyPrefix: 'media/574086085794038/2026/12/01/abc/',
        mimeType: 'image/jpeg',
        fileSizeKb: 84,
        archivedAt: '2026-12-01T10:00:09.000Z',
        attempts: 1,
      },
    });
    const events = eventsOfChange({ old: media, new: archived }, PIPELINE);
    expect(typesOf(events)).toEqual(['Media Archived']);
    expect(events[0]?.detail).toMatchObject({
      mediaType: 'image',
      bucket: 'b',
      fileSizeKb: 84,
      occurredAt: '2026-12-01T10:00:09.000Z',
    });
    for (const event of events) expectValidEvent(event);
    expect(eventsOfChange({ old: archived, new: archived }, PIPELINE)).toEqual([]);
  });

  test('a new webhook error is one Webhook Error; its redelivery (an overwrite) is none', () => {
    const error: WebhookErrorItem = {
      entity: 'webhook-error',
      businessPhoneNumberId: '574086085794038',
      occurredAt: '2026-12-01T10:00:00.000Z',
      digest: '0123456789abcdef',
      wabaId: '1163793972139053',
      snsMessageId: 'sns-1',
      code: '131042',
      title: 'Business eligibility payment issue',
      payload: '{}',
      recordedAt: '2026-12-01T10:00:01.000Z',
      expiresAt: 1_900_000_000,
    };
    const events = eventsOfChange({ new: error }, PIPELINE);
    expect(typesOf(events)).toEqual(['Webhook Error']);
    expect(events[0]?.detail).toMatchObject({ code: '131042', wabaId: '1163793972139053' });
    for (const event of events) expectValidEvent(event);
    expect(eventsOfChange({ old: error, new: { ...error, recordedAt: 'later' } }, PIPELINE)).toEqual([]);
  });

  test('a failure that matched no message is a Message Failed, unmatched, with the reason', () => {
    const orphan: OrphanFailureItem = {
      entity: 'orphan-failure',
      reason: 'unknown-message-id',
      failure: {
        status: 'failed',
        detailType: 'WhatsApp Message Failed',
        awsMessageId: 'aws-x',
        errors: [{ code: '131026' }],
        eventId: 'eb-x',
        recordedAt: '2026-12-01T10:00:10.000Z',
      },
      payload: '{}',
      expiresAt: 1_900_000_000,
    };
    const events = eventsOfChange({ new: orphan }, PIPELINE);
    expect(events.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        matched: false,
        unmatchedReason: 'unknown-message-id',
        awsMessageId: 'aws-x',
      }),
    ]);
    for (const event of events) expectValidEvent(event);
  });

  test('a conversation update publishes nothing', () => {
    const conversation: ConversationItem = {
      entity: 'conversation',
      conversationKey: '574086085794038#16505551234',
      businessPhoneNumberId: '574086085794038',
      customerKey: '16505551234',
      inboundCount: 3,
      expiresAt: 1_900_000_000,
    };
    expect(eventsOfChange({ new: conversation }, PIPELINE)).toEqual([]);
  });

  test('the same change always gets the same event id, and another change another id', () => {
    const first = eventsOfChange({ new: inbound() }, PIPELINE)[0]?.detail.eventId;
    const again = eventsOfChange({ new: inbound({ snsMessageId: 'redelivered' }) }, PIPELINE)[0]?.detail
      .eventId;
    const other = eventsOfChange({ new: inbound({ wamid: `${WAMID}x` }) }, PIPELINE)[0]?.detail.eventId;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  test('the event id reveals no part of the wamid', () => {
    const [event] = eventsOfChange({ new: inbound() }, PIPELINE);
    expect(WAMID).not.toContain(event?.detail.eventId.slice(0, 8));
  });

  test('a message record without its business number cannot be mapped', () => {
    expect(() => eventsOfChange({ new: inbound({ businessPhoneNumberId: undefined }) }, PIPELINE)).toThrow(
      UnmappableChangeError,
    );
  });
});
