/**
 * Delivery-status precedence. Meta's status webhooks are not ordered (`read` can come before
 * `delivered`, and `delivered` is skipped when both happen at once), so the current status is the
 * highest-ranked status seen, not the last to arrive: it cannot regress, whatever the order.
 */
import { isKnownStatus, type KnownStatus, type MessageStatus } from './model';

/**
 * Rank of each documented status. `failed` outranks `sent` but not `delivered`: on multi-device
 * accounts a `failed` can follow a `delivered`, and the customer did get the message. `deleted`
 * (a customer deleted their inbound message) ranks with unknown statuses.
 */
export const STATUS_RANK: Readonly<Record<KnownStatus, number>> = {
  deleted: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

/** The rank of any status; 0 for `deleted` and unknown ones, which count only when nothing known was seen. */
export function statusRank(status: string): number {
  return isKnownStatus(status) ? STATUS_RANK[status] : 0;
}

/**
 * Whether `candidate` replaces `current` as the current status: a higher rank wins; between
 * statuses of rank 0, the alphabetically first (so the answer does not depend on arrival order).
 */
export function supersedes(candidate: string, current: string | undefined): boolean {
  if (current === undefined) return true;
  const [a, b] = [statusRank(candidate), statusRank(current)];
  return a > b || (a === 0 && b === 0 && candidate < current);
}

/**
 * The current status of a message given every status seen for it (see {@link supersedes}).
 * Returns `undefined` for an empty set.
 */
export function currentStatus(seen: Iterable<string>): MessageStatus | undefined {
  let best: string | undefined;
  for (const status of seen) if (supersedes(status, best)) best = status;
  return best as MessageStatus | undefined;
}
