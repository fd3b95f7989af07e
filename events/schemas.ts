/**
 * The schemas of the conversation events, one per detail-type. They are the contract of the bus:
 * the publisher's types are inferred from them, docs/events/*.json is generated from them
 * (`npm run events:schemas`), and consumers parse with them (see ./index.ts).
 *
 * Fields that hold personal data say so with `personalData: true`: the bus stays inside the
 * account, and what a consumer does with those fields is its business (docs/events.md).
 */
import * as z from 'zod';
import {
  CONVERSATION_EVENT,
  CONVERSATION_EVENT_SCHEMA_VERSION,
  CONVERSATION_EVENT_SOURCE,
  type ConversationEventType,
  HEALTH_ASPECTS,
  MEDIA_TYPES,
} from '../contracts';
import { messageContentSchema } from './content-schema';

/** Marks a schema as holding personal data; kept in the generated JSON Schema as `x-personal-data`. */
function personal<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, 'x-personal-data': true });
}

const isoTime = z.string().meta({ description: 'ISO 8601 time', format: 'date-time' });
const wamid = personal(z.string(), "Meta's message id. It embeds the customer's phone number.");

const whatsAppError = z.object({
  code: z.string(),
  title: z.string().optional(),
  message: personal(z.string().optional(), "Meta's words; they can quote phone numbers."),
  details: personal(z.string().optional(), "Meta's words; they can quote phone numbers."),
});

const customer = z.object({
  key: personal(
    z.string(),
    'The customer key: the first identifier the customer was known by (a phone number or a business-scoped user id). It stays when Meta sends another (docs/identity.md).',
  ),
  phone: personal(z.string().optional(), 'WhatsApp number, digits only; absent for username users.'),
  userId: personal(z.string().optional(), 'Business-scoped user id (BSUID).'),
});

const conversationKey = personal(z.string(), 'The conversation: `<businessPhoneNumberId>#<customer key>`.');

export { messageContentSchema } from './content-schema';

const referral = z.object({
  sourceType: z.string().optional(),
  sourceId: z.string().optional(),
  sourceUrl: z.string().optional(),
  headline: z.string().optional(),
  body: z.string().optional(),
  mediaType: z.string().optional(),
  ctwaClid: z.string().optional(),
});

const pricing = z.object({
  billable: z.boolean().optional(),
  pricingModel: z.string().optional(),
  category: z.string().optional(),
  type: z.string().optional(),
});

const conversationInfo = z.object({
  id: z.string().optional(),
  expiresAt: z.number().optional().meta({ description: 'Unix seconds.' }),
  originType: z.string().optional(),
});

const actionOutcome = z.object({
  state: z.enum(['pending', 'skipped', 'sent', 'failed', 'unknown']).meta({
    description:
      '`pending`: being sent by the processor; `unknown`: the answer was lost, so it may have been delivered and is never repeated.',
  }),
  messageId: z.string().optional().meta({ description: 'The AWS message id of a sent action.' }),
  reason: z.string().optional().meta({ description: 'Why an action was skipped.' }),
  errorName: z.string().optional().meta({ description: 'The error of a failed or unknown action.' }),
});

/** Fields every conversation event carries. */
const common = {
  schemaVersion: z.literal(CONVERSATION_EVENT_SCHEMA_VERSION),
  eventId: z.string().meta({
    description:
      'Stable across redeliveries of the same change: the dedupe key. A digest of the record and the change, not personal data.',
  }),
  pipeline: z.string().meta({ description: 'The name of the pipeline that published the event.' }),
  businessPhoneNumberId: z.string().meta({ description: "Meta's id of the business number." }),
  occurredAt: isoTime.meta({ description: 'When the change happened, as WhatsApp or AWS reported it.' }),
};

