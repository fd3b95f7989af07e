import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CONVERSATION_EVENT_TYPES, MEDIA_TYPES } from '../../contracts';
import { ConversationEventParseError, parseConversationEvent } from '../../events';
import { eventJsonSchemas } from '../../events/json-schema';
import type { MessageItem } from '../../lambda/adapters/items';
import { eventsOfChange, UnmappableChangeError } from '../../lambda/event-publisher/changes';
import { jsonObject } from '../support/content-arbitraries';
import { EVENT_SCHEMA_DIR, schemaProblems } from '../support/event-schemas';
import { anyItem, call, historyEntry, mediaArchive, message, send } from '../support/item-arbitraries';

const PIPELINE = 'WhatsAppPipeline';

/** The events of a change, or none when the arbitrary record cannot be mapped (counted, not published). */
function eventsOrNone(change: Parameters<typeof eventsOfChange>[0]) {
  try {
    return eventsOfChange(change, PIPELINE);
  } catch (error) {
    if (error instanceof UnmappableChangeError) return [];
    throw error;
  }
}

/** A message and a later version of it: more history, a new status, outcomes for its plan. */
const messageChange = fc
  .tuple(message, fc.array(historyEntry, { maxLength: 3 }), message)
  .map(([old, more, later]): { old: MessageItem; new: MessageItem } => ({
    old,
    new: {
      ...old,
      receivedAt: old.receivedAt ?? later.receivedAt,
      status: later.status ?? old.status,
      statusAt: later.statusAt ?? old.statusAt,
      autoResponse: later.autoResponse ?? old.autoResponse,
      mediaArchive: later.mediaArchive ?? old.mediaArchive,
      statusHistory: [...old.statusHistory, ...more],
    },
  }));

/** A media message whose archive gets recorded: rare among arbitrary changes, so made on purpose. */
const archiveChange = fc
  .tuple(message, fc.constantFrom(...MEDIA_TYPES), mediaArchive)
  .map(([m, mediaType, archive]): { old: MessageItem; new: MessageItem } => {
    const base: MessageItem = {
      ...m,
      businessPhoneNumberId: m.businessPhoneNumberId ?? '574086085794038',
      conversationKey: m.conversationKey ?? '574086085794038#14255550123',
      content: { kind: 'media', mediaType },
      mediaArchive: undefined,
    };
    return { old: base, new: { ...base, mediaArchive: archive } };
  });

/** A completed Flow received: rare among arbitrary changes, so made on purpose. */
const flowChange = fc
  .tuple(message, fc.option(fc.string(), { nil: undefined }), fc.option(jsonObject, { nil: undefined }))
  .map(([m, flowToken, response]): { new: MessageItem } => ({
    new: {
      ...m,
      direction: 'inbound',
      businessPhoneNumberId: m.businessPhoneNumberId ?? '574086085794038',
      conversationKey: m.conversationKey ?? '574086085794038#14255550123',
      customerKey: m.customerKey ?? '14255550123',
      receivedAt: m.receivedAt ?? '2026-12-01T00:00:00.000Z',
      content: { kind: 'interactive', replyType: 'nfm_reply', flowName: 'flow', flowToken, response },
      deletion: undefined,
    },
  }));

/** An echo of the WhatsApp Business app recorded: rare among arbitrary changes, so made on purpose. */
const echoChange = message.map((m): { new: MessageItem } => ({
  new: {
    ...m,
    direction: 'outbound',
    businessPhoneNumberId: m.businessPhoneNumberId ?? '574086085794038',
    conversationKey: m.conversationKey ?? '574086085794038#14255550123',
    customerKey: m.customerKey ?? '14255550123',
    sentFrom: 'business-app',
    echoedAt: m.echoedAt ?? '2026-12-01T00:00:00.000Z',
  },
}));

/** A customer's identity change received: rare among arbitrary changes, so made on purpose. */
const identityChange = fc
  .tuple(
    message,
    fc.constantFrom('user_changed_number', 'user_changed_user_id', 'customer_identity_changed'),
    fc.option(fc.stringMatching(/^[0-9]{11}$/), { nil: undefined }),
    fc.option(fc.stringMatching(/^US\.[0-9]{8}$/), { nil: undefined }),
  )
  .map(([m, systemType, newPhone, newUserId]): { new: MessageItem } => ({
    new: {
      ...m,
      direction: 'inbound',
      type: 'system',
      businessPhoneNumberId: m.businessPhoneNumberId ?? '574086085794038',
      conversationKey: m.conversationKey ?? '574086085794038#14255550123',
      customerKey: m.customerKey ?? '14255550123',
      receivedAt: m.receivedAt ?? '2026-12-01T00:00:00.000Z',
      content: { kind: 'system', systemType, newPhone, newUserId },
      deletion: undefined,
    },
  }));

/** A call whose end is recorded: both outcomes, on purpose. */
const callEnd = call.chain((c) =>
  fc.constantFrom('COMPLETED', 'FAILED').map((terminateStatus) => ({
    old: { ...c, terminatedAt: undefined },
    new: { ...c, terminatedAt: c.terminatedAt ?? '2026-12-01T00:00:00.000Z', terminateStatus },
  })),
);

