/**
 * The items of the conversation table: their typed shapes, and the codecs between them and the
 * stored attributes. This module is the only place that knows attribute names; everything above the
 * adapters sees these types. See docs/table-design.md.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import {
  type AccountAspect,
  accountHealthKey,
  CONVERSATION_TABLE,
  conversationItemKey,
  ENTITY,
  failureDigestKey,
  HEALTH_ASPECTS,
  type HealthAspect,
  healthAlertKey,
  marketingPreferenceKey,
  messageKey,
  orphanFailureKey,
  type PhoneNumberAspect,
  phoneNumberHealthKey,
  type TableKey,
  type TemplateAspect,
  templateHealthKey,
  webhookErrorPartition,
} from '../../contracts';
import {
  type ConversationInfo,
  type MessageContent,
  type MessageStatus,
  type Pricing,
  type Referral,
  type RoutingKind,
  toMessageStatus,
  type WhatsAppError,
} from '../domain/model';
import type { Address } from '../domain/outbound';
import { statusRank } from '../domain/status';
import { storedContentSchema } from './content-item';
import { type SideEffectItem, sideEffectItemKey, sideEffectItemSchema } from './effect-item';

export type { SideEffectItem } from './effect-item';

/** The auto-response actions of a message. */
export type ResponseActionName = 'receipt' | 'reaction';

/** Every auto-response action, in the order they are planned. */
export const RESPONSE_ACTION_NAMES: readonly ResponseActionName[] = ['receipt', 'reaction'];

/** A delivery failure End User Messaging Social reported later, through EventBridge. */
export interface DeliveryFailure {
  readonly status: string;
  readonly detailType: string;
  readonly awsMessageId?: string;
  readonly errors: readonly WhatsAppError[];
  /** The EventBridge event id: the idempotency key of the report. */
  readonly eventId: string;
  readonly occurredAt?: string;
  readonly recordedAt: string;
}

/** A stored error of a send. */
export interface SendError {
  readonly name: string;
  readonly message: string;
}

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
  | { readonly state: 'fetching'; readonly owner: string; readonly expiresAtMs: number; readonly at: string }
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
}

/** A conversation: one customer on one business number. */
export interface ConversationItem {
  readonly entity: typeof ENTITY.conversation;
  readonly conversationKey: string;
  readonly businessPhoneNumberId: string;
  readonly customerKey: string;
  readonly customerPhone?: string;
  readonly customerUserId?: string;
  readonly originationPhoneNumberId?: string;
  readonly profileName?: string;
  readonly username?: string;
  /** Time of the newest inbound message: the customer-service window opens there. */
  readonly lastInboundAt?: string;
  readonly lastInboundWamid?: string;
  readonly activityBucket?: string;
  readonly createdAt?: string;
  readonly inboundCount: number;
  readonly expiresAt: number;
}

/** A webhook-level error of a business number. */
export interface WebhookErrorItem {
  readonly entity: typeof ENTITY.webhookError;
  readonly businessPhoneNumberId: string;
  /** The envelope's publication time, or the recording time; with `digest`, the sort key. */
  readonly occurredAt: string;
  /** A hash of the error's content, so a redelivery overwrites the same item. */
  readonly digest: string;
  readonly wabaId: string;
  readonly snsMessageId: string;
  readonly code: string;
  readonly title?: string;
  readonly message?: string;
  readonly details?: string;
  readonly payload: string;
  readonly recordedAt: string;
  readonly expiresAt: number;
}

/** A failure event that matched no message of this pipeline, or that had no message id. */
export interface OrphanFailureItem {
  readonly entity: typeof ENTITY.orphanFailure;
  readonly reason: 'unknown-message-id' | 'missing-message-id';
  readonly failure: DeliveryFailure;
  readonly businessPhoneNumberId?: string;
  readonly wabaId?: string;
  readonly payload: string;
  readonly expiresAt: number;
}

/** How many messages failed with one error code on one business number in one digest window. */
export interface FailureDigestItem {
  readonly entity: typeof ENTITY.failureDigest;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly businessPhoneNumberId: string;
  readonly displayPhoneNumber?: string;
  readonly code: string;
  readonly title?: string;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** The count the last notification reported; absent before the first. */
  readonly notifiedCount?: number;
  readonly expiresAt: number;
}

