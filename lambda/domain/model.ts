/** The pipeline's own view of WhatsApp events, independent of the wire format. */
import type { KnownMessageType, MediaType, MessageContent } from '../../contracts';
import type { DecodedHealthChange } from './account-health';
import type { DriftSample } from './drift';

export type { KnownMessageType, MediaType };

/** How the receiving business number was matched to an AWS phone-number resource. */
export type Routing =
  | {
      readonly kind: 'routed';
      /** The `originationPhoneNumberId` SendWhatsAppMessage takes: `phone-number-id-<id>`. */
      readonly originationPhoneNumberId: string;
      readonly phoneNumberArn: string;
    }
  /** The envelope names phone numbers, but not this one (or its ARN is malformed). Nothing is sent. */
  | { readonly kind: 'unmatched' }
  /** The envelope has no phone-number context at all. Nothing is sent. */
  | { readonly kind: 'no-context' };

/** The kinds of routing. */
export type RoutingKind = Routing['kind'];

/** The customer side of a conversation. */
export interface Customer {
  /**
   * Stable key of the customer within a business number: the business-scoped user id when Meta
   * sends one (users with a username have no phone number), else the phone number.
   */
  readonly key: string;
  /** WhatsApp number, digits only; absent for users who adopted a username. */
  readonly phone?: string;
  /** Business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  readonly userId?: string;
  /** The parent BSUID, when the business links portfolios: one id for the user across them. */
  readonly parentUserId?: string;
  readonly profileName?: string;
  readonly username?: string;
}

/** An error object as Meta reports it on messages, statuses and webhooks. */
export interface WhatsAppError {
  readonly code: string;
  readonly title?: string;
  readonly message?: string;
  readonly details?: string;
}

/** The statuses Meta documents. */
export const KNOWN_STATUSES = ['sent', 'delivered', 'read', 'played', 'failed', 'deleted'] as const;

/** One of the documented statuses. */
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

declare const unknownStatus: unique symbol;
/** A status Meta added after this code was written, kept verbatim. Made only by {@link toMessageStatus}. */
export type UnknownStatus = string & { readonly [unknownStatus]: true };

/** A status as received: a known one, or one Meta added later. */
export type MessageStatus = KnownStatus | UnknownStatus;

/** Whether a status is one of the documented ones. */
export function isKnownStatus(status: string): status is KnownStatus {
  return (KNOWN_STATUSES as readonly string[]).includes(status);
}

/** Types a status string as received. */
export function toMessageStatus(status: string): MessageStatus {
  return status as MessageStatus;
}

/** What a message says, by kind: defined once in contracts/message-content.ts. */
export type { MessageContent };

/** A media object of an inbound message: the media kind's fields but its type. */
export type MediaRef = Omit<Extract<MessageContent, { kind: 'media' }>, 'kind' | 'mediaType'>;

/** Where a notification's items came from. */
export interface Source {
  /** The SNS MessageId: unchanged when SNS retries, new when Meta retries. */
  readonly snsMessageId: string;
  /** Meta's WABA id (`entry.id`). */
  readonly wabaId: string;
  /** Meta's id of the business number (`metadata.phone_number_id`). */
  readonly businessPhoneNumberId: string;
  readonly displayPhoneNumber?: string;
}

/** The Click-to-WhatsApp ad or post that started a conversation. */
export interface Referral {
  /** `ad` or `post`. */
  readonly sourceType?: string;
  readonly sourceId?: string;
  readonly sourceUrl?: string;
  readonly headline?: string;
  readonly body?: string;
  readonly mediaType?: string;
  readonly ctwaClid?: string;
}

/** Pricing of a status (per-message pricing since July 2025). */
export interface Pricing {
  /** Deprecated by Meta, still sent. */
  readonly billable?: boolean;
  /** `PMP` (per message) or `CBP` (per conversation, before July 2025). */
  readonly pricingModel?: string;
  /** marketing, utility, authentication, service, … */
  readonly category?: string;
  /** regular, free_customer_service, free_entry_point. */
  readonly type?: string;
}

/** The conversation (pricing window) a status belongs to; absent under per-message pricing. */
export interface ConversationInfo {
  readonly id?: string;
  /** Unix seconds; only on the first status of a window. */
  readonly expiresAt?: number;
  /** authentication, marketing, utility, service, referral_conversion. */
  readonly originType?: string;
}

/** One message a customer sent to the business. */
export interface InboundMessage {
  readonly source: Source;
  /** Meta's message id, the idempotency key. */
  readonly wamid: string;
  /** `messages[].type` as received, including types this code does not know. */
  readonly type: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly routing: Routing;
  readonly customer: Customer;
  /**
   * The group the message was sent in; the customer is then the participant who wrote it. A group
   * is its own conversation, and gets no auto-response unless `autoResponse.groups` is on.
   */
  readonly groupId?: string;
  readonly content: MessageContent;
  /** The wamid this message replies to. */
  readonly replyTo?: string;
  readonly forwarded?: boolean;
  readonly frequentlyForwarded?: boolean;
  readonly referral?: Referral;
  readonly errors?: readonly WhatsAppError[];
  /** The message object exactly as Meta sent it, as JSON (kept so unknown fields can be reprocessed). */
  readonly rawJson: string;
}

