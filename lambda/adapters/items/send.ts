/** The send item: one `SendWhatsAppMessage` of the pipeline's, and what became of it. */
import * as z from 'zod/mini';
import { ENTITY, sendKey, type TableKey } from '../../../contracts';
import type { SendFailure, SendKind, SendProgress } from '../../domain/send-ledger';
import { count, optionalText, text } from './common';

/**
 * One send in the ledger (docs/send-ledger.md). The sender writes what it knows when the API
 * answers; EUM's hand-off events and EventBridge failures add their steps by AWS message id, in
 * any order. A report about a send the pipeline did not make (another system on the same number)
 * makes an item with no `kind`, which expires within a day.
 */
export interface SendItem extends SendProgress {
  readonly entity: typeof ENTITY.send;
  /** The AWS message id, or `request-<uuid>` for a send the API never answered with one. */
  readonly sendId: string;
  readonly awsMessageId?: string;
  readonly kind?: SendKind;
  /** Who sent it: `auto-response`, `hook:<name>`, or what a fork names. */
  readonly sentBy?: string;
  readonly businessPhoneNumberId?: string;
  readonly originationPhoneNumberId?: string;
  readonly conversationKey?: string;
  /** The wamid of the message it answers or reacts to, or marks read. */
  readonly inReplyTo?: string;
  readonly requestedAt?: string;
  /** The error of a send the API refused or left unanswered. */
  readonly error?: { readonly name: string; readonly message: string };
  /** The order failures are compared in (earliest first), so any order of reports keeps the same one. */
  readonly failureRank?: string;
  /** When the stall watch flagged it: no hand-off or no status within `stallMinutes`. */
  readonly stalledAt?: string;
  /** When a report arrived after the flag and settled it. */
  readonly stallClearedAt?: string;
  /** The stall watch's index attributes, present while the send is watched. */
  readonly stallPartition?: string;
  readonly stallAt?: string;
  readonly expiresAt: number;
}

/** The key of a send item. */
export function sendItemKey(item: Pick<SendItem, 'sendId'>): TableKey {
  return sendKey(item.sendId);
}

const failureSchema: z.ZodMiniType<SendFailure> = z.object({
  origin: z.enum(['api', 'handover', 'meta']),
  at: text,
  code: optionalText,
  title: optionalText,
});

export const sendItemSchema = z.object({
  entity: z.literal(ENTITY.send),
  sendId: text,
  awsMessageId: optionalText,
  kind: z.optional(z.enum(['receipt', 'reaction', 'text', 'template', 'other'])),
  sentBy: optionalText,
  businessPhoneNumberId: optionalText,
  originationPhoneNumberId: optionalText,
  conversationKey: optionalText,
  inReplyTo: optionalText,
  requestedAt: optionalText,
  acceptedAt: optionalText,
  handedOverAt: optionalText,
  sentAt: optionalText,
  deliveredAt: optionalText,
  readAt: optionalText,
  failure: z.optional(failureSchema),
  failureRank: optionalText,
  unknownAt: optionalText,
  error: z.optional(z.object({ name: text, message: text })),
  stalledAt: optionalText,
  stallClearedAt: optionalText,
  stallPartition: optionalText,
  stallAt: optionalText,
  expiresAt: count,
});