/** The state one aspect of a template, number or account was left in by its newest change. */
export interface HealthAspectState {
  /** Meta's word for what happened, verbatim (`PAUSED`, `RED`, `DOWNGRADE`, …). */
  readonly event: string;
  /** Meta's time of the change (ISO): a change older than this one never replaces it. */
  readonly at: string;
  /** The webhook field it came in. */
  readonly field: string;
  readonly previous?: string;
  readonly value?: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly severity?: string;
  readonly restrictions?: readonly { readonly type?: string; readonly expiration?: string }[];
}

/** One change of a subject's history, newest-wins or not. */
export interface HealthHistoryEntry extends HealthAspectState {
  readonly aspect: HealthAspect;
  readonly snsMessageId: string;
  readonly recordedAt: string;
}

/** What every template, number and account health record has. */
interface SubjectHealthCommon<A extends HealthAspect> {
  readonly wabaId: string;
  /** The newest state of each aspect seen so far. */
  readonly current: { readonly [K in A]?: HealthAspectState };
  /** Every change recorded, oldest first. */
  readonly history: readonly HealthHistoryEntry[];
  readonly updatedAt: string;
}

/** A template's health: status, quality and category. No TTL: it holds no personal data. */
export interface TemplateHealthItem extends SubjectHealthCommon<TemplateAspect> {
  readonly entity: typeof ENTITY.templateHealth;
  readonly templateId: string;
  readonly templateName?: string;
  readonly language?: string;
}

/** A business phone number's health: its quality flag and messaging limit, and its display name. */
export interface PhoneNumberHealthItem extends SubjectHealthCommon<PhoneNumberAspect> {
  readonly entity: typeof ENTITY.phoneNumberHealth;
  readonly displayPhoneNumber: string;
}

/** A WABA's health: status (restrictions, bans, violations), review, capabilities, alerts. */
export interface AccountHealthItem extends SubjectHealthCommon<AccountAspect> {
  readonly entity: typeof ENTITY.accountHealth;
}

/** One recorded preference change of a customer. */
export interface PreferenceHistoryEntry {
  readonly preference: string;
  readonly at: string;
  readonly snsMessageId: string;
  readonly recordedAt: string;
}

/** A customer's preference of one category of messages on one business number. */
export interface MarketingPreferenceItem {
  readonly entity: typeof ENTITY.marketingPreference;
  readonly conversationKey: string;
  readonly businessPhoneNumberId: string;
  readonly wabaId: string;
  readonly category: string;
  readonly customerKey: string;
  readonly customerPhone?: string;
  readonly customerUserId?: string;
  /** `stop` or `resume` (or a value Meta added later), as of `preferenceAt`. */
  readonly preference: string;
  readonly preferenceAt: string;
  readonly detail?: string;
  readonly history: readonly PreferenceHistoryEntry[];
  readonly expiresAt: number;
}

/** A health change that needs a human, waiting for the digest of its window. */
export interface HealthAlertItem {
  readonly entity: typeof ENTITY.healthAlert;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly wabaId: string;
  /** The sort key of the subject's health record (`TEMPLATE#<id>`, `NUMBER#<n>`, `ACCOUNT`). */
  readonly subjectKey: string;
  /** A human name of the subject: the template's name and language, the number, the account. */
  readonly subject: string;
  readonly aspect: HealthAspect;
  readonly event: string;
  readonly severity: 'critical' | 'warning';
  readonly headline: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly runbookSection: string;
  /** Meta's time of the newest change of this subject and aspect in the window. */
  readonly at: string;
  /** Changes of this subject and aspect recorded in the window. */
  readonly count: number;
  readonly notifiedCount?: number;
  readonly expiresAt: number;
}

/** The health record kinds of a subject. */
export type SubjectHealthItem = TemplateHealthItem | PhoneNumberHealthItem | AccountHealthItem;

/** Every item kind of the table, discriminated on `entity`. */
export type TableItem =
  | MessageItem
  | ConversationItem
  | WebhookErrorItem
  | OrphanFailureItem
  | FailureDigestItem
  | SubjectHealthItem
  | MarketingPreferenceItem
  | HealthAlertItem
  | SideEffectItem;