/**
 * A message a person at the business sent from the WhatsApp Business app or a linked device
 * (coexistence: `smb_message_echoes`). It is recorded as the business's outbound message and
 * never answered; it pauses the bots of its conversation for a while (`humanTakeoverMinutes`).
 */
export interface EchoMessage {
  readonly source: Source;
  readonly wamid: string;
  readonly type: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** The customer the person wrote to. */
  readonly customer: Customer;
  readonly content: MessageContent;
  /** The echo exactly as Meta sent it, as JSON. */
  readonly rawJson: string;
}

/**
 * A message of the WhatsApp Business app's chat history, imported when a number joined the API
 * (coexistence `history`). It is kept with its original time, and is never answered, never opens
 * the service window and publishes no `Message Received`: it happened before.
 */
export interface HistoryMessage {
  readonly source: Source;
  readonly wamid: string;
  readonly type: string;
  /** Unix seconds: when it was sent, on the device. */
  readonly timestamp: number;
  /** The customer of the thread. */
  readonly customer: Customer;
  /** `inbound` when the customer wrote it, `outbound` when the business did. */
  readonly direction: 'inbound' | 'outbound';
  readonly content: MessageContent;
  /** Its status in the app at import (`read`, `delivered`, `pending`, …). */
  readonly status?: string;
  /** Meta's phase (0: the first day, 1: to day 90, 2: to day 180) and chunk of the import. */
  readonly phase?: number;
  readonly chunkOrder?: number;
  readonly rawJson: string;
}

/** Who placed a call: the customer (`USER_INITIATED`) or the business (`BUSINESS_INITIATED`). */
export type CallDirection = 'inbound' | 'outbound';

/** One webhook of a WhatsApp call (`field: calls`): its connect, its end, or a status of it. */
export interface CallEvent {
  readonly source: Source;
  /** Meta's call id (`wacid.…`): every webhook of the call carries it. */
  readonly callId: string;
  /** `connect`, `terminate`, `status`, or an event Meta added later. */
  readonly event: string;
  readonly direction?: CallDirection;
  readonly customer: Customer;
  /** Unix seconds. */
  readonly timestamp: number;
  /** Of `terminate`: `COMPLETED` or `FAILED` as Meta writes it; of `status`: `RINGING`, `ACCEPTED`, `REJECTED`. */
  readonly status?: string;
  /** Of `terminate`, Unix seconds. */
  readonly startTime?: number;
  readonly endTime?: number;
  readonly durationSeconds?: number;
  readonly errors?: readonly WhatsAppError[];
}

/** One status of a message the business sent (or `deleted`, of one it received). */
export interface StatusUpdate {
  readonly source: Source;
  readonly wamid: string;
  readonly status: MessageStatus;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly recipient?: Customer;
  /** The group of a message the business sent to a group (`recipient_type: group`); no `recipient` then. */
  readonly groupId?: string;
  readonly errors?: readonly WhatsAppError[];
  readonly pricing?: Pricing;
  readonly conversation?: ConversationInfo;
  readonly rawJson: string;
}

/** A webhook-level error (`value.errors`): a problem of the app, account or number, not of one message. */
export interface WebhookError extends WhatsAppError {
  readonly source: Source;
  readonly rawJson: string;
}

/** Everything one SNS notification carries. */
export interface DecodedNotification {
  readonly snsMessageId: string;
  /** Meta's WABA id of the entry (`entry.id`). */
  readonly wabaId: string;
  /** The envelope's `message_timestamp` (ISO, nanoseconds). */
  readonly publishedAt?: string;
  readonly messages: readonly InboundMessage[];
  /** Messages a person sent from the WhatsApp Business app (coexistence). */
  readonly echoes: readonly EchoMessage[];
  /** Messages of the app's chat history, imported (coexistence). */
  readonly history: readonly HistoryMessage[];
  /** Webhooks of WhatsApp calls: connects, ends and statuses. */
  readonly calls: readonly CallEvent[];
  /** Entries of the business's address book the app synced (`smb_app_state_sync`), by action: counted, never stored. */
  readonly appStateSync: readonly { readonly type?: string; readonly action?: string }[];
  readonly statuses: readonly StatusUpdate[];
  readonly errors: readonly WebhookError[];
  /** Account-health changes: templates, phone numbers, the account, marketing preferences. */
  readonly health: readonly DecodedHealthChange[];
  /** `field`s of changes that are neither message events nor account health (calls and the like). */
  readonly skippedFields: readonly string[];
  /** What this code does not know yet, as skeletons: unknown fields, types, statuses and events. */
  readonly drift: readonly DriftSample[];
}

/** For exhaustive switches: the compiler rejects a call whose argument is not `never`. */
export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
