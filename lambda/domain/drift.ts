/**
 * Contract drift: what Meta sends that this code does not know yet (a webhook field, a message
 * type, a status, an event), reduced to its skeleton so someone can add it. A skeleton keeps the
 * keys, the types of the values and the words that name a kind of thing (`type`, `status`,
 * `event`, `field`), never a value: it holds no personal data and can be shared as it is.
 */

/** What drifted. */
export type DriftKind = 'field' | 'message-type' | 'status' | 'health-event' | 'call-event';

/** A value's skeleton: its type's name at a leaf, the skeletons of members and elements above. */
export type Skeleton = string | Skeleton[] | { [key: string]: Skeleton };

/** One unknown shape, as a notification showed it. */
export interface DriftSample {
  readonly kind: DriftKind;
  /** The unknown name: the field, type, status or event (`<field>:<event>` for health). */
  readonly name: string;
  readonly shape: Skeleton;
}

/** Keys whose value names a kind of thing rather than saying something: kept when it is a word. */
const NAMING_KEYS = new Set(['type', 'status', 'event', 'field', 'messaging_product']);
/** A word: letters and underscores, no digits, so never a number or an id. */
const WORD = /^[A-Za-z_]{1,40}$/;
/** Deeper than this is cut: a skeleton is for reading. */
const MAX_DEPTH = 8;
/** Members or elements beyond this many are summarised. */
const MAX_MEMBERS = 40;

/**
 * The skeleton of a value. Arrays keep the distinct skeletons of their elements; a key that could
 * itself be data (seven or more digits, an `@`, a `wamid.`) is replaced by `<key>`.
 */
export function skeletonOf(value: unknown, depth = 0, key?: string): Skeleton {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return key !== undefined && NAMING_KEYS.has(key) && WORD.test(value) ? `"${value}"` : 'string';
  }
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const seen = new Map<string, Skeleton>();
    for (const element of value.slice(0, MAX_MEMBERS)) {
      const skeleton = skeletonOf(element, depth + 1);
      seen.set(JSON.stringify(skeleton), skeleton);
    }
    return [...seen.values()];
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).slice(0, MAX_MEMBERS);
    return Object.fromEntries(entries.map(([k, v]) => [safeKey(k), skeletonOf(v, depth + 1, k)]));
  }
  return typeof value;
}

function safeKey(key: string): string {
  return /\d{7,}|@|wamid\./i.test(key) ? '<key>' : key;
}