/** Attribute names the store writes by name (everything else is written through the codecs). */
export const ATTRIBUTE = {
  entity: 'entity',
  autoResponse: 'autoResponse',
  claimedBy: 'claimedBy',
  claimExpiresAt: 'claimExpiresAt',
  receivedAt: 'receivedAt',
  lastInboundAt: 'lastInboundAt',
  inboundCount: 'inboundCount',
  createdAt: 'createdAt',
  expiresAt: CONVERSATION_TABLE.timeToLiveAttribute,
  status: 'status',
  statusAt: 'statusAt',
  /** Rank of the current status, so a condition can refuse a regression (see domain/status.ts). */
  statusRank: 'statusRank',
  statusHistory: 'statusHistory',
  /** `<status>#<timestamp>` of every recorded status: makes a redelivered status a no-op. */
  statusKeys: 'statusKeys',
  mediaArchive: 'mediaArchive',
  /** Of health records: every change, newest-wins or not. */
  history: 'history',
  /** Of health records: the idempotency key of every change in `history`. */
  historyKeys: 'historyKeys',
  receiptMessageId: CONVERSATION_TABLE.byReceiptMessageId.partitionKey,
  reactionMessageId: CONVERSATION_TABLE.byReactionMessageId.partitionKey,
} as const;

/** Attribute values as the codecs produce them, before marshalling. */
export type Attributes = Readonly<Record<string, unknown>>;

/** The key of an item. */
export function keyOf(item: TableItem): TableKey {
  switch (item.entity) {
    case ENTITY.message:
      return messageKey(item.wamid);
    case ENTITY.conversation:
      return conversationItemKey(item.conversationKey);
    case ENTITY.webhookError:
      return {
        pk: webhookErrorPartition(item.businessPhoneNumberId),
        sk: `${item.occurredAt}#${item.digest}`,
      };
    case ENTITY.orphanFailure:
      return orphanFailureKey(item.failure.awsMessageId, item.failure.eventId);
    case ENTITY.failureDigest:
      return failureDigestKey(item.windowStart, item.businessPhoneNumberId, item.code);
    case ENTITY.templateHealth:
      return templateHealthKey(item.wabaId, item.templateId);
    case ENTITY.phoneNumberHealth:
      return phoneNumberHealthKey(item.wabaId, item.displayPhoneNumber);
    case ENTITY.accountHealth:
      return accountHealthKey(item.wabaId);
    case ENTITY.marketingPreference:
      return marketingPreferenceKey(item.conversationKey, item.category);
    case ENTITY.healthAlert:
      return healthAlertKey(item.windowStart, item.subjectKey, item.aspect);
    case ENTITY.sideEffect:
      return sideEffectItemKey(item);
  }
}

/**
 * The attributes of an item without its key, undefined values left out. The store writes these
 * with SET (and `if_not_exists` where a first writer must win).
 */
export function toAttributes(item: TableItem): Attributes {
  switch (item.entity) {
    case ENTITY.message: {
      const { claim, statusHistory, ...rest } = item;
      return compact({
        ...rest,
        [ATTRIBUTE.claimedBy]: claim?.owner,
        [ATTRIBUTE.claimExpiresAt]: claim?.expiresAtMs,
        [ATTRIBUTE.statusHistory]: statusHistory.length > 0 ? statusHistory : undefined,
      });
    }
    case ENTITY.orphanFailure: {
      const { failure, ...rest } = item;
      // Flat, as the first layout wrote it: status, errors and ids at the top of the item.
      return compact({ ...failure, ...rest });
    }
    case ENTITY.templateHealth:
    case ENTITY.phoneNumberHealth:
    case ENTITY.accountHealth: {
      // Each aspect is a top-level attribute, so one write can condition on its time alone.
      const { current, history, ...rest } = item;
      return compact({
        ...rest,
        ...current,
        [ATTRIBUTE.history]: history,
        [ATTRIBUTE.historyKeys]:
          history.length === 0
            ? undefined
            : new Set(history.map((h) => healthHistoryKeyOf(h.aspect, h.event, h.at))),
      });
    }
    case ENTITY.marketingPreference: {
      const { history, ...rest } = item;
      return compact({
        ...rest,
        [ATTRIBUTE.history]: history,
        [ATTRIBUTE.historyKeys]:
          history.length === 0
            ? undefined
            : new Set(history.map((h) => preferenceHistoryKeyOf(h.preference, h.at))),
      });
    }
    case ENTITY.conversation:
    case ENTITY.webhookError:
    case ENTITY.failureDigest:
    case ENTITY.healthAlert:
    case ENTITY.sideEffect:
      return compact({ ...item });
  }
}

