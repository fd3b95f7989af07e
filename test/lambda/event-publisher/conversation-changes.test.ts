import type { MessageItem } from '../../../lambda/adapters/items';
import { toMessageStatus } from '../../../lambda/domain/model';
import type { MessageEdit } from '../../../lambda/domain/revisions';
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
    conversationKey: '574086085794038#16505551234',
    customerKey: '16505551234',
    customerPhone: '16505551234',
    sentAt: '2026-12-01T10:00:00.000Z',
    routing: 'routed',
    content: { kind: 'text', body: 'Helo' },
    receivedAt: '2026-12-01T10:00:01.000Z',
    expiresAt: 1_900_000_000,
    statusHistory: [],
    ...overrides,
  };
}

/** What an edit or a deletion creates when it arrives before the message. */
function placeholder(overrides: Partial<MessageItem> = {}): MessageItem {
  return inbound({
    type: undefined,
    sentAt: undefined,
    routing: undefined,
    content: undefined,
    receivedAt: undefined,
    ...overrides,
  });
}

const edit = (wamid: string, at: string, body: string): MessageEdit => ({
  wamid,
  at,
  editedType: 'text',
  body,
});
const first = edit('wamid.edit-1', '2026-12-01T10:01:00.000Z', 'Hello');
const second = edit('wamid.edit-2', '2026-12-01T10:02:00.000Z', 'Hello!');
const deletion = { wamid: 'wamid.revoke', at: '2026-12-01T10:03:00.000Z' };

const typesOf = (events: { detailType: string }[]) => events.map((e) => e.detailType);

describe('edits and deletions on the bus', () => {
  test('an edit is one Message Edited, with the new words and what the message says now', () => {
    const events = eventsOfChange({ old: inbound(), new: inbound({ edits: [first] }) }, PIPELINE);
    expect(typesOf(events)).toEqual(['Message Edited']);
    expect(events[0]?.detail).toMatchObject({
      wamid: WAMID,
      editWamid: 'wamid.edit-1',
      occurredAt: first.at,
      body: 'Hello',
      latest: true,
      content: { kind: 'text', body: 'Hello' },
    });
    for (const event of events) expectValidEvent(event);
  });

  test('an edit older than one recorded is published, as not the latest, and the content stays the newer', () => {
    const [event] = eventsOfChange(
      { old: inbound({ edits: [second] }), new: inbound({ edits: [first, second] }) },
      PIPELINE,
    );
    expect(event?.detail).toMatchObject({
      editWamid: 'wamid.edit-1',
      latest: false,
      content: { body: 'Hello!' },
    });
  });

  test('an edit that arrives before the message is published without content, and the message is then received as edited', () => {
    const [edited] = eventsOfChange({ new: placeholder({ edits: [first] }) }, PIPELINE);
    expect(edited?.detailType).toBe('Message Edited');
    // As the bus carries it: JSON, where an undefined member is absent.
    expect(JSON.parse(JSON.stringify(edited?.detail))).not.toHaveProperty('content');
    if (edited !== undefined) expectValidEvent(edited);

    const received = eventsOfChange(
      { old: placeholder({ edits: [first] }), new: inbound({ edits: [first] }) },
      PIPELINE,
    );
    expect(typesOf(received)).toEqual(['Message Received']);
    expect(received[0]?.detail).toMatchObject({ content: { kind: 'text', body: 'Hello' } });
  });

  test('a redelivered edit (the same record again) publishes nothing', () => {
    const item = inbound({ edits: [first] });
    expect(eventsOfChange({ old: item, new: item }, PIPELINE)).toEqual([]);
  });

  test('a deletion is one Message Deleted, with no words in it', () => {
    const events = eventsOfChange(
      { old: inbound({ edits: [first] }), new: inbound({ content: undefined, deletion }) },
      PIPELINE,
    );
    expect(typesOf(events)).toEqual(['Message Deleted']);
    expect(events[0]?.detail).toMatchObject({ wamid: WAMID, occurredAt: deletion.at });
    expect(JSON.stringify(events)).not.toMatch(/Hel+o/);
    for (const event of events) expectValidEvent(event);
  });

  test('a message deleted before it arrived is never published as received', () => {
    const old = placeholder({ deletion });
    expect(eventsOfChange({ old, new: inbound({ content: undefined, deletion }) }, PIPELINE)).toEqual([]);
  });

  test('each edit and the deletion have their own stable event ids', () => {
    const ids = [
      eventsOfChange({ new: placeholder({ edits: [first] }) }, PIPELINE),
      eventsOfChange({ new: placeholder({ edits: [second] }) }, PIPELINE),
      eventsOfChange({ new: placeholder({ deletion }) }, PIPELINE),
    ].map((events) => events[0]?.detail.eventId);
    expect(new Set(ids).size).toBe(3);
    expect(eventsOfChange({ new: placeholder({ edits: [first] }) }, PIPELINE)[0]?.detail.eventId).toBe(
      ids[0],
    );
  });

  test('a revision of a record without its conversation cannot be mapped', () => {
    expect(() =>
      eventsOfChange({ new: placeholder({ conversationKey: undefined, edits: [first] }) }, PIPELINE),
    ).toThrow(UnmappableChangeError);
  });
});

describe('a person’s reply from the WhatsApp Business app on the bus', () => {
  const echo = (overrides: Partial<MessageItem> = {}): MessageItem =>
    inbound({
      direction: 'outbound',
      receivedAt: undefined,
      routing: undefined,
      content: { kind: 'text', body: 'Hi, Sam here' },
      sentFrom: 'business-app',
      echoedAt: '2026-12-01T10:05:01.000Z',
      humanTakeoverUntil: '2026-12-01T10:35:00.000Z',
      ...overrides,
    });

  test('is one Human Replied, with what the person wrote and until when bots stay quiet', () => {
    const events = eventsOfChange({ new: echo() }, PIPELINE);
    expect(typesOf(events)).toEqual(['Human Replied']);
    expect(events[0]?.detail).toMatchObject({
      wamid: WAMID,
      content: { kind: 'text', body: 'Hi, Sam here' },
      humanTakeoverUntil: '2026-12-01T10:35:00.000Z',
    });
    for (const event of events) expectValidEvent(event);
  });

  test('its statuses later are status changes, never another Human Replied', () => {
    const old = echo();
    const next = echo({
      status: toMessageStatus('delivered'),
      statusAt: '2026-12-01T10:05:03.000Z',
      statusHistory: [{ status: toMessageStatus('delivered'), at: '2026-12-01T10:05:03.000Z' }],
    });
    expect(typesOf(eventsOfChange({ old, new: next }, PIPELINE))).toEqual(['Message Status Changed']);
  });

  test('an outbound message known only from its statuses is no Human Replied', () => {
    const known = echo({ sentFrom: undefined, echoedAt: undefined, humanTakeoverUntil: undefined });
    expect(typesOf(eventsOfChange({ new: known }, PIPELINE))).toEqual([]);
  });
});

describe('a message of the app’s chat history on the bus', () => {
  test('publishes nothing: it is no received message, and nothing answers it', () => {
    const imported = inbound({
      receivedAt: undefined,
      autoResponse: undefined,
      imported: { at: '2026-12-01T10:00:00.000Z', phase: 1, chunkOrder: 2, status: 'read' },
    });
    expect(eventsOfChange({ new: imported }, PIPELINE)).toEqual([]);
  });
});
