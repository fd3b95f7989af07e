/**
 * One customer across identifiers. Meta names a WhatsApp user by phone number, by business-scoped
 * user id (BSUID), or both, depending on the user and the year; and it reports when either
 * changes. Every identifier ever seen points at one customer key (an alias), so a customer first
 * seen by phone and later by BSUID, or the reverse, or across a change of number, stays one
 * conversation. This module decides; the IdentityStore reads and writes (docs/identity.md).
 */

import type { Customer, InboundMessage } from './model';

/** The identifiers a record names its customer by. */
export interface Identifiers {
  readonly phone?: string;
  readonly userId?: string;
}

/** What the table says about one identifier. */
export interface IdentifierLookup {
  /** The customer key its alias points at, if it has one. */
  readonly aliasOf?: string;
  /** When an identity change replaced it. */
  readonly supersededAt?: string;
  /** A conversation keyed by the identifier itself exists (stored before aliases existed). */
  readonly hasOwnConversation: boolean;
}

/** One identifier to point at the customer, and what its alias must point at now for the write to hold. */
export interface AliasLink {
  readonly identifier: string;
  readonly kind: 'phone' | 'user-id';
  /** The customer key the alias points at as read (absent: no alias), the write's condition. */
  readonly expected?: string;
}

/** How a record's identifiers resolve. */
export type Resolution =
  /** Nothing is known of any identifier: a new customer, keyed by its BSUID, else its phone number. */
  | { readonly kind: 'new'; readonly customerKey: string; readonly links: readonly AliasLink[] }
  /** One customer; `links` are identifiers still to point at it. */
  | { readonly kind: 'known'; readonly customerKey: string; readonly links: readonly AliasLink[] }
  /** Two customers turn out to be one person: the loser's conversation joins the winner's. */
  | { readonly kind: 'merge'; readonly winner: string; readonly loser: string };

/**
 * The customer key two conversations of one person merge under, whichever was found first, so any
 * order of discovery ends in the same conversation. Phone numbers (digits) sort before BSUIDs
 * (a country code's letters), so a conversation keyed by phone, as every one stored before BSUIDs
 * was, keeps its key.
 */
export function mergeWinner(a: string, b: string): string {
  return a < b ? a : b;
}

/**
 * Resolves a record's identifiers against what the table holds. The BSUID decides first: Meta
 * recycles phone numbers, not BSUIDs, so a replaced number seen with an unknown BSUID is a new
 * person who has that number now, not the customer who gave it up.
 *
 * @returns undefined when the record names no identifier at all
 */
export function resolveIdentifiers(
  ids: Identifiers,
  lookup: (identifier: string) => IdentifierLookup,
): Resolution | undefined {
  const present = identifierList(ids);
  if (present.length === 0) return undefined;
  const found = new Map(present.map((p) => [p.identifier, lookup(p.identifier)]));
  const candidate = (identifier: string | undefined) => {
    if (identifier === undefined) return undefined;
    const look = found.get(identifier);
    return look?.aliasOf ?? (look?.hasOwnConversation === true ? identifier : undefined);
  };
  const byUserId = candidate(ids.userId);
  const phoneLookup = ids.phone === undefined ? undefined : found.get(ids.phone);
  const recycled =
    ids.userId !== undefined && phoneLookup?.supersededAt !== undefined && byUserId === undefined;
  const byPhone = recycled ? undefined : candidate(ids.phone);
  if (byUserId !== undefined && byPhone !== undefined && byUserId !== byPhone) {
    const winner = mergeWinner(byUserId, byPhone);
    return { kind: 'merge', winner, loser: winner === byUserId ? byPhone : byUserId };
  }
  const known = byUserId ?? byPhone;
  const customerKey = known ?? ids.userId ?? ids.phone ?? '';
  const links = present
    .filter((p) => found.get(p.identifier)?.aliasOf !== customerKey)
    .map((p) => ({ ...p, expected: found.get(p.identifier)?.aliasOf }));
  return known === undefined ? { kind: 'new', customerKey, links } : { kind: 'known', customerKey, links };
}

/** The identifiers of a record, each with its kind. */
export function identifierList(ids: Identifiers): { identifier: string; kind: 'phone' | 'user-id' }[] {
  return [
    ...(ids.phone === undefined ? [] : [{ identifier: ids.phone, kind: 'phone' as const }]),
    ...(ids.userId === undefined ? [] : [{ identifier: ids.userId, kind: 'user-id' as const }]),
  ];
}

/** What a customer's conversation knows of their current identifiers. */
export interface CurrentIdentity {
  readonly phone?: string;
  readonly userId?: string;
  readonly parentUserId?: string;
}

/**
 * The customer as the pipeline answers them: under their customer key, with the identifiers the
 * record named unless an identity change replaced them, else the conversation's current ones. A
 * reply then never goes to a number the customer gave up.
 */
export function resolvedCustomer(
  customer: Customer,
  customerKey: string,
  superseded: ReadonlySet<string>,
  current: CurrentIdentity,
): Customer {
  const fresh = (value: string | undefined) =>
    value === undefined || superseded.has(value) ? undefined : value;
  return {
    ...customer,
    key: customerKey,
    phone: fresh(customer.phone) ?? fresh(current.phone),
    userId: fresh(customer.userId) ?? fresh(current.userId),
  };
}

/** The system messages that change who a customer is: their number, their BSUID, or their security code. */
export const IDENTITY_CHANGE_TYPES = [
  'user_changed_number',
  'user_changed_user_id',
  // Names of older Graph API versions.
  'customer_changed_number',
  'customer_identity_changed',
] as const;

/** What kind of identity change a system message reports. */
export type IdentityChangeKind = 'phone-number' | 'user-id' | 'security-code';

/** An identity change a customer's system message reports. */
export interface IdentityChange {
  readonly kind: IdentityChangeKind;
  /** The identifiers the customer had. */
  readonly previous: Identifiers;
  /** The identifiers they have now; absent where Meta did not say (a BSUID change keeps the number). */
  readonly next: Identifiers;
  readonly parentUserId?: string;
}

/**
 * The identity change a message reports, if it is one. A new number regenerates the BSUID (Meta's
 * changelog, August 2026), so the previous one is replaced when Meta names a new one.
 */
export function identityChangeOf(
  message: Pick<InboundMessage, 'content' | 'customer'>,
): IdentityChange | undefined {
  const { content, customer } = message;
  if (content.kind !== 'system') return undefined;
  switch (content.systemType) {
    case 'user_changed_number':
    case 'customer_changed_number':
      return {
        kind: 'phone-number',
        previous: { phone: customer.phone, userId: content.previousUserId ?? customer.userId },
        next: { phone: content.newPhone, userId: content.newUserId },
        parentUserId: content.parentUserId,
      };
    case 'user_changed_user_id':
      return {
        kind: 'user-id',
        previous: { phone: customer.phone, userId: content.previousUserId ?? customer.userId },
        next: { userId: content.newUserId },
        parentUserId: content.parentUserId,
      };
    case 'customer_identity_changed':
      return { kind: 'security-code', previous: {}, next: {} };
    default:
      return undefined;
  }
}

/** The identifiers an identity change replaces: a previous one Meta named a successor for. */
export function supersededBy(change: IdentityChange): string[] {
  const { previous, next } = change;
  return [
    ...(previous.phone !== undefined && next.phone !== undefined && next.phone !== previous.phone
      ? [previous.phone]
      : []),
    ...(previous.userId !== undefined && next.userId !== undefined && next.userId !== previous.userId
      ? [previous.userId]
      : []),
  ];
}
