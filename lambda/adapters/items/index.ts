/**
 * The items of the conversation table: their typed shapes, and the codecs between them and the
 * stored attributes. This module is the only place that knows attribute names; everything above the
 * adapters sees these types. See docs/table-design.md.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import {
  accountHealthKey,
  CONVERSATION_TABLE,
  conversationItemKey,
  ENTITY,
  failureDigestKey,
  flowHealthKey,
  healthAlertKey,
  marketingPreferenceKey,
  messageKey,
  orphanFailureKey,
  phoneNumberHealthKey,
  type TableKey,
  templateHealthKey,
  webhookErrorPartition,
} from '../../../contracts';
import { statusRank } from '../../domain/status';
import { type CustomerAliasItem, customerAliasItemKey, customerAliasSchema } from './alias';
import { type CallItem, callItemKey, callItemSchema, callStatusKeyOf } from './call';
import { type ContractDriftItem, contractDriftItemKey, contractDriftSchema } from './drift';
import { type SideEffectItem, sideEffectItemKey, sideEffectItemSchema } from './effect';

export type { CustomerAliasItem, IdentifierKind } from './alias';
export { type CallItem, type CallStatusEntry, callStatusKeyOf } from './call';
export type { DeliveryFailure, SendError } from './common';
export type { ConversationItem } from './conversation';
export type { CostTotalItem, PricedMessageItem } from './cost';
export type { ContractDriftItem } from './drift';
export type { SideEffectItem } from './effect';
export type { FailureDigestItem, OrphanFailureItem, WebhookErrorItem } from './failures';
export {
  type AccountHealthItem,
  type FlowHealthItem,
  type HealthAlertItem,
  type HealthAspectState,
  type HealthHistoryEntry,
  healthHistoryKeyOf,
  type MarketingPreferenceItem,
  type PhoneNumberHealthItem,
  type PreferenceHistoryEntry,
  preferenceHistoryKeyOf,
  type SubjectHealthItem,
  type TemplateHealthItem,
} from './health';
export {
  type ActionRecord,
  type ActionState,
  type AutoResponseRecord,
  type Claim,
  type HistoryImport,
  type MediaArchiveRecord,
  type MediaSkipReason,
  type MessageItem,
  RESPONSE_ACTION_NAMES,
  type ResponseActionName,
  type StatusHistoryEntry,
  statusKeyOf,
} from './message';
export type { SendItem } from './send';

import { compact } from './common';
import { type ConversationItem, conversationSchema } from './conversation';
import {
  type CostTotalItem,
  costTotalItemKey,
  costTotalSchema,
  type PricedMessageItem,
  pricedMessageItemKey,
  pricedMessageSchema,
} from './cost';
import {
  type FailureDigestItem,
  failureDigestSchema,
  type OrphanFailureItem,
  orphanSchema,
  type WebhookErrorItem,
  webhookErrorSchema,
} from './failures';
import {
  accountHealthSchema,
  flowHealthSchema,
  type HealthAlertItem,
  healthAlertSchema,
  healthHistoryKeyOf,
  type MarketingPreferenceItem,
  marketingPreferenceSchema,
  phoneNumberHealthSchema,
  preferenceHistoryKeyOf,
  type SubjectHealthItem,
  templateHealthSchema,
} from './health';
import { type MessageItem, messageSchema, statusKeyOf } from './message';
import { type SendItem, sendItemKey, sendItemSchema } from './send';

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
  | SideEffectItem
  | CallItem
  | ContractDriftItem
  | CustomerAliasItem
  | SendItem
  | PricedMessageItem
  | CostTotalItem;

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
  /** Of messages: the customer's edits, and the wamid of each (a redelivered edit is a no-op). */
  edits: 'edits',
  editKeys: 'editKeys',
  /** Of messages: the tombstone of a message the customer deleted. */
  deletion: 'deletion',
  content: 'content',
  /** Of conversations: until when a person handles it, from the WhatsApp Business app. */
  humanTakeoverUntil: 'humanTakeoverUntil',
  /** Of messages: when an echo of the WhatsApp Business app was recorded. */
  echoedAt: 'echoedAt',
  /** Of messages: how a message of the app's chat history was imported. */
  imported: 'imported',
  payload: 'payload',
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
    case ENTITY.flowHealth:
      return flowHealthKey(item.wabaId, item.flowId);
    case ENTITY.marketingPreference:
      return marketingPreferenceKey(item.conversationKey, item.category);
    case ENTITY.healthAlert:
      return healthAlertKey(item.windowStart, item.subjectKey, item.aspect);
    case ENTITY.sideEffect:
      return sideEffectItemKey(item);
    case ENTITY.call:
      return callItemKey(item);
    case ENTITY.contractDrift:
      return contractDriftItemKey(item);
    case ENTITY.customerAlias:
      return customerAliasItemKey(item);
    case ENTITY.send:
      return sendItemKey(item);
    case ENTITY.pricedMessage:
      return pricedMessageItemKey(item);
    case ENTITY.costTotal:
      return costTotalItemKey(item);
  }
}

/**
 * The attributes of an item without its key, undefined values left out. The store writes these
 * with SET (and `if_not_exists` where a first writer must win).
 */
export function toAttributes(item: TableItem): Attributes {
  switch (item.entity) {
    case ENTITY.message: {
      const { claim, statusHistory, edits, ...rest } = item;
      return compact({
        ...rest,
        [ATTRIBUTE.claimedBy]: claim?.owner,
        [ATTRIBUTE.claimExpiresAt]: claim?.expiresAtMs,
        [ATTRIBUTE.statusHistory]: statusHistory.length > 0 ? statusHistory : undefined,
        [ATTRIBUTE.edits]: edits === undefined || edits.length === 0 ? undefined : edits,
        [ATTRIBUTE.editKeys]:
          edits === undefined || edits.length === 0 ? undefined : new Set(edits.map((e) => e.wamid)),
      });
    }
    case ENTITY.orphanFailure: {
      const { failure, ...rest } = item;
      // Flat, as the first layout wrote it: status, errors and ids at the top of the item.
      return compact({ ...failure, ...rest });
    }
    case ENTITY.templateHealth:
    case ENTITY.phoneNumberHealth:
    case ENTITY.accountHealth:
    case ENTITY.flowHealth: {
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
    case ENTITY.call: {
      const { statuses, ...rest } = item;
      return compact({
        ...rest,
        statuses: statuses.length > 0 ? statuses : undefined,
        [ATTRIBUTE.statusKeys]:
          statuses.length > 0 ? new Set(statuses.map((s) => callStatusKeyOf(s.status, s.at))) : undefined,
      });
    }
    case ENTITY.conversation:
    case ENTITY.webhookError:
    case ENTITY.failureDigest:
    case ENTITY.healthAlert:
    case ENTITY.sideEffect:
    case ENTITY.contractDrift:
    case ENTITY.customerAlias:
    case ENTITY.send:
    case ENTITY.pricedMessage:
    case ENTITY.costTotal:
      return compact({ ...item });
  }
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
    case ENTITY.flowHealth:
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

const itemSchema = z.union([
  messageSchema,
  conversationSchema,
  webhookErrorSchema,
  orphanSchema,
  failureDigestSchema,
  templateHealthSchema,
  phoneNumberHealthSchema,
  accountHealthSchema,
  flowHealthSchema,
  marketingPreferenceSchema,
  healthAlertSchema,
  sideEffectItemSchema,
  callItemSchema,
  contractDriftSchema,
  customerAliasSchema,
  sendItemSchema,
  pricedMessageSchema,
  costTotalSchema,
]);
