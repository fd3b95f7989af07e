/** The message item: an inbound or outbound message, its auto-response, statuses and media archive. */
import * as z from 'zod/mini';
import { ENTITY } from '../../../contracts';
import {
  type ConversationInfo,
  type MessageContent,
  type MessageStatus,
  type Pricing,
  type Referral,
  type RoutingKind,
  toMessageStatus,
  type WhatsAppError,
} from '../../domain/model';
import type { Address } from '../../domain/outbound';
import { type MessageDeletion, type MessageEdit, sortedEdits } from '../../domain/revisions';
import {
  addressSchema,
  count,
  type DeliveryFailure,
  deliverySchema,
  errorsSchema,
  optionalText,
  type SendError,
  sendErrorSchema,
  text,
} from './common';
import { storedContentSchema } from './content';

/** The auto-response actions of a message. */
export type ResponseActionName = 'receipt' | 'reaction';

/** Every auto-response action, in the order they are planned. */
export const RESPONSE_ACTION_NAMES: readonly ResponseActionName[] = ['receipt', 'reaction'];

/** The stored state of one auto-response action of a message. */
export type ActionRecord =
  | { readonly state: 'pending'; readonly emoji?: string; readonly address?: Address }
  | { readonly state: 'skipped'; readonly reason: string }
  | {
      readonly state: 'sent';
      readonly messageId?: string;
      readonly at: string;
      readonly attempts: number;
      readonly emoji?: string;
      readonly delivery?: DeliveryFailure;
    }
  | {
      readonly state: 'failed';
      readonly error: SendError;
      readonly at: string;
      readonly delivery?: DeliveryFailure;
    }
  /** A send that may or may not have been delivered (its answer was lost) and must not be repeated. */
  | { readonly state: 'unknown'; readonly error: SendError; readonly at: string };

/** Why a media message was not fetched. */
export type MediaSkipReason = 'unrouted' | 'no-media-id' | 'unknown-mime-type';

/** Where a message's media archive stands (see lambda/media-archiver). */
export type MediaArchiveRecord =
  /** An archiver invocation holds the fetch until `expiresAtMs`. */
  | {
      readonly state: 'fetching';
      readonly owner: string;
      /** The attempt holding the claim (lambda/shared/exactly-once.ts). */
      readonly token?: string;
      readonly expiresAtMs: number;
      readonly at: string;
    }
  | {
      readonly state: 'archived';
      readonly bucket: string;
      /** The key prefix the service wrote under; the object is `<prefix><mediaId>.<extension>`. */
      readonly keyPrefix: string;
      readonly mimeType?: string;
      /** As GetWhatsAppMessageMedia reports it: in KB. */
      readonly fileSizeKb?: number;
      readonly archivedAt: string;
      readonly attempts: number;
    }
  /** Refused for good (expired at Meta, access denied, too large): recorded, not retried. */
  | { readonly state: 'failed'; readonly error: SendError; readonly at: string }
  | { readonly state: 'skipped'; readonly reason: MediaSkipReason; readonly at: string };

/** The states of an action. */
export type ActionState = ActionRecord['state'];

/** The auto-response of a message: its two actions. */
export interface AutoResponseRecord {
  readonly receipt: ActionRecord;
  readonly reaction: ActionRecord;
}

/** An invocation's exclusive right to send a message's unfinished auto-response. */
export interface Claim {
  /** The invocation (Lambda request id). */
  readonly owner: string;
  /** Epoch ms at which the owner's invocation has ended for sure. */
  readonly expiresAtMs: number;
}

/** One status of a message, as recorded. */
export interface StatusHistoryEntry {
  readonly status: MessageStatus;
  /** ISO time of the status (Meta's timestamp). */
  readonly at: string;
  readonly errors?: readonly WhatsAppError[];
  readonly pricing?: Pricing;
  readonly conversation?: ConversationInfo;
  readonly snsMessageId?: string;
  readonly recordedAt?: string;
}

