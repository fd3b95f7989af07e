/**
 * Key and index names of the conversation table, shared by the CDK construct that creates it and
 * the adapter that reads and writes it, so the two cannot drift. See docs/table-design.md.
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
} as const;

/** Partition key of a message item. Statuses carry only the wamid, so that alone must find it. */
export function messageKey(wamid: string): { pk: string; sk: string } {
  return { pk: `MSG#${wamid}`, sk: 'MESSAGE' };
}

/** Partition key of a conversation item. */
export function conversationItemKey(conversationKey: string): { pk: string; sk: string } {
  return { pk: `CONV#${conversationKey}`, sk: 'CONVERSATION' };
}

/** The key of a conversation: the business number (Meta's id) and the customer. */
export function conversationKeyOf(businessPhoneNumberId: string, customerKey: string): string {
  return `${businessPhoneNumberId}#${customerKey}`;
}

/** The activity bucket of a conversation: its business number and the UTC day of its last inbound message. */
export function activityBucketOf(businessPhoneNumberId: string, isoTimestamp: string): string {
  return `${businessPhoneNumberId}#${isoTimestamp.slice(0, 10)}`;
}

/** Key of a failure that could not be matched to a message: unknown or missing AWS message id. */
export function orphanFailureKey(
  awsMessageId: string | undefined,
  eventId: string,
): { pk: string; sk: string } {
  return { pk: `ORPHANFAILURE#${awsMessageId ?? 'missing'}`, sk: eventId };
}