/** A send the stall watch flags, and then clears: both states, on purpose. */
const stallChange = send.chain((s) => {
  const flagged = {
    ...s,
    businessPhoneNumberId: s.businessPhoneNumberId ?? '574086085794038',
    awsMessageId: s.awsMessageId ?? s.sendId,
    kind: s.kind ?? ('reaction' as const),
    stalledAt: s.stalledAt ?? '2026-12-01T00:10:00.000Z',
  };
  return fc.constantFrom(
    {
      old: { ...flagged, stalledAt: undefined, stallClearedAt: undefined },
      new: { ...flagged, stallClearedAt: undefined },
    },
    {
      old: { ...flagged, stallClearedAt: undefined },
      new: { ...flagged, stallClearedAt: flagged.stallClearedAt ?? '2026-12-01T00:12:00.000Z' },
    },
  );
});

/** Any committed change: a new item of any kind, a later version of a message, a media archive. */
const anyChange = fc.oneof(
  anyItem.map((item) => ({ new: item })),
  messageChange,
  archiveChange,
  flowChange,
  echoChange,
  callEnd,
  identityChange,
  stallChange,
);

describe('the JSON Schemas of docs/events', () => {
  test('are exactly the ones generated from events/schemas.ts (run npm run events:schemas)', () => {
    const committed = Object.fromEntries(
      readdirSync(EVENT_SCHEMA_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f, JSON.parse(readFileSync(join(EVENT_SCHEMA_DIR, f), 'utf8'))]),
    );
    expect(committed).toEqual(eventJsonSchemas());
  });

  test('there is one per detail-type', () => {
    expect(Object.keys(eventJsonSchemas())).toHaveLength(CONVERSATION_EVENT_TYPES.length);
  });

  test('mark the wamid and the customer as personal data', () => {
    const schema = eventJsonSchemas()['message-received.v1.json'];
    expect(schema).toMatchObject({
      properties: {
        wamid: { 'x-personal-data': true },
        customer: { properties: { phone: { 'x-personal-data': true } } },
      },
    });
  });

  test('reject a detail with a field the schema does not have, so a publisher change cannot slip past', () => {
    const [event] = eventsOfChange(
      {
        new: {
          entity: 'webhook-error',
          businessPhoneNumberId: '1',
          occurredAt: '2026-12-01T00:00:00.000Z',
          digest: '0123456789abcdef',
          wabaId: '2',
          snsMessageId: 's',
          code: '1',
          payload: '{}',
          recordedAt: '2026-12-01T00:00:00.000Z',
          expiresAt: 1,
        },
      },
      PIPELINE,
    );
    expect(schemaProblems('Webhook Error', { ...event?.detail, surprise: true })).not.toEqual([]);
    expect(schemaProblems('Webhook Error', event?.detail)).toEqual([]);
  });

  test('every event of any committed change of any item is valid against its schema', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(anyChange, (change) => {
        for (const event of eventsOrNone(change)) {
          seen.add(event.detailType);
          expect(schemaProblems(event.detailType, event.detail)).toEqual([]);
        }
      }),
      { numRuns: 1000 },
    );
    // The property saw every kind of event, not only changes that publish nothing.
    expect([...seen].sort()).toEqual([...CONVERSATION_EVENT_TYPES].sort());
  });

  test('every event of any change parses back to the same detail with the consumer helper', () => {
    fc.assert(
      fc.property(anyChange, (change) => {
        for (const event of eventsOrNone(change)) {
          const wire = JSON.parse(
            JSON.stringify({
              id: 'e',
              source: 'whatsapp-pipeline',
              'detail-type': event.detailType,
              detail: event.detail,
            }),
          );
          const parsed = parseConversationEvent(wire);
          expect(parsed.detailType).toBe(event.detailType);
          expect(parsed.detail).toEqual(wire.detail);
        }
      }),
    );
  });
});

describe('parseConversationEvent', () => {
  const received = {
    id: 'eb-1',
    source: 'whatsapp-pipeline',
    'detail-type': 'Message Received',
    time: '2026-12-01T10:00:00Z',
    detail: {
      schemaVersion: 1,
      eventId: 'x',
      pipeline: 'p',
      businessPhoneNumberId: '1',
      occurredAt: '2026-12-01T10:00:00.000Z',
      wamid: 'wamid.x',
      conversationKey: '1#2',
      customer: { key: '2' },
      type: 'text',
      content: { kind: 'text', body: 'hi' },
      routing: { kind: 'routed', originationPhoneNumberId: 'phone-number-id-a' },
    },
  };

  test('types the detail by its detail-type', () => {
    const event = parseConversationEvent(received);
    if (event.detailType !== 'Message Received') throw new Error('wrong type');
    expect(event.detail.content).toEqual({ kind: 'text', body: 'hi' });
    expect(event.id).toBe('eb-1');
  });

  test('drops fields a newer pipeline adds within the same schema version', () => {
    const event = parseConversationEvent({ ...received, detail: { ...received.detail, later: 1 } });
    expect(event.detail).not.toHaveProperty('later');
  });

  test('rejects an event of another source', () => {
    expect(() => parseConversationEvent({ ...received, source: 'aws.social-messaging' })).toThrow(
      ConversationEventParseError,
    );
  });

  test('rejects an unknown detail-type, naming it', () => {
    expect(() => parseConversationEvent({ ...received, 'detail-type': 'Message Teleported' })).toThrow(
      /Unknown conversation event detail-type "Message Teleported"/,
    );
  });

  test('rejects another schema version, naming both versions and the field', () => {
    expect(() =>
      parseConversationEvent({ ...received, detail: { ...received.detail, schemaVersion: 2 } }),
    ).toThrow(/schema version 2, this code reads 1\): schemaVersion/);
  });
});
