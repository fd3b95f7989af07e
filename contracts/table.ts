/**
 * Key, index and attribute names of the conversation table, shared by the construct that creates it,
 * the adapters that read and write it, and the ops tools. See docs/table-design.md.
 */
export const CONVERSATION_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB deletes the item. */
  timeToLiveAttribute: 'expiresAt',
  /** A conversation's messages in time order. */
  byConversation: {
    indexName: 'byConversation',
    partitionKey: 'conversationKey',
    sortKey: 'conversationSort',
  },
  /** Conversations of a business number by day of last inbound message, most recent first. */
  byActivity: { indexName: 'byActivity', partitionKey: 'activityBucket', sortKey: 'lastInboundAt' },
  /** Messages by the AWS message id of their read receipt (EventBridge events carry AWS ids). */
  byReceiptMessageId: { indexName: 'byReceiptMessageId', partitionKey: 'receiptMessageId' },
  /** Messages by the AWS message id of their reaction. */
  byReactionMessageId: { indexName: 'byReactionMessageId', partitionKey: 'reactionMessageId' },
  /** Sends not settled yet, by business number and hour, oldest first: the stall watch (sparse). */
  byStall: { indexName: 'byStall', partitionKey: 'stallPartition', sortKey: 'stallAt' },
} as const;

/** The `entity` attribute of every item: what kind of record it is. */
export const ENTITY = {
  message: 'message',
  conversation: 'conversation',
  webhookError: 'webhook-error',
  orphanFailure: 'orphan-failure',
  failureDigest: 'failure-digest',
  /** A template's status, quality and category (docs/account-health.md). */
  templateHealth: 'template-health',
  /** A business phone number's messaging limit and display name. */
  phoneNumberHealth: 'phone-number-health',
  /** A WhatsApp Business Account's status, review, capabilities and alerts. */
  accountHealth: 'account-health',
  /** A Flow's status and its endpoint's alerts. */
  flowHealth: 'flow-health',
  /** A customer's marketing-message preference, under the conversation's partition. */
  marketingPreference: 'marketing-preference',
  /** A health change that needs a human, waiting in its digest window. */
  healthAlert: 'health-alert',
  /** One exactly-once side effect (a hook's reply): its claim, then its outcome. */
  sideEffect: 'side-effect',
  /** A shape Meta sent that this code does not know yet, as a skeleton (docs/whatsapp-surface.md). */
  contractDrift: 'contract-drift',
  /** A WhatsApp call with a customer: who called, when, how long, how it ended (`field: calls`). */
  call: 'call',
  /**
   * One identifier of a customer (a phone number or a business-scoped user id) and the customer it
   * belongs to on a business number: how one person stays one conversation (docs/identity.md).
   */
  customerAlias: 'customer-alias',
  /** One `SendWhatsAppMessage` the pipeline made, and what became of it (docs/send-ledger.md). */
  send: 'send',
  /** A message's price category counted once, beside the message (docs/cost.md). */
  pricedMessage: 'priced-message',
  /** Messages of one business number, UTC day, category and pricing type (docs/cost.md). */
  costTotal: 'cost-total',
} as const;

/** One of the item kinds of the table. */
export type EntityName = (typeof ENTITY)[keyof typeof ENTITY];

/** A table key. */
export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/** Key of a message item. Statuses carry only the wamid, so that alone must find it. */
export function messageKey(wamid: string): TableKey {
  return { pk: `MSG#${wamid}`, sk: 'MESSAGE' };
}

/** Key of a conversation item. */
export function conversationItemKey(conversationKey: string): TableKey {
  return { pk: `CONV#${conversationKey}`, sk: 'CONVERSATION' };
}

/** The customer key of a group's conversation: a group is its own conversation, whoever writes in it. */
export function groupCustomerKey(groupId: string): string {
  return `GROUP#${groupId}`;
}

/** The key of a conversation: the business number (Meta's id) and the customer. */
export function conversationKeyOf(businessPhoneNumberId: string, customerKey: string): string {
  return `${businessPhoneNumberId}#${customerKey}`;
}

/**
 * Key of the alias of one customer identifier (a phone number or a business-scoped user id) on a
 * business number, beside the conversation that identifier alone would key: a resolver reads both
 * with one BatchGetItem, and a conversation stored before aliases existed is still found.
 */
export function customerAliasKey(businessPhoneNumberId: string, identifier: string): TableKey {
  return { pk: conversationItemKey(conversationKeyOf(businessPhoneNumberId, identifier)).pk, sk: 'ALIAS' };
}

/**
 * Key of a send in the ledger: its AWS message id, which every later report (EUM's hand-off
 * events, EventBridge failures) names; a send the API never answered has a request id instead.
 */
export function sendKey(sendId: string): TableKey {
  return { pk: `SEND#${sendId}`, sk: 'SEND' };
}

/**
 * Key of the marker that a message was counted in its price category: beside the message, so a
 * redelivered or reordered status of the same wamid and category counts nothing.
 */
export function pricedMessageKey(wamid: string, category: string): TableKey {
  return { pk: `MSG#${wamid}`, sk: `PRICED#${category}` };
}

/**
 * Partition of one UTC day's message counts by price category, of every business number: the
 * digest reads a day in one query, whatever numbers sent that day.
 */
export function costDayPartition(day: string): string {
  return `COST#${day}`;
}