/** The idempotency key of one change of a subject's health: a redelivery has the same one. */
export function healthHistoryKeyOf(aspect: string, event: string, at: string): string {
  return `${aspect}#${event}#${at}`;
}

/** The idempotency key of one preference change. */
export function preferenceHistoryKeyOf(preference: string, at: string): string {
  return `${preference}#${at}`;
}

/** The whole item as DynamoDB stores it: key and attributes, marshalled. */
export function toItem(item: TableItem): Record<string, AttributeValue> {
  return marshall(
    { ...toAttributes(item), ...keyOf(item), ...statusIndexAttributes(item) },
    { removeUndefinedValues: true, convertClassInstanceToMap: false },
  );
}

/** The attributes that make status writes conditional (see ConversationStore.recordStatus). */
function statusIndexAttributes(item: TableItem): Attributes {
  if (item.entity !== ENTITY.message || item.statusHistory.length === 0) return {};
  return {
    [ATTRIBUTE.statusKeys]: new Set(item.statusHistory.map((h) => statusKeyOf(h.status, h.at))),
    [ATTRIBUTE.statusRank]: item.status === undefined ? undefined : statusRank(item.status),
  };
}

/** The idempotency key of one status of a message. */
export function statusKeyOf(status: string, at: string): string {
  return `${status}#${at}`;
}

/** An item that does not have the shape of any item kind. */
export class ItemDecodeError extends Error {
  public override readonly name = 'ItemDecodeError';
}

/**
 * Decodes a stored item, marshalled or not, into its typed form, validating it on the way.
 *
 * @throws ItemDecodeError naming the key and the first problems
 */
