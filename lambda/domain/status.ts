/**
 * Delivery-status ordering. Meta's status webhooks are not ordered (`read` can come before
 * `delivered`, and `delivered` is skipped when both happen at once), so the current status is
 * computed from the set of statuses seen rather than from the last one to arrive. That makes it
 * impossible to regress, whatever the order, and lets the store record a status with one blind write.
 */

/**
 * Rank of each known status. `failed` outranks `sent` but not `delivered`: on multi-device accounts
 * a `failed` can follow a `delivered`, and the customer did get the message.
 */
export const STATUS_RANK: Readonly<Record<string, number>> = {
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

/**
 * The current status of a message given every status seen for it: the highest-ranked known status;
 * with no known status, the alphabetically first unknown one (so the answer is deterministic).
 * Returns `undefined` for an empty set.
 */
export function currentStatus(seen: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestRank = 0;
  const unknown: string[] = [];
  for (const status of seen) {
    const rank = STATUS_RANK[status];
    if (rank === undefined) {
      unknown.push(status);
    } else if (rank > bestRank) {
      best = status;
      bestRank = rank;
    }
  }
  return best ?? unknown.sort()[0];
}
