/**
 * Typed payloads of `SendWhatsAppMessage` (Meta's Cloud API message objects), each marked with
 * whether sending it twice is harmless on the customer's screen. `SendWhatsAppMessage` has no
 * idempotency token, so that mark decides whether a send whose answer was lost may be repeated.
 */

import type { Customer } from './model';

/**
 * Who a message goes to: a phone number (`to`), a business-scoped user id (`recipient`), or a
 * group the business is in (`group`: sent with `recipient_type: "group"` and the group id as `to`).
 */
export type Address = { readonly to: string } | { readonly recipient: string } | { readonly group: string };

/** The body members of an address. */
type AddressMembers =
  | { readonly recipient_type: 'individual'; readonly to: string }
  | { readonly recipient_type: 'individual'; readonly recipient: string }
  | { readonly recipient_type: 'group'; readonly to: string };

/**
 * Where to answer a customer: the message's `from` (never `contacts[].wa_id`, which AWS's own
 * example shows differing), else the business-scoped user id; none when Meta sent neither.
 */
export function addressOf(customer: Pick<Customer, 'phone' | 'userId'>): Address | undefined {
  if (customer.phone !== undefined) return { to: customer.phone };
  if (customer.userId !== undefined) return { recipient: customer.userId };
  return undefined;
}

/** Marks an inbound message read (two blue ticks), optionally showing "typing…". */
export interface ReadReceiptBody {
  readonly messaging_product: 'whatsapp';
  readonly message_id: string;
  readonly status: 'read';
  readonly typing_indicator?: { readonly type: 'text' };
}

/** Reacts to a message with an emoji. */
export type ReactionBody = {
  readonly messaging_product: 'whatsapp';
  readonly type: 'reaction';
  readonly reaction: { readonly message_id: string; readonly emoji: string };
} & AddressMembers;

/** A text message, optionally as a reply to an inbound message. */
export type TextBody = {
  readonly messaging_product: 'whatsapp';
  readonly type: 'text';
  readonly text: { readonly body: string; readonly preview_url?: boolean };
  readonly context?: { readonly message_id: string };
} & AddressMembers;

/** A payload and whether repeating it is harmless. */
export type OutboundPayload =
  | { readonly kind: 'read-receipt'; readonly idempotent: true; readonly body: ReadReceiptBody }
  | { readonly kind: 'reaction'; readonly idempotent: true; readonly body: ReactionBody }
  | { readonly kind: 'text'; readonly idempotent: false; readonly body: TextBody };

/** An address that would send to nobody: an empty phone number or user id. */
export class InvalidAddressError extends Error {
  public override readonly name = 'InvalidAddressError';
}

function checkedAddress(address: Address): AddressMembers {
  const value = 'to' in address ? address.to : 'recipient' in address ? address.recipient : address.group;
  if (value.trim() === '') throw new InvalidAddressError('A message must have a non-empty address');
  if ('to' in address) return { recipient_type: 'individual', to: address.to };
  if ('recipient' in address) return { recipient_type: 'individual', recipient: address.recipient };
  return { recipient_type: 'group', to: address.group };
}

/** A read receipt for `wamid`. Marks earlier messages of the chat read too; repeating it changes nothing. */
export function readReceipt(wamid: string, typingIndicator = false): OutboundPayload {
  return {
    kind: 'read-receipt',
    idempotent: true,
    body: {
      messaging_product: 'whatsapp',
      message_id: wamid,
      status: 'read',
      ...(typingIndicator ? { typing_indicator: { type: 'text' } } : {}),
    },
  };
}

/** A reaction to `wamid`. The same reaction twice shows once. @throws InvalidAddressError for an empty address */
export function reaction(wamid: string, emoji: string, address: Address): OutboundPayload {
  return {
    kind: 'reaction',
    idempotent: true,
    body: {
      messaging_product: 'whatsapp',
      ...checkedAddress(address),
      type: 'reaction',
      reaction: { message_id: wamid, emoji },
    },
  };
}

/** A text. Sending it twice shows it twice: never repeat it blindly. @throws InvalidAddressError for an empty address */
export function textMessage(address: Address, body: string, replyTo?: string): OutboundPayload {
  return {
    kind: 'text',
    idempotent: false,
    body: {
      messaging_product: 'whatsapp',
      ...checkedAddress(address),
      type: 'text',
      text: { body },
      ...(replyTo === undefined ? {} : { context: { message_id: replyTo } }),
    },
  };
}