/** Detail of `Message Received`. */
export const messageReceivedSchema = z.object({
  ...common,
  wamid,
  conversationKey,
  customer,
  groupId: z.string().optional().meta({
    description:
      'The group the message was written in; `customer` is then the participant, and the conversation is the group’s. Answer in the group (recipient_type "group"), never to the participant.',
  }),
  displayPhoneNumber: z.string().optional().meta({ description: 'The business number, as displayed.' }),
  wabaId: z.string().optional(),
  type: z.string().meta({ description: '`messages[].type` as received, including types added later.' }),
  content: messageContentSchema,
  replyTo: wamid.optional(),
  forwarded: z.boolean().optional(),
  frequentlyForwarded: z.boolean().optional(),
  referral: referral.optional(),
  errors: z.array(whatsAppError).optional(),
  routing: z.object({
    kind: z.enum(['routed', 'unmatched', 'no-context']).meta({
      description: 'Whether the business number is one of this account: only routed messages are answered.',
    }),
    originationPhoneNumberId: z.string().optional().meta({
      description: 'The `originationPhoneNumberId` SendWhatsAppMessage takes, for routed messages.',
    }),
  }),
  autoResponse: z.object({ receipt: actionOutcome, reaction: actionOutcome }).optional().meta({
    description:
      'The plan as recorded with the message; its outcome follows as Auto Response Completed. Absent when auto-responses are off.',
  }),
});

const groupId = z.string().optional().meta({
  description: 'The group the message was written in; the conversation is then the group’s.',
});

/** Detail of `Message Edited`. */
export const messageEditedSchema = z.object({
  ...common,
  wamid: wamid.meta({ description: 'The message the customer edited.' }),
  editWamid: wamid.meta({ description: "The edit's own id: the same edit is published once." }),
  conversationKey,
  customer,
  groupId,
  editedType: z.string().optional().meta({ description: 'The type of the edited message (text, image, …).' }),
  body: personal(z.string().optional(), "The customer's words: the new text or caption."),
  latest: z.boolean().meta({
    description:
      'Whether this edit is what the message says now: edits can arrive out of order, and an older one changes nothing.',
  }),
  content: messageContentSchema.optional().meta({
    description:
      'What the message says now, when the message itself is recorded (an edit can arrive before the message).',
  }),
});

/** What both call events carry. */
const call = {
  ...common,
  callId: personal(z.string(), "Meta's call id (`wacid.…`). It can embed the customer's phone number."),
  conversationKey,
  customer,
  direction: z.enum(['inbound', 'outbound']).optional().meta({
    description:
      '`inbound`: the customer called; `outbound`: the business did. Absent when Meta did not say.',
  }),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationSeconds: z.number().optional(),
};

/** Detail of `Call Completed`. */
export const callCompletedSchema = z.object({ ...call, outcome: z.literal('completed') });

/** Detail of `Call Missed`. */
export const callMissedSchema = z.object({
  ...call,
  outcome: z.enum(['missed', 'rejected', 'failed']).meta({
    description:
      '`missed`: the customer called and nobody took it; `rejected`: the customer declined the business’s call; `failed`: the business’s call did not connect. As known when the call ended.',
  }),
  errors: z
    .array(whatsAppError)
    .optional()
    .meta({ description: 'Why the call failed, as Meta reported it.' }),
});

/** Detail of `Human Replied`. */
export const humanRepliedSchema = z.object({
  ...common,
  wamid: wamid.meta({ description: 'The message the person sent (the business’s own message).' }),
  conversationKey,
  customer,
  type: z.string().meta({ description: 'The type of the message the person sent (text, image, …).' }),
  content: messageContentSchema,
  humanTakeoverUntil: isoTime.optional().meta({
    description:
      'Until when the pipeline’s auto-responder and hooks stay quiet in this conversation; bots on the bus should do the same.',
  }),
});