/**
 * Where a priced message's recipient is, as a rate card prices it: the calling code of their phone
 * number, or the region of their business-scoped user id when Meta gave no phone number.
 */
export interface RecipientMarket {
  readonly callingCode?: string;
  readonly region?: string;
}

/** The sort-key segment of a {@link RecipientMarket}: `+44`, `US`, or `?` for neither. */
export function marketSegment(market: RecipientMarket): string {
  if (market.callingCode !== undefined) return `+${market.callingCode}`;
  return market.region ?? '?';
}

/**
 * Key of one day's count of a business number's messages of one category, pricing type and
 * recipient market. Sorted by number first, so one number's day is a `begins_with` query.
 */
export function costTotalKey(
  day: string,
  businessPhoneNumberId: string,
  category: string,
  pricingType: string,
  market: RecipientMarket,
): TableKey {
  return {
    pk: costDayPartition(day),
    sk: `${businessPhoneNumberId}#${category}#${pricingType}#${marketSegment(market)}`,
  };
}

/** How many partitions one hour of the stall watch spreads over. */
export const STALL_SHARDS = 8;

/**
 * Partition of the stall watch: sends accepted in one UTC hour that have not settled yet, spread
 * over {@link STALL_SHARDS} shards by send id so a busy hour stays under a partition's write limit.
 * The digest reads every shard of the hours a stall can have happened in.
 */
export function stallPartitionOf(isoTimestamp: string, shard: number): string {
  return `STALL#${isoTimestamp.slice(0, 13)}#${shard}`;
}

/** The activity bucket of a conversation: its business number and the UTC day of its last inbound message. */
export function activityBucketOf(businessPhoneNumberId: string, isoTimestamp: string): string {
  return `${businessPhoneNumberId}#${isoTimestamp.slice(0, 10)}`;
}

/** Partition key of a business number's webhook-level errors. */
export function webhookErrorPartition(businessPhoneNumberId: string): string {
  return `WEBHOOKERROR#${businessPhoneNumberId}`;
}

/** Key of a failure that could not be matched to a message: unknown or missing AWS message id. */
export function orphanFailureKey(awsMessageId: string | undefined, eventId: string): TableKey {
  return { pk: `ORPHANFAILURE#${awsMessageId ?? 'missing'}`, sk: eventId };
}

/** Partition of one failure-digest window: every number and error code of that window. */
export function failureDigestPartition(windowStart: string): string {
  return `DIGEST#${windowStart}`;
}

/** Key of the failure count of one business number and error code in one window. */
export function failureDigestKey(windowStart: string, businessPhoneNumberId: string, code: string): TableKey {
  return { pk: failureDigestPartition(windowStart), sk: `${businessPhoneNumberId}#${code}` };
}

/** Partition of a WABA's health: its templates, phone numbers and account, read with one Query. */
export function healthPartition(wabaId: string): string {
  return `HEALTH#${wabaId}`;
}

/** Key of a template's health record. */
export function templateHealthKey(wabaId: string, templateId: string): TableKey {
  return { pk: healthPartition(wabaId), sk: `TEMPLATE#${templateId}` };
}

/** Key of a business phone number's health record (Meta identifies it by its display number). */
export function phoneNumberHealthKey(wabaId: string, displayPhoneNumber: string): TableKey {
  return { pk: healthPartition(wabaId), sk: `NUMBER#${displayPhoneNumber}` };
}

/** Key of a Flow's health record. */
export function flowHealthKey(wabaId: string, flowId: string): TableKey {
  return { pk: healthPartition(wabaId), sk: `FLOW#${flowId}` };
}

/** Key of a WABA's account health record. */
export function accountHealthKey(wabaId: string): TableKey {
  return { pk: healthPartition(wabaId), sk: 'ACCOUNT' };
}

/**
 * Key of a customer's preference of one category, in the conversation's partition: a sender that
 * knows the conversation finds it with one GetItem.
 */
export function marketingPreferenceKey(conversationKey: string, category: string): TableKey {
  return { pk: conversationItemKey(conversationKey).pk, sk: `PREFERENCE#${category}` };
}

/** Key of a health alert in its digest window: one per subject and aspect, the newest winning. */
export function healthAlertKey(windowStart: string, subjectSortKey: string, aspect: string): TableKey {
  return { pk: failureDigestPartition(windowStart), sk: `HEALTH#${subjectSortKey}#${aspect}` };
}

/** Partition of every contract-drift shape: `npm run drift` reads them with one Query. */
export const CONTRACT_DRIFT_PARTITION = 'DRIFT';

/** Key of one drifted shape: its kind, its name and a digest of its skeleton. */
export function contractDriftKey(kind: string, name: string, shapeDigest: string): TableKey {
  return { pk: CONTRACT_DRIFT_PARTITION, sk: `${kind}#${name}#${shapeDigest}` };
}

/** Key of a call: webhooks of a call carry only its id (`wacid.…`), so that alone must find it. */
export function callKey(callId: string): TableKey {
  return { pk: `CALL#${callId}`, sk: 'CALL' };
}

/**
 * Key of one side effect in the partition of what it belongs to (a message's `MSG#<wamid>`), so the
 * effects of a message sit beside it.
 */
export function sideEffectKey(scope: string, effect: string): TableKey {
  return { pk: scope, sk: `EFFECT#${effect}` };
}