/** A message: inbound (a customer's), or outbound (the business's, known from its statuses). */
export interface MessageItem {
  readonly entity: typeof ENTITY.message;
  readonly wamid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly businessPhoneNumberId?: string;
  readonly displayPhoneNumber?: string;
  readonly wabaId?: string;
  readonly snsMessageId?: string;
  /** `messages[].type` as received. */
  readonly type?: string;
  readonly conversationKey?: string;
  /** `<ISO time>#<wamid>`: the order within the conversation. */
  readonly conversationSort?: string;
  readonly customerKey?: string;
  readonly customerPhone?: string;
  readonly customerUserId?: string;
  /** The group it was written in: the customer fields are then the participant's. */
  readonly groupId?: string;
  /** Unix seconds. */
  readonly timestamp?: number;
  readonly sentAt?: string;
  readonly routing?: RoutingKind;
  readonly originationPhoneNumberId?: string;
  readonly content?: MessageContent;
  readonly replyTo?: string;
  readonly forwarded?: boolean;
  readonly frequentlyForwarded?: boolean;
  readonly referral?: Referral;
  readonly errors?: readonly WhatsAppError[];
  /** The message exactly as received, as JSON. */
  readonly payload?: string;
  /** When the pipeline first recorded it (inbound only). */
  readonly receivedAt?: string;
  readonly expiresAt: number;
  readonly autoResponse?: AutoResponseRecord;
  readonly claim?: Claim;
  readonly receiptMessageId?: string;
  readonly reactionMessageId?: string;
  /** The current status by precedence (see domain/status.ts); absent before the first status. */
  readonly status?: MessageStatus;
  /** Time of the current status. */
  readonly statusAt?: string;
  /** Every status recorded, oldest first. */
  readonly statusHistory: readonly StatusHistoryEntry[];
  /** The media archive of an inbound media message. */
  readonly mediaArchive?: MediaArchiveRecord;
  /**
   * The customer's edits, oldest first; `content` stays as sent, and what the message says now is
   * `currentContent` (lambda/domain/revisions.ts). Absent after a deletion.
   */
  readonly edits?: readonly MessageEdit[];
  /** Set when the customer deleted the message: `content`, `payload` and `edits` are gone. */
  readonly deletion?: MessageDeletion;
  /**
   * `business-app`: an outbound message a person sent from the WhatsApp Business app or a linked
   * device (a coexistence echo), recorded at `echoedAt`. Absent for the pipeline's own and for
   * messages known only from their statuses.
   */
  readonly sentFrom?: 'business-app';
  readonly echoedAt?: string;
  /**
   * Of an echo: until when it pauses the conversation's bots. Of a customer's message: the pause
   * it arrived in, so no bot answered it.
   */
  readonly humanTakeoverUntil?: string;
  /** A message of the WhatsApp Business app's chat history, imported (coexistence `history`). */
  readonly imported?: HistoryImport;
}

/** How a message of the app's chat history was imported. */
export interface HistoryImport {
  readonly at: string;
  /** Meta's phase: 0 the first day before onboarding, 1 to day 90, 2 to day 180. */
  readonly phase?: number;
  readonly chunkOrder?: number;
  /** Its status in the app at import. */
  readonly status?: string;
}

/** The idempotency key of one status of a message. */
export function statusKeyOf(status: string, at: string): string {
  return `${status}#${at}`;
}

export const actionSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), emoji: optionalText, address: z.optional(addressSchema) }),
  z.object({ state: z.literal('skipped'), reason: text }),
  z.object({
    state: z.literal('sent'),
    messageId: optionalText,
    at: text,
    attempts: count,
    emoji: optionalText,
    delivery: z.optional(deliverySchema),
  }),
  z.object({
    state: z.literal('failed'),
    error: sendErrorSchema,
    at: text,
    delivery: z.optional(deliverySchema),
  }),
  z.object({ state: z.literal('unknown'), error: sendErrorSchema, at: text }),
]);

export const status = z.pipe(text, z.transform(toMessageStatus));

export const pricingSchema = z.object({
  billable: z.optional(z.boolean()),
  pricingModel: optionalText,
  category: optionalText,
  type: optionalText,
});
export const conversationInfoSchema = z.object({
  id: optionalText,
  expiresAt: z.optional(count),
  originType: optionalText,
});