/** Detail of `Flow Completed`. */
export const flowCompletedSchema = z.object({
  ...common,
  wamid: wamid.meta({ description: 'The message that carried the answers (an `nfm_reply`).' }),
  conversationKey,
  customer,
  groupId,
  flowToken: z.string().optional().meta({
    description: 'The `flow_token` the business gave the Flow when it sent it: which Flow, for whom.',
  }),
  response: personal(
    z.record(z.string(), z.json()).optional(),
    "The Flow's answers, as data (`response_json` parsed): the customer's words.",
  ),
  responseJson: personal(
    z.string().optional(),
    'The answers as received, only when they are not a JSON object a record can hold.',
  ),
  replyTo: wamid.optional().meta({ description: 'The message that sent the Flow.' }),
});

/** Detail of `Message Deleted`. */
export const messageDeletedSchema = z.object({
  ...common,
  wamid: wamid.meta({ description: 'The message the customer deleted; its content is no longer stored.' }),
  conversationKey,
  customer,
  groupId,
});

/** Detail of `Message Status Changed`. */
export const messageStatusChangedSchema = z.object({
  ...common,
  wamid,
  direction: z.enum(['inbound', 'outbound']),
  conversationKey: conversationKey.optional(),
  recipient: customer.optional(),
  previousStatus: z.string().optional().meta({ description: 'Absent for the first status.' }),
  status: z.string().meta({
    description: 'sent, delivered, read, played, failed, deleted, or a status Meta added later.',
  }),
  errors: z.array(whatsAppError).optional(),
  pricing: pricing.optional(),
  conversation: conversationInfo.optional(),
});

/** Detail of `Message Failed`. */
export const messageFailedSchema = z.object({
  ...common,
  businessPhoneNumberId: common.businessPhoneNumberId.optional().meta({
    description: "Meta's id of the business number; absent when an EventBridge failure event names none.",
  }),
  origin: z.enum(['status', 'delivery-event', 'handover']).meta({
    description:
      'A `failed` status in the webhook, an End User Messaging Social EventBridge failure event, or a send End User Messaging Social accepted and could not hand to Meta (`WhatsApp Message Handover Failed`).',
  }),
  matched: z
    .boolean()
    .meta({ description: 'Whether the failure was matched to a message of this pipeline.' }),
  unmatchedReason: z.enum(['unknown-message-id', 'missing-message-id']).optional(),
  wamid: wamid.optional(),
  conversationKey: conversationKey.optional(),
  action: z.enum(['receipt', 'reaction']).optional().meta({
    description: 'The auto-response the failure concerns (delivery events of the pipeline’s own sends).',
  }),
  awsMessageId: z.string().optional(),
  status: z.string().meta({ description: '`failed`, `undeliverable`, or the status AWS reported.' }),
  errors: z.array(whatsAppError),
});

/** Detail of `Auto Response Completed`. */
export const autoResponseCompletedSchema = z.object({
  ...common,
  wamid,
  conversationKey,
  receipt: actionOutcome,
  reaction: actionOutcome,
});

/** Detail of `Webhook Error`. */
export const webhookErrorSchema = z.object({
  ...common,
  wabaId: z.string(),
  ...whatsAppError.shape,
});

/** Detail of `Media Archived`. */
export const mediaArchivedSchema = z.object({
  ...common,
  wamid,
  conversationKey,
  mediaType: z.enum(MEDIA_TYPES),
  bucket: z.string(),
  keyPrefix: z.string().meta({
    description: 'The object is `<keyPrefix><mediaId>.<extension>`; the prefix holds no personal data.',
  }),
  mimeType: z.string().optional(),
  fileSizeKb: z.number().optional().meta({ description: 'As GetWhatsAppMessageMedia reports it.' }),
});

/** What every account-health event has: no business number, since most are about a WABA. */
const healthCommon = {
  schemaVersion: z.literal(CONVERSATION_EVENT_SCHEMA_VERSION),
  eventId: common.eventId,
  pipeline: common.pipeline,
  wabaId: z.string().meta({ description: 'The WhatsApp Business Account.' }),
  occurredAt: isoTime.meta({ description: "Meta's time of the change." }),
};

