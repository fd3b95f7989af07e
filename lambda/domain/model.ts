/** The pipeline's own view of WhatsApp events, independent of the wire format. */

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

/** What a message says, by type. `other` keeps unknown and future types; their raw payload is stored. */
export type MessageContent =
  | { readonly kind: 'text'; readonly body: string }
  | {
      readonly kind: 'media';
      readonly mediaId?: string;
      readonly mimeType?: string;
      readonly caption?: string;
      readonly filename?: string;
      readonly voice?: boolean;
      readonly animated?: boolean;
    }
  | {
      readonly kind: 'location';
      readonly latitude: number;
      readonly longitude: number;
      readonly name?: string;
      readonly address?: string;
    }
  | { readonly kind: 'contacts'; readonly count: number }
  | {
      readonly kind: 'interactive';
      readonly replyType: string;
      readonly replyId?: string;
      readonly title?: string;
      readonly description?: string;
      readonly flowName?: string;
      readonly responseJson?: string;
    }
  | { readonly kind: 'button'; readonly text?: string; readonly payload?: string }
  /** `emoji` is absent when the customer removed their reaction. */
  | { readonly kind: 'reaction'; readonly targetWamid: string; readonly emoji?: string }
  | {
      readonly kind: 'order';
      readonly catalogId?: string;
      readonly itemCount: number;
      readonly text?: string;
    }
  | {
      readonly kind: 'system';
      readonly systemType?: string;
      readonly body?: string;
      readonly newPhone?: string;
      readonly newUserId?: string;
    }
  | { readonly kind: 'unsupported'; readonly unsupportedType?: string }
  | { readonly kind: 'other' };

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
  readonly content: MessageContent;
  /** The wamid this message replies to. */
  readonly replyTo?: string;
  readonly forwarded?: boolean;
  readonly frequentlyForwarded?: boolean;
  /** Click-to-WhatsApp ad or post that started the conversation. */
  readonly referral?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly WhatsAppError[];
  /** The message object exactly as Meta sent it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One status of a message the business sent (or `deleted`, of one it received). */
export interface StatusUpdate {
  readonly source: Source;
  readonly wamid: string;
  /** As received: sent, delivered, read, played, failed, or any value Meta adds. */
  readonly status: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly recipient?: Customer;
  readonly errors?: readonly WhatsAppError[];
  readonly pricing?: Readonly<Record<string, unknown>>;
  readonly conversation?: Readonly<Record<string, unknown>>;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A webhook-level error (`value.errors`): a problem of the app, account or number, not of one message. */
export interface WebhookError extends WhatsAppError {
  readonly source: Source;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Everything one SNS notification carries. */
export interface DecodedNotification {
  readonly snsMessageId: string;
  /** The envelope's `message_timestamp` (ISO, nanoseconds). */
  readonly publishedAt?: string;
  readonly messages: readonly InboundMessage[];
  readonly statuses: readonly StatusUpdate[];
  readonly errors: readonly WebhookError[];
  /** `field`s of changes that are not message events (template status updates and the like). */
  readonly skippedFields: readonly string[];
}