export const historySchema = z.object({
  status,
  at: text,
  errors: errorsSchema,
  pricing: z.optional(pricingSchema),
  conversation: z.optional(conversationInfoSchema),
  snsMessageId: optionalText,
  recordedAt: optionalText,
});

export const editSchema = z.object({
  wamid: text,
  at: text,
  editedType: optionalText,
  body: optionalText,
  snsMessageId: optionalText,
  recordedAt: optionalText,
});
export const deletionSchema = z.object({ wamid: text, at: text, recordedAt: optionalText });

/** Message content: derived from the kinds' one definition (contracts/message-content.ts). */
export const contentSchema = storedContentSchema;

export const referralSchema = z.object({
  sourceType: optionalText,
  sourceId: optionalText,
  sourceUrl: optionalText,
  headline: optionalText,
  body: optionalText,
  mediaType: optionalText,
  ctwaClid: optionalText,
});

export const mediaArchiveSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('fetching'), owner: text, token: optionalText, expiresAtMs: count, at: text }),
  z.object({
    state: z.literal('archived'),
    bucket: text,
    keyPrefix: text,
    mimeType: optionalText,
    fileSizeKb: z.optional(count),
    archivedAt: text,
    attempts: count,
  }),
  z.object({ state: z.literal('failed'), error: sendErrorSchema, at: text }),
  z.object({
    state: z.literal('skipped'),
    reason: z.enum(['unrouted', 'no-media-id', 'unknown-mime-type']),
    at: text,
  }),
]);

export const messageSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.message),
    wamid: text,
    direction: z.enum(['inbound', 'outbound']),
    businessPhoneNumberId: optionalText,
    displayPhoneNumber: optionalText,
    wabaId: optionalText,
    snsMessageId: optionalText,
    type: optionalText,
    conversationKey: optionalText,
    conversationSort: optionalText,
    customerKey: optionalText,
    customerPhone: optionalText,
    customerUserId: optionalText,
    groupId: optionalText,
    timestamp: z.optional(count),
    sentAt: optionalText,
    routing: z.optional(z.enum(['routed', 'unmatched', 'no-context'])),
    originationPhoneNumberId: optionalText,
    content: z.optional(contentSchema),
    replyTo: optionalText,
    forwarded: z.optional(z.boolean()),
    frequentlyForwarded: z.optional(z.boolean()),
    referral: z.optional(referralSchema),
    errors: errorsSchema,
    payload: optionalText,
    receivedAt: optionalText,
    expiresAt: count,
    autoResponse: z.optional(z.object({ receipt: actionSchema, reaction: actionSchema })),
    claimedBy: optionalText,
    claimExpiresAt: z.optional(count),
    receiptMessageId: optionalText,
    reactionMessageId: optionalText,
    status: z.optional(status),
    statusAt: optionalText,
    statusHistory: z.optional(z.array(historySchema)),
    mediaArchive: z.optional(mediaArchiveSchema),
    edits: z.optional(z.array(editSchema)),
    deletion: z.optional(deletionSchema),
    sentFrom: z.optional(z.literal('business-app')),
    echoedAt: optionalText,
    humanTakeoverUntil: optionalText,
    imported: z.optional(
      z.object({ at: text, phase: z.optional(count), chunkOrder: z.optional(count), status: optionalText }),
    ),
  }),
  z.transform((m): MessageItem => {
    const { claimedBy, claimExpiresAt, statusHistory, edits, ...fields } = m;
    return {
      ...fields,
      // Appended in arrival order; read oldest first.
      ...(edits === undefined ? {} : { edits: sortedEdits(edits) }),
      ...(claimedBy !== undefined && claimExpiresAt !== undefined
        ? { claim: { owner: claimedBy, expiresAtMs: claimExpiresAt } }
        : {}),
      // Appended in arrival order; read oldest first.
      statusHistory: [...(statusHistory ?? [])].sort(
        (a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status),
      ),
    };
  }),
);