/** One aspect of a subject moving to a new state (docs/account-health.md). */
const aspectChange = {
  field: z.string().meta({ description: 'The webhook field the change came in.' }),
  event: z.string().meta({ description: "Meta's word for what happened, verbatim (`PAUSED`, `RED`, …)." }),
  previousEvent: z
    .string()
    .optional()
    .meta({ description: 'The event this one replaces as the current state; absent for the first.' }),
  previous: z.string().optional().meta({ description: 'The state before, as Meta reported it.' }),
  value: z.string().optional().meta({ description: 'A messaging limit, a ban state, a requested name.' }),
  reason: z.string().optional().meta({ description: 'The reason Meta gave.' }),
  detail: z.string().optional(),
  severity: z.string().optional(),
  restrictions: z
    .array(z.object({ type: z.string().optional(), expiration: z.string().optional() }))
    .optional(),
};

/** Detail of `Template Status Changed`. */
export const templateStatusChangedSchema = z.object({
  ...healthCommon,
  templateId: z.string(),
  templateName: z.string().optional(),
  language: z.string().optional(),
  aspect: z.enum(HEALTH_ASPECTS.template),
  ...aspectChange,
});

/** Detail of `Phone Number Quality Changed`. */
export const phoneNumberQualityChangedSchema = z.object({
  ...healthCommon,
  displayPhoneNumber: z.string().meta({ description: "The business's number, as Meta names it here." }),
  aspect: z.enum(HEALTH_ASPECTS['phone-number']),
  ...aspectChange,
});

/** Detail of `Account Status Changed`. */
export const accountStatusChangedSchema = z.object({
  ...healthCommon,
  aspect: z.enum(HEALTH_ASPECTS.account),
  ...aspectChange,
});

/** Detail of `Flow Status Changed`. */
export const flowStatusChangedSchema = z.object({
  ...healthCommon,
  flowId: z.string(),
  flowName: z.string().optional(),
  aspect: z.enum(HEALTH_ASPECTS.flow).meta({
    description:
      '`status`: DRAFT, PUBLISHED, DEPRECATED, BLOCKED or THROTTLED; `endpoint`: an alert of its endpoint.',
  }),
  ...aspectChange,
});

/** Detail of `Contract Drift Detected`. */
export const contractDriftDetectedSchema = z.object({
  schemaVersion: healthCommon.schemaVersion,
  eventId: healthCommon.eventId,
  pipeline: healthCommon.pipeline,
  wabaId: z.string().optional(),
  occurredAt: isoTime.meta({ description: 'When the pipeline first saw this shape.' }),
  kind: z.enum(['field', 'message-type', 'status', 'health-event', 'call-event']),
  name: z.string().meta({ description: "Meta's name of the unknown thing (`<field>:<event>` for health)." }),
  shapeDigest: z
    .string()
    .meta({ description: 'The same shape is reported once; another shape of the same name again.' }),
  shape: z.json().meta({
    description:
      'The skeleton: keys, the types of values and the words of `type`, `status`, `event` and `field`; never a value.',
  }),
});

/** Detail of `Marketing Preference Changed`. */
export const marketingPreferenceChangedSchema = z.object({
  ...healthCommon,
  businessPhoneNumberId: common.businessPhoneNumberId,
  conversationKey,
  customer,
  category: z.string().meta({ description: '`marketing_messages`.' }),
  preference: z.string().meta({ description: '`stop` or `resume`, or a value Meta added later.' }),
  previousPreference: z.string().optional(),
});

const identifiers = z.object({
  phone: personal(z.string().optional(), 'WhatsApp number, digits only.'),
  userId: personal(z.string().optional(), 'Business-scoped user id (BSUID).'),
});

