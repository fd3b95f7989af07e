import fc from 'fast-check';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { encodeEnvelope, FIXTURE_NAMES, fixtureEnvelope, snsEvent } from '../../fixtures';

/** Runs the decoder and reports how it ended; anything but success or EventDecodeError is a defect. */
function outcome(event: unknown): 'decoded' | 'rejected' {
  try {
    decodeSnsEvent(event);
    return 'decoded';
  } catch (error) {
    if (error instanceof EventDecodeError) return 'rejected';
    throw error;
  }
}

const PHONE_ID = '574086085794038';
const CONTEXT = {
  MetaPhoneNumberIds: [
    {
      metaPhoneNumberId: PHONE_ID,
      arn: 'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/abcdef0123456789abcdef0123456789',
    },
  ],
};

const wamid = fc.stringMatching(/^wamid\.[A-Za-z0-9+/=]{8,40}$/);
const unixSeconds = fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }).map(String);
/** Any Unicode text up to WhatsApp's 4096 characters: RTL, ZWJ sequences, flags, astral planes. */
// WhatsApp delivers no empty text, and Meta's "" means absent (whatsapp-2026.md): the empty body is
// its own case below.
const body = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4096 });
const textMessage = fc.record({
  from: fc.stringMatching(/^[1-9]\d{7,14}$/),
  id: wamid,
  timestamp: unixSeconds,
  type: fc.constant('text'),
  text: fc.record({ body }),
});
const anyTypeMessage = fc.record({
  from: fc.stringMatching(/^[1-9]\d{7,14}$/),
  id: wamid,
  timestamp: unixSeconds,
  type: fc.stringMatching(/^[a-z_]{1,20}$/),
  payload: fc.jsonValue(),
});
const status = fc.record({
  id: wamid,
  status: fc.constantFrom('sent', 'delivered', 'read', 'played', 'failed', 'deleted', 'warning'),
  timestamp: unixSeconds,
  recipient_id: fc.stringMatching(/^[1-9]\d{7,14}$/),
});

function envelopeOf(changes: unknown[]): string {
  return encodeEnvelope({ context: CONTEXT, whatsAppWebhookEntry: { id: '1163793972139053', changes } });
}

function messagesChange(messages: unknown[], statuses: unknown[]) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15815555555', phone_number_id: PHONE_ID },
      messages,
      statuses,
    },
  };
}

describe('decoder properties', () => {
  test('any JSON value as the event is decoded or rejected with an EventDecodeError, never an untyped error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        outcome(event);
      }),
      { numRuns: 500 },
    );
  });

  test('any string as the SNS message is decoded or rejected with an EventDecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (message) => {
        outcome(snsEvent(message));
      }),
      { numRuns: 500 },
    );
  });

  test('any JSON value as the entry is decoded or rejected with an EventDecodeError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (entry) => {
        outcome(snsEvent(JSON.stringify({ context: CONTEXT, whatsAppWebhookEntry: JSON.stringify(entry) })));
      }),
      { numRuns: 500 },
    );
  });

  test('any fixture with any one value replaced anywhere is decoded or rejected with an EventDecodeError', () => {
    const fixtures = FIXTURE_NAMES.filter((n) => !n.startsWith('bad-'));
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.nat(), fc.jsonValue(), (name, position, replacement) => {
        const envelope = fixtureEnvelope(name);
        replaceNth(envelope, position, replacement);
        outcome(snsEvent(encodeEnvelope(envelope)));
      }),
      { numRuns: 1000 },
    );
  });

  test('every message and status of every change is decoded, in order, with its identity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(anyTypeMessage, { maxLength: 5 }), fc.array(status, { maxLength: 5 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (changes) => {
          const event = snsEvent(envelopeOf(changes.map(([m, s]) => messagesChange(m, s))));
          const [decoded] = decodeSnsEvent(event);
          expect(decoded?.messages.map((m) => [m.wamid, m.type, m.timestamp])).toEqual(
            changes.flatMap(([m]) => m.map((x) => [x.id, x.type, Number(x.timestamp)])),
          );
          expect(decoded?.statuses.map((s) => [s.wamid, s.status])).toEqual(
            changes.flatMap(([, s]) => s.map((x) => [x.id, x.status])),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('text of any Unicode content up to 4096 characters comes out exactly as it went in', () => {
    fc.assert(
      fc.property(textMessage, (message) => {
        const [decoded] = decodeSnsEvent(snsEvent(envelopeOf([messagesChange([message], [])])));
        expect(decoded?.messages[0]?.content).toEqual({ kind: 'text', body: message.text.body });
      }),
      { numRuns: 300 },
    );
  });

  test('an entry given as an object decodes exactly like the same entry as a string', () => {
    fc.assert(
      fc.property(fc.array(textMessage, { minLength: 1, maxLength: 3 }), (messages) => {
        const entry = { id: '1163793972139053', changes: [messagesChange(messages, [])] };
        const asString = decodeSnsEvent(
          snsEvent(JSON.stringify({ context: CONTEXT, whatsAppWebhookEntry: JSON.stringify(entry) })),
        );
        const asObject = decodeSnsEvent(
          snsEvent(JSON.stringify({ context: CONTEXT, whatsAppWebhookEntry: entry })),
        );
        expect(asObject).toEqual(asString);
      }),
      { numRuns: 100 },
    );
  });
});

/** Replaces the value at the n-th (mod count) node of a JSON tree, depth first. */
function replaceNth(root: Record<string, unknown>, n: number, replacement: unknown): void {
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push([node, i]);
        visit(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, key]);
        visit(child);
      }
    }
  };
  visit(root);
  const slot = slots[n % slots.length];
  if (slot === undefined) return;
  const [parent, key] = slot;
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = replacement;
  else if (!Array.isArray(parent) && typeof key === 'string') parent[key] = replacement;
}
