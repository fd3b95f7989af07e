/** The customer-alias item: one identifier of a customer, and the customer it belongs to. */
import * as z from 'zod/mini';
import { customerAliasKey, ENTITY, type TableKey } from '../../../contracts';
import { count, optionalText, text } from './common';

/** Which kind of identifier an alias is: a phone number (`wa_id`) or a business-scoped user id. */
export type IdentifierKind = 'phone' | 'user-id';

/**
 * One identifier of a customer on one business number, pointing at the customer key of their
 * conversation. Every identifier Meta has sent for the customer has one, so whichever Meta sends
 * next finds the same conversation.
 */
export interface CustomerAliasItem {
  readonly entity: typeof ENTITY.customerAlias;
  readonly businessPhoneNumberId: string;
  readonly identifier: string;
  readonly identifierKind: IdentifierKind;
  /** The customer key of the conversation this identifier belongs to. */
  readonly customerKey: string;
  readonly conversationKey: string;
  /** When this identifier was linked to `customerKey`. */
  readonly linkedAt: string;
  /** Why: seen together in one webhook, an identity change Meta reported, or a merge of two conversations. */
  readonly linkedBy: 'seen' | 'identity-change' | 'merge';
  /** The customer key it pointed at before a merge re-pointed it. */
  readonly previousCustomerKey?: string;
  /**
   * When an identity change replaced this identifier (the customer changed number, or their
   * business-scoped user id changed). It still finds the conversation (a late retry of an old
   * message), but nothing is sent to it any more.
   */
  readonly supersededAt?: string;
  readonly expiresAt: number;
}

/** The key of an alias item. */
export function customerAliasItemKey(
  item: Pick<CustomerAliasItem, 'businessPhoneNumberId' | 'identifier'>,
): TableKey {
  return customerAliasKey(item.businessPhoneNumberId, item.identifier);
}

export const customerAliasSchema = z.object({
  entity: z.literal(ENTITY.customerAlias),
  businessPhoneNumberId: text,
  identifier: text,
  identifierKind: z.enum(['phone', 'user-id']),
  customerKey: text,
  conversationKey: text,
  linkedAt: text,
  linkedBy: z.enum(['seen', 'identity-change', 'merge']),
  previousCustomerKey: optionalText,
  supersededAt: optionalText,
  expiresAt: count,
});