/** Detail of `Customer Identity Changed`. */
export const customerIdentityChangedSchema = z.object({
  ...common,
  kind: z.enum(['phone-number', 'user-id', 'security-code', 'merged']).meta({
    description:
      '`phone-number`: the customer changed number (their BSUID changes with it); `user-id`: their BSUID changed; `security-code`: their security code changed (same identifiers); `merged`: two conversations turned out to be one person’s, and `previousConversationKey` joined `conversationKey`.',
  }),
  conversationKey,
  customer,
  previousConversationKey: personal(
    z.string().optional(),
    'Of `merged`: the conversation that joined this one.',
  ),
  previous: identifiers
    .optional()
    .meta({ description: 'The identifiers the customer had (not of `merged`).' }),
  next: identifiers.optional().meta({
    description: 'The identifiers the customer has now, as far as Meta said; replies go to these.',
  }),
  wamid: wamid
    .optional()
    .meta({ description: 'The system message that reported the change (not of `merged`).' }),
});

/** Detail of `Message Stalled`. */
export const messageStalledSchema = z.object({
  ...common,
  state: z.enum(['stalled', 'cleared']).meta({
    description:
      '`stalled`: EUM accepted the send and nothing followed within `stallMinutes`; `cleared`: a hand-off, status or failure came after all.',
  }),
  awsMessageId: z.string().meta({ description: 'The AWS message id SendWhatsAppMessage returned.' }),
  kind: z.enum(['receipt', 'reaction', 'text', 'template', 'other']),
  sentBy: z.string().meta({ description: '`auto-response`, `hook:<name>`, or what a fork names.' }),
  conversationKey: conversationKey.optional(),
  inReplyTo: wamid
    .optional()
    .meta({ description: 'The message the send answered, reacted to or marked read.' }),
  acceptedAt: isoTime.optional(),
  stalledAt: isoTime,
  handedOver: z.boolean().meta({
    description: 'Whether EUM reported handing it to Meta: then Meta went silent, else EUM did.',
  }),
  ledgerState: z
    .string()
    .meta({ description: 'Where the send stands in the ledger now (docs/send-ledger.md).' }),
});

/** The detail schema of each detail-type. */
export const DETAIL_SCHEMAS = {
  [CONVERSATION_EVENT.messageReceived]: messageReceivedSchema,
  [CONVERSATION_EVENT.callCompleted]: callCompletedSchema,
  [CONVERSATION_EVENT.callMissed]: callMissedSchema,
  [CONVERSATION_EVENT.humanReplied]: humanRepliedSchema,
  [CONVERSATION_EVENT.flowCompleted]: flowCompletedSchema,
  [CONVERSATION_EVENT.messageEdited]: messageEditedSchema,
  [CONVERSATION_EVENT.messageDeleted]: messageDeletedSchema,
  [CONVERSATION_EVENT.messageStatusChanged]: messageStatusChangedSchema,
  [CONVERSATION_EVENT.messageFailed]: messageFailedSchema,
  [CONVERSATION_EVENT.autoResponseCompleted]: autoResponseCompletedSchema,
  [CONVERSATION_EVENT.webhookError]: webhookErrorSchema,
  [CONVERSATION_EVENT.mediaArchived]: mediaArchivedSchema,
  [CONVERSATION_EVENT.templateStatusChanged]: templateStatusChangedSchema,
  [CONVERSATION_EVENT.phoneNumberQualityChanged]: phoneNumberQualityChangedSchema,
  [CONVERSATION_EVENT.accountStatusChanged]: accountStatusChangedSchema,
  [CONVERSATION_EVENT.flowStatusChanged]: flowStatusChangedSchema,
  [CONVERSATION_EVENT.contractDriftDetected]: contractDriftDetectedSchema,
  [CONVERSATION_EVENT.marketingPreferenceChanged]: marketingPreferenceChangedSchema,
  [CONVERSATION_EVENT.customerIdentityChanged]: customerIdentityChangedSchema,
  [CONVERSATION_EVENT.messageStalled]: messageStalledSchema,
} as const satisfies Record<ConversationEventType, z.ZodType>;

