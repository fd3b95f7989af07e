/**
 * Every customer a notification names, resolved to their one conversation before anything is
 * recorded: messages, echoes, history, calls, statuses and marketing preferences alike, so that
 * whichever identifier Meta sends, the record joins the same conversation (docs/identity.md).
 */
import type { IdentityStore } from '../adapters/identity-store';
import { isSubjectChange } from '../domain/account-health';
import type { Customer, DecodedNotification, Source } from '../domain/model';

/** What resolving needs: the IdentityStore's resolve. */
export type CustomerResolver = Pick<IdentityStore, 'resolve'>;

/**
 * The notification with each customer under their customer key and current identifiers. The same
 * customer named twice is resolved once; a group is not a customer (its key is its own), and a
 * record naming no identifier keeps what the decoder gave it.
 */
export async function resolveCustomers(
  notification: DecodedNotification,
  resolver: CustomerResolver,
): Promise<DecodedNotification> {
  const cache = new Map<string, Promise<Customer>>();
  const resolve = (businessPhoneNumberId: string, customer: Customer): Promise<Customer> => {
    const id = `${businessPhoneNumberId}\u0000${customer.phone ?? ''}\u0000${customer.userId ?? ''}`;
    let pending = cache.get(id);
    if (pending === undefined) {
      pending = resolver.resolve(businessPhoneNumberId, customer);
      cache.set(id, pending);
    }
    // Each record keeps its own profile name and username; only the key and identifiers are shared.
    return pending.then((resolved) => ({
      ...customer,
      key: resolved.key,
      phone: resolved.phone,
      userId: resolved.userId,
    }));
  };
  // Messages, echoes, history and calls all name their customer the same way.
  const rekeyed = <T extends { readonly source: Source; readonly customer: Customer }>(
    records: readonly T[],
  ) =>
    Promise.all(
      records.map(async (r) => ({
        ...r,
        customer: await resolve(r.source.businessPhoneNumberId, r.customer),
      })),
    );
  const [messages, echoes, history, calls, statuses, health] = await Promise.all([
    rekeyed(notification.messages),
    rekeyed(notification.echoes),
    rekeyed(notification.history),
    rekeyed(notification.calls),
    Promise.all(
      notification.statuses.map(async (s) =>
        s.recipient === undefined
          ? s
          : { ...s, recipient: await resolve(s.source.businessPhoneNumberId, s.recipient) },
      ),
    ),
    Promise.all(
      notification.health.map(async (change) =>
        isSubjectChange(change)
          ? change
          : { ...change, customer: await resolve(change.businessPhoneNumberId, change.customer) },
      ),
    ),
  ]);
  return { ...notification, messages, echoes, history, calls, statuses, health };
}
