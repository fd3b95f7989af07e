import { ENTITY } from './table';

/**
 * Names of the conversation event bus: the `source` and detail-types the publisher puts, the
 * subscriber API matches and consumers parse (see docs/events.md). The detail schemas live in
 * events/.
 */

/** The `source` of every conversation event. */
export const CONVERSATION_EVENT_SOURCE = 'whatsapp-pipeline';

/** The version of the detail schemas; a breaking change of any detail raises it. */
export const CONVERSATION_EVENT_SCHEMA_VERSION = 1 as const;

/** The detail-types of the conversation event bus. */
export const CONVERSATION_EVENT = {
  /** A customer's message was recorded for the first time. */
  messageReceived: 'Message Received',
  /** A call with a customer ended after they talked. */
  callCompleted: 'Call Completed',
  /** A call ended without a conversation: the customer's call was missed, or the business's declined or failed. */
  callMissed: 'Call Missed',
  /** A person at the business wrote to the customer from the WhatsApp Business app: bots stand down. */
  humanReplied: 'Human Replied',
  /** The customer completed a Flow: its answers, as data, with the Flow's token. */
  flowCompleted: 'Flow Completed',
  /** The customer edited one of their messages (its record now says what the edit says). */
  messageEdited: 'Message Edited',
  /** The customer deleted one of their messages: its content is gone, a tombstone remains. */
  messageDeleted: 'Message Deleted',
  /** The current status of a message changed (never for a status that changes nothing). */
  messageStatusChanged: 'Message Status Changed',
  /** A message the business sent failed: a `failed` status, or an EventBridge failure event. */
  messageFailed: 'Message Failed',
  /** The read receipt and reaction of a message reached their outcome (none is pending any more). */
  autoResponseCompleted: 'Auto Response Completed',
  /** Meta reported a webhook-level error (of the app, account or number). */
  webhookError: 'Webhook Error',
  /** A message's media was archived into the media bucket (docs/media.md). */
  mediaArchived: 'Media Archived',
  /** A template's status, quality or category changed (docs/account-health.md). */
  templateStatusChanged: 'Template Status Changed',
  /** A business phone number's messaging limit, quality flag or display name changed. */
  phoneNumberQualityChanged: 'Phone Number Quality Changed',
  /** A WhatsApp Business Account's status, review, capabilities or alerts changed. */
  accountStatusChanged: 'Account Status Changed',
  /** A Flow's status changed (BLOCKED and THROTTLED alert people), or its endpoint raised an alert. */
  flowStatusChanged: 'Flow Status Changed',
  /** Meta sent a shape this code does not know yet (a field, type, status or event): its skeleton, once. */
  contractDriftDetected: 'Contract Drift Detected',
  /**
   * Who a customer is changed: Meta reported a new number, BSUID or security code, or two
   * conversations turned out to be one person's and were merged (docs/identity.md).
   */
  customerIdentityChanged: 'Customer Identity Changed',
  /**
   * A send EUM accepted went silent: no hand-off, or no status from Meta, within `stallMinutes`
   * (`state: stalled`); or a report came after all (`state: cleared`). docs/send-ledger.md.
   */
  messageStalled: 'Message Stalled',
  /** A customer stopped or resumed marketing messages. */
  marketingPreferenceChanged: 'Marketing Preference Changed',
} as const;

/** One of the detail-types of the conversation event bus. */
export type ConversationEventType = (typeof CONVERSATION_EVENT)[keyof typeof CONVERSATION_EVENT];

/** Every detail-type, in a stable order. */
export const CONVERSATION_EVENT_TYPES: readonly ConversationEventType[] = Object.values(CONVERSATION_EVENT);

/**
 * Item kinds whose changes publish nothing: the publisher's stream filter leaves them out so that
 * the conversation update of every message costs no invocation. Any other kind reaches the
 * publisher, so a kind added later is counted there rather than dropped unseen.
 */
export const ENTITIES_WITHOUT_EVENTS: readonly string[] = [
  ENTITY.conversation,
  ENTITY.failureDigest,
  ENTITY.healthAlert,
  // Claims and outcomes of hooks' replies and the digest's run lease: bookkeeping, no event.
  ENTITY.sideEffect,
  // Cost bookkeeping: counted, summed and read by inspect; no event.
  ENTITY.pricedMessage,
  ENTITY.costTotal,
];

/**
 * The DynamoDB stream filters of the publisher (Lambda filter syntax, which is EventBridge's); a
 * record passes if any matches. A send publishes only once the stall watch flagged it, so the
 * several writes of every send cost the publisher nothing.
 */
export const PUBLISHER_STREAM_FILTERS = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      NewImage: { entity: { S: [{ 'anything-but': [...ENTITIES_WITHOUT_EVENTS, ENTITY.send] }] } },
    },
  },
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { entity: { S: [ENTITY.send] }, stalledAt: { S: [{ exists: true }] } } },
  },
];

/** Most entries one PutEvents request takes. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** Most bytes one PutEvents request takes (all entries together). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