/** The detail of a detail-type. */
export type DetailOf<T extends ConversationEventType> = z.infer<(typeof DETAIL_SCHEMAS)[T]>;

/** Detail of `Message Received`. */
export type MessageReceived = DetailOf<typeof CONVERSATION_EVENT.messageReceived>;
/** Detail of `Call Completed`. */
export type CallCompleted = DetailOf<typeof CONVERSATION_EVENT.callCompleted>;
/** Detail of `Call Missed`. */
export type CallMissed = DetailOf<typeof CONVERSATION_EVENT.callMissed>;
/** Detail of `Human Replied`. */
export type HumanReplied = DetailOf<typeof CONVERSATION_EVENT.humanReplied>;
/** Detail of `Flow Completed`. */
export type FlowCompleted = DetailOf<typeof CONVERSATION_EVENT.flowCompleted>;
/** Detail of `Message Edited`. */
export type MessageEdited = DetailOf<typeof CONVERSATION_EVENT.messageEdited>;
/** Detail of `Message Deleted`. */
export type MessageDeleted = DetailOf<typeof CONVERSATION_EVENT.messageDeleted>;
/** Detail of `Message Status Changed`. */
export type MessageStatusChanged = DetailOf<typeof CONVERSATION_EVENT.messageStatusChanged>;
/** Detail of `Message Failed`. */
export type MessageFailed = DetailOf<typeof CONVERSATION_EVENT.messageFailed>;
/** Detail of `Auto Response Completed`. */
export type AutoResponseCompleted = DetailOf<typeof CONVERSATION_EVENT.autoResponseCompleted>;
/** Detail of `Webhook Error`. */
export type WebhookErrorEvent = DetailOf<typeof CONVERSATION_EVENT.webhookError>;
/** Detail of `Media Archived`. */
export type MediaArchived = DetailOf<typeof CONVERSATION_EVENT.mediaArchived>;
/** Detail of `Template Status Changed`. */
export type TemplateStatusChanged = DetailOf<typeof CONVERSATION_EVENT.templateStatusChanged>;
/** Detail of `Phone Number Quality Changed`. */
export type PhoneNumberQualityChanged = DetailOf<typeof CONVERSATION_EVENT.phoneNumberQualityChanged>;
/** Detail of `Account Status Changed`. */
export type AccountStatusChanged = DetailOf<typeof CONVERSATION_EVENT.accountStatusChanged>;
/** Detail of `Flow Status Changed`. */
export type FlowStatusChanged = DetailOf<typeof CONVERSATION_EVENT.flowStatusChanged>;
/** Detail of `Contract Drift Detected`. */
export type ContractDriftDetected = DetailOf<typeof CONVERSATION_EVENT.contractDriftDetected>;
/** Detail of `Marketing Preference Changed`. */
export type MarketingPreferenceChanged = DetailOf<typeof CONVERSATION_EVENT.marketingPreferenceChanged>;
/** Detail of `Customer Identity Changed`. */
export type CustomerIdentityChanged = DetailOf<typeof CONVERSATION_EVENT.customerIdentityChanged>;
/** Detail of `Message Stalled`. */
export type MessageStalled = DetailOf<typeof CONVERSATION_EVENT.messageStalled>;
/** The outcome of one auto-response action in an event. */
export type ActionOutcome = z.infer<typeof actionOutcome>;

/** A conversation event as the publisher puts it: a detail-type and its detail. */
export type ConversationEventEntry = {
  [T in ConversationEventType]: { readonly detailType: T; readonly detail: DetailOf<T> };
}[ConversationEventType];

/** The envelope of an EventBridge event, as a rule's target receives it. */
export const eventEnvelopeSchema = z.object({
  id: z.string(),
  source: z.literal(CONVERSATION_EVENT_SOURCE),
  'detail-type': z.string(),
  time: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  detail: z.unknown(),
});