export function fromItem(stored: Record<string, AttributeValue> | Attributes, marshalled = true): TableItem {
  const plain: Attributes = marshalled ? unmarshall(stored as Record<string, AttributeValue>) : stored;
  const parsed = itemSchema.safeParse(plain);
  if (!parsed.success) {
    const where = `${String(plain.pk)} / ${String(plain.sk)}`;
    throw new ItemDecodeError(
      `Item ${where} is not a valid ${String(plain.entity ?? 'item')}: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** {@link fromItem}, for a message key: a message item, or an error. */
export function messageFromItem(stored: Record<string, AttributeValue>): MessageItem {
  const item = fromItem(stored);
  if (item.entity !== ENTITY.message) throw new ItemDecodeError(`Expected a message, found a ${item.entity}`);
  return item;
}

/** {@link fromItem}, for an item of a health partition or a digest window. */
export function healthRecordFromItem(
  stored: Record<string, AttributeValue>,
): SubjectHealthItem | HealthAlertItem | FailureDigestItem | MarketingPreferenceItem {
  const item = fromItem(stored);
  switch (item.entity) {
    case ENTITY.templateHealth:
    case ENTITY.phoneNumberHealth:
    case ENTITY.accountHealth:
    case ENTITY.healthAlert:
    case ENTITY.failureDigest:
    case ENTITY.marketingPreference:
      return item;
    default:
      throw new ItemDecodeError(`Expected a health record, found a ${item.entity}`);
  }
}

/** {@link fromItem}, for a conversation key. */
export function conversationFromItem(stored: Record<string, AttributeValue>): ConversationItem {
  const item = fromItem(stored);
  if (item.entity !== ENTITY.conversation) {
    throw new ItemDecodeError(`Expected a conversation, found a ${item.entity}`);
  }
  return item;
}

// Read schemas. Loose where a newer writer may add attributes; strict enough
// that nothing untyped escapes.
const text = z.string();
const optionalText = z.optional(z.string());
const count = z.number();

const errorSchema = z.object({
  code: text,
  title: optionalText,
  message: optionalText,
  details: optionalText,
});
const errorsSchema = z.optional(z.array(errorSchema));

const deliverySchema = z.object({
  status: text,
  detailType: text,
  awsMessageId: optionalText,
  errors: z.array(errorSchema),
  eventId: text,
  occurredAt: optionalText,
  recordedAt: text,
});

const addressSchema = z.union([z.object({ to: text }), z.object({ recipient: text })]);
const sendErrorSchema = z.object({ name: text, message: text });

const actionSchema = z.discriminatedUnion('state', [
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

const status = z.pipe(text, z.transform(toMessageStatus));

const pricingSchema = z.object({
  billable: z.optional(z.boolean()),
  pricingModel: optionalText,
  category: optionalText,
  type: optionalText,
});
const conversationInfoSchema = z.object({
  id: optionalText,
  expiresAt: z.optional(count),
  originType: optionalText,
});

const historySchema = z.object({
  status,
  at: text,
  errors: errorsSchema,
  pricing: z.optional(pricingSchema),
  conversation: z.optional(conversationInfoSchema),
  snsMessageId: optionalText,
  recordedAt: optionalText,
});

/** Message content: derived from the kinds' one definition (contracts/message-content.ts). */
const contentSchema = storedContentSchema;

const referralSchema = z.object({
  sourceType: optionalText,
  sourceId: optionalText,
  sourceUrl: optionalText,
  headline: optionalText,
  body: optionalText,
  mediaType: optionalText,
  ctwaClid: optionalText,
});

const mediaArchiveSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('fetching'), owner: text, expiresAtMs: count, at: text }),
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

const messageSchema = z.pipe(
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
  }),
  z.transform((m): MessageItem => {
    const { claimedBy, claimExpiresAt, statusHistory, ...fields } = m;
    return {
      ...fields,
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

const conversationSchema = z.object({
  entity: z.literal(ENTITY.conversation),
  conversationKey: text,
  businessPhoneNumberId: text,
  customerKey: text,
  customerPhone: optionalText,
  customerUserId: optionalText,
  originationPhoneNumberId: optionalText,
  profileName: optionalText,
  username: optionalText,
  lastInboundAt: optionalText,
  lastInboundWamid: optionalText,
  activityBucket: optionalText,
  createdAt: optionalText,
  inboundCount: count,
  expiresAt: count,
});

const webhookErrorSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.webhookError),
    businessPhoneNumberId: text,
    wabaId: text,
    snsMessageId: text,
    code: text,
    title: optionalText,
    message: optionalText,
    details: optionalText,
    payload: text,
    recordedAt: text,
    expiresAt: count,
    occurredAt: text,
    digest: text,
  }),
  z.transform(
    (e): WebhookErrorItem => ({
      entity: e.entity,
      businessPhoneNumberId: e.businessPhoneNumberId,
      occurredAt: e.occurredAt,
      digest: e.digest,
      wabaId: e.wabaId,
      snsMessageId: e.snsMessageId,
      code: e.code,
      ...compact({ title: e.title, message: e.message, details: e.details }),
      payload: e.payload,
      recordedAt: e.recordedAt,
      expiresAt: e.expiresAt,
    }),
  ),
);

const orphanSchema = z.pipe(
  // Stored flat: the failure's fields at the top of the item (see toAttributes).
  z.extend(deliverySchema, {
    entity: z.literal(ENTITY.orphanFailure),
    reason: z.enum(['unknown-message-id', 'missing-message-id']),
    businessPhoneNumberId: optionalText,
    wabaId: optionalText,
    payload: text,
    expiresAt: count,
  }),
  z.transform(
    (o): OrphanFailureItem => ({
      entity: o.entity,
      reason: o.reason,
      failure: {
        status: o.status,
        detailType: o.detailType,
        ...compact({ awsMessageId: o.awsMessageId, occurredAt: o.occurredAt }),
        errors: o.errors,
        eventId: o.eventId,
        recordedAt: o.recordedAt,
      },
      ...compact({ businessPhoneNumberId: o.businessPhoneNumberId, wabaId: o.wabaId }),
      payload: o.payload,
      expiresAt: o.expiresAt,
    }),
  ),
);

const failureDigestSchema = z.object({
  entity: z.literal(ENTITY.failureDigest),
  windowStart: text,
  windowEnd: text,
  businessPhoneNumberId: text,
  displayPhoneNumber: optionalText,
  code: text,
  title: optionalText,
  count,
  firstAt: text,
  lastAt: text,
  notifiedCount: z.optional(count),
  expiresAt: count,
});

const aspectStateSchema = z.object({
  event: text,
  at: text,
  field: text,
  previous: optionalText,
  value: optionalText,
  reason: optionalText,
  detail: optionalText,
  severity: optionalText,
  restrictions: z.optional(z.array(z.object({ type: optionalText, expiration: optionalText }))),
});
const healthAspect = z.enum([
  ...new Set<HealthAspect>([
    ...HEALTH_ASPECTS.template,
    ...HEALTH_ASPECTS['phone-number'],
    ...HEALTH_ASPECTS.account,
  ]),
]);
const healthHistorySchema = z.extend(aspectStateSchema, {
  aspect: healthAspect,
  snsMessageId: text,
  recordedAt: text,
});
const subjectCommon = {
  wabaId: text,
  history: z.optional(z.array(healthHistorySchema)),
  updatedAt: text,
};

/** The top-level aspect attributes as `current`, and the history oldest first. */
function currentAndHistory<A extends HealthAspect>(
  aspects: readonly A[],
  stored: { readonly history?: readonly HealthHistoryEntry[] } & { readonly [K in A]?: HealthAspectState },
): { current: { [K in A]?: HealthAspectState }; history: HealthHistoryEntry[] } {
  const current: { [K in A]?: HealthAspectState } = {};
  for (const aspect of aspects) {
    const state = stored[aspect];
    if (state !== undefined) current[aspect] = state;
  }
  return {
    current,
    history: [...(stored.history ?? [])].sort(
      (a, b) => a.at.localeCompare(b.at) || a.aspect.localeCompare(b.aspect),
    ),
  };
}

const aspectFields = <A extends string>(aspects: readonly A[]) =>
  Object.fromEntries(aspects.map((a) => [a, z.optional(aspectStateSchema)])) as {
    [K in A]: z.ZodMiniOptional<typeof aspectStateSchema>;
  };

const templateHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.templateHealth),
    templateId: text,
    templateName: optionalText,
    language: optionalText,
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS.template),
  }),
  z.transform((t): TemplateHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS.template, t);
    return {
      entity: t.entity,
      wabaId: t.wabaId,
      templateId: t.templateId,
      ...compact({ templateName: t.templateName, language: t.language }),
      current,
      history,
      updatedAt: t.updatedAt,
    };
  }),
);

const phoneNumberHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.phoneNumberHealth),
    displayPhoneNumber: text,
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS['phone-number']),
  }),
  z.transform((n): PhoneNumberHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS['phone-number'], n);
    return {
      entity: n.entity,
      wabaId: n.wabaId,
      displayPhoneNumber: n.displayPhoneNumber,
      current,
      history,
      updatedAt: n.updatedAt,
    };
  }),
);

const accountHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.accountHealth),
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS.account),
  }),
  z.transform((a): AccountHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS.account, a);
    return { entity: a.entity, wabaId: a.wabaId, current, history, updatedAt: a.updatedAt };
  }),
);

const marketingPreferenceSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.marketingPreference),
    conversationKey: text,
    businessPhoneNumberId: text,
    wabaId: text,
    category: text,
    customerKey: text,
    customerPhone: optionalText,
    customerUserId: optionalText,
    preference: text,
    preferenceAt: text,
    detail: optionalText,
    history: z.optional(
      z.array(z.object({ preference: text, at: text, snsMessageId: text, recordedAt: text })),
    ),
    expiresAt: count,
  }),
  z.transform(
    ({ history, ...p }): MarketingPreferenceItem => ({
      ...p,
      history: [...(history ?? [])].sort(
        (a, b) => a.at.localeCompare(b.at) || a.preference.localeCompare(b.preference),
      ),
    }),
  ),
);

const healthAlertSchema = z.object({
  entity: z.literal(ENTITY.healthAlert),
  windowStart: text,
  windowEnd: text,
  wabaId: text,
  subjectKey: text,
  subject: text,
  aspect: healthAspect,
  event: text,
  severity: z.enum(['critical', 'warning']),
  headline: text,
  reason: optionalText,
  detail: optionalText,
  runbookSection: text,
  at: text,
  count,
  notifiedCount: z.optional(count),
  expiresAt: count,
});

const itemSchema = z.union([
  messageSchema,
  conversationSchema,
  webhookErrorSchema,
  orphanSchema,
  failureDigestSchema,
  templateHealthSchema,
  phoneNumberHealthSchema,
  accountHealthSchema,
  marketingPreferenceSchema,
  healthAlertSchema,
  sideEffectItemSchema,
]);

/** The value without its undefined members (DynamoDB stores none). */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
