/**
 * Typed payloads of `SendWhatsAppMessage` (Meta's Cloud API message objects), each marked with
 * whether sending it twice is harmless on the customer's screen. `SendWhatsAppMessage` has no
 * idempotency token, so that mark decides whether a send whose answer was lost may be repeated.
 */

import type { Customer } from './model';

/** Who a message goes to: a phone number (`to`), or a business-scoped user id (`recipient`). */
export type Address = { readonly to: string } | { readonly recipient: string };

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
  readonly recipient_type: 'individual';
  readonly type: 'reaction';
  readonly reaction: { readonly message_id: string; readonly emoji: string };
} & Address;

/** A text message, optionally as a reply to an inbound message. */
export type TextBody = {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  readonly type: 'text';
  readonly text: { readonly body: string; readonly preview_url?: boolean };
  readonly context?: { readonly message_id: string };
} & Address;

/** A payload and whether repeating it is harmless. */
export type OutboundPayload =
  | { readonly kind: 'read-receipt'; readonly idempotent: true; readonly body: ReadReceiptBody }
  | { readonly kind: 'reaction'; readonly idempotent: true; readonly body: ReactionBody }
  | { readonly kind: 'text'; readonly idempotent: false; readonly body: TextBody };

/** An address that would send to nobody: an empty phone number or user id. */
export class InvalidAddressError extends Error {
  public override readonly name = 'InvalidAddressError';
}

function checkedAddress(address: Address): Address {
  const value = 'to' in address ? address.to : address.recipient;
  if (value.trim() === '') throw new InvalidAddressError('A message must have a non-empty address');
  return 'to' in address ? { to: address.to } : { recipient: address.recipient };
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
      recipient_type: 'individual',
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
      recipient_type: 'individual',
      ...checkedAddress(address),
      type: 'text',
      text: { body },
      ...(replyTo === undefined ? {} : { context: { message_id: replyTo } }),
    },
  };
}
