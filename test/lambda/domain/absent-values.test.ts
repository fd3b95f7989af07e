import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { encodeEnvelope, FIXTURE_NAMES, fixtureEnvelope, snsEvent } from '../../fixtures';

/**
 * The keys that make a record what it is: only these may fail a notification when Meta sends them
 * `null`, `""` or not at all (event-facts.md; whatsapp-2026.md, "`null` for absent").
 */
const IDENTITY = new Set([
  // the entry and its changes
  'id',
  'changes',
  'field',
  'value',
  // a messages value: which business number
  'metadata',
  'phone_number_id',
  // a message and a status
  'timestamp',
  'type',
  'status',
  // an echo of the WhatsApp Business app: whom the person wrote to
  'to',
  // a webhook error
  'code',
  // account health: which template, number or account, and what happened
  'event',
  'message_template_id',
  'flow_id',
  'display_phone_number',
  'new_quality_score',
  'new_category',
  'current_limit',
  'decision',
  'ban_info',
  'waba_ban_state',
  'user_preferences',
  'category',
  'wa_id',
  'restriction_info',
  'waba_info',
  'phone_number',
  // an account alert: its type is what happened
  'alert_info',
  'alert_type',
]);

/**
 * Keys that are a record's identity only in changes of one field: a call's customer is its `from`
 * (or, for a status of a call the business placed, its `recipient_id`), where a message's is not.
 */
const IDENTITY_BY_FIELD: Readonly<Record<string, readonly string[]>> = {
  calls: ['from', 'recipient_id'],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a member of an object in `value`, with its key. */
function memberPaths(
  value: Json,
  path: (string | number)[] = [],
): { path: (string | number)[]; key: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => memberPaths(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [
    { path: [...path, key], key },
    ...memberPaths(v, [...path, key]),
  ]);
}

function withMember(
  root: Json,
  path: readonly (string | number)[],
  replacement: 'null' | 'empty' | 'removed',
): Json {
  const copy: Json = structuredClone(root);
  let node: Json = copy;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step] ?? null;
  const last = path[path.length - 1] ?? '';
  const parent = node as Record<string | number, Json>;
  if (replacement === 'removed') delete parent[last];
  else parent[last] = replacement === 'null' ? null : '';
  return copy;
}

const DECODABLE = FIXTURE_NAMES.filter((name) => !name.startsWith('bad-'));

describe('null, "" and a missing member mean absent: only a record\'s identity fails a notification', () => {
  test.each(DECODABLE)('%s', (name) => {
    const envelope = fixtureEnvelope(name);
    const entry = envelope.whatsAppWebhookEntry as Json;
    if (typeof entry !== 'object' || entry === null) return;
    expect(() => decodeSnsEvent(snsEvent(encodeEnvelope(envelope)))).not.toThrow();
    const failures: string[] = [];
    const changes = Reflect.get(entry as object, 'changes') as { field?: string }[] | undefined;
    for (const { path, key } of memberPaths(entry)) {
      if (IDENTITY.has(key)) continue;
      const field = path[0] === 'changes' ? changes?.[Number(path[1])]?.field : undefined;
      if (field !== undefined && IDENTITY_BY_FIELD[field]?.includes(key)) continue;
      for (const replacement of ['null', 'empty', 'removed'] as const) {
        const event = snsEvent(
          encodeEnvelope({ ...envelope, whatsAppWebhookEntry: withMember(entry, path, replacement) }),
        );
        try {
          decodeSnsEvent(event);
        } catch (error) {
          if (!(error instanceof EventDecodeError)) throw error;
          failures.push(`${path.join('.')} ${replacement}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('what absent members leave', () => {
  test('a text whose body is "" is kept as other content, with its payload as received', () => {
    const envelope = fixtureEnvelope('message-text');
    const entry = JSON.stringify(envelope.whatsAppWebhookEntry).replace(
      '"Hello! Is my order on its way?"',
      '""',
    );
    const [notification] = decodeSnsEvent(
      snsEvent(encodeEnvelope({ ...envelope, whatsAppWebhookEntry: JSON.parse(entry) })),
    );
    expect(notification?.messages[0]?.content).toEqual({ kind: 'other' });
    expect(notification?.messages[0]?.rawJson).toContain('"body":""');
  });

  test("a template change with reason null is recorded, and its payload keeps Meta's null", () => {
    const envelope = fixtureEnvelope('health-template-paused');
    const entry = structuredClone(envelope.whatsAppWebhookEntry) as {
      changes: { value: Record<string, unknown> }[];
    };
    const [change] = entry.changes;
    if (change !== undefined) change.value.reason = null;
    const [notification] = decodeSnsEvent(
      snsEvent(encodeEnvelope({ ...envelope, whatsAppWebhookEntry: entry })),
    );
    expect(notification?.health).toHaveLength(1);
    expect(notification?.health[0]?.payload).toContain('"reason":null');
  });

  test('a message whose from is null still gets its customer from the user id', () => {
    const envelope = fixtureEnvelope('message-username-user-empty-from');
    const entry = JSON.parse(
      JSON.stringify(envelope.whatsAppWebhookEntry).replace(/"from":"[^"]*"/, '"from":null'),
    );
    const [notification] = decodeSnsEvent(
      snsEvent(encodeEnvelope({ ...envelope, whatsAppWebhookEntry: entry })),
    );
    expect(notification?.messages[0]?.customer).toMatchObject({
      phone: undefined,
      userId: expect.any(String),
    });
  });
});
