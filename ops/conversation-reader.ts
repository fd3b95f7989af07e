import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  activityBucketOf,
  CONVERSATION_TABLE,
  conversationItemKey,
  conversationKeyOf,
  ENTITY,
  messageKey,
  webhookErrorPartition,
} from '../contracts';
import { readMarketingPreference } from '../lambda/adapters/health-store';
import {
  type CallItem,
  type ConversationItem,
  conversationFromItem,
  fromItem,
  ItemDecodeError,
  type MarketingPreferenceItem,
  type MessageItem,
  messageFromItem,
  type WebhookErrorItem,
} from '../lambda/adapters/items';

/** The most keys one BatchGetItem request may ask for. */
const BATCH_GET_LIMIT = 100;
/** BatchGetItem requests per batch before unprocessed keys are an error. */
const BATCH_GET_ATTEMPTS = 8;

/**
 * Reads the conversation table for people and tests: the inspection command, the local pipeline's
 * report and integration tests. The Lambda functions read only customer aliases. Every item is decoded into its
 * typed form; an item that does not decode is an error, never silently skipped.
 */
/** What a conversation's timeline holds: its messages and its calls. */
export type TimelineItem = MessageItem | CallItem;

export class ConversationReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** A message by its wamid. */
  async getMessage(wamid: string): Promise<MessageItem | undefined> {
    const item = await this.get(messageKey(wamid));
    return item === undefined ? undefined : messageFromItem(item);
  }

  /**
   * Messages by wamid, in the order asked (undefined where there is none): BatchGetItem, 100 keys a
   * request, for reading thousands at once (the bench checks every message of a storm).
   */
  async getMessages(wamids: readonly string[]): Promise<(MessageItem | undefined)[]> {
    const found = new Map<string, MessageItem>();
    // A request may not ask for one key twice.
    const unique = [...new Set(wamids)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, AttributeValue>[] | undefined = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map((wamid) => marshall(messageKey(wamid)));
      for (let attempt = 0; keys !== undefined && keys.length > 0; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS) {
          throw new Error(
            `${keys.length} message(s) still unprocessed after ${attempt} BatchGetItem attempts`,
          );
        }
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const answer: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const message = messageFromItem(item);
          found.set(message.wamid, message);
        }
        // DynamoDB may leave keys unprocessed when it throttles; they are asked again.
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return wamids.map((wamid) => found.get(wamid));
  }

  /** A customer's marketing preference on a business number (docs/account-health.md). */
  getMarketingPreference(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<MarketingPreferenceItem | undefined> {
    return readMarketingPreference(this.client, this.tableName, businessPhoneNumberId, customerKey);
  }

  /** A conversation by business number (Meta's phone-number id) and customer key. */
  async getConversation(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<ConversationItem | undefined> {
    const item = await this.get(conversationItemKey(conversationKeyOf(businessPhoneNumberId, customerKey)));
    return item === undefined ? undefined : conversationFromItem(item);
  }

  /** A conversation's messages, inbound and outbound, oldest first. */
  async listMessages(businessPhoneNumberId: string, customerKey: string): Promise<MessageItem[]> {
    const timeline = await this.listTimeline(businessPhoneNumberId, customerKey);
    return timeline.filter((item): item is MessageItem => item.entity === ENTITY.message);
  }

  /** A conversation's messages and calls, oldest first. */
  async listTimeline(businessPhoneNumberId: string, customerKey: string): Promise<TimelineItem[]> {
    const { indexName, partitionKey } = CONVERSATION_TABLE.byConversation;
    const items = await this.queryAll({
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': conversationKeyOf(businessPhoneNumberId, customerKey) }),
    });
    return items.map((stored) => {
      const item = fromItem(stored);
      if (item.entity !== ENTITY.message && item.entity !== ENTITY.call) {
        throw new ItemDecodeError(`Expected a message or a call in a conversation, found a ${item.entity}`);
      }
      return item;
    });
  }

  /** Conversations of a business number whose last inbound message is at most `days` UTC days old, newest first. */
  async listActiveConversations(
    businessPhoneNumberId: string,
    now: Date,
    days = 2,
  ): Promise<ConversationItem[]> {
    const { indexName, partitionKey } = CONVERSATION_TABLE.byActivity;
    const results: ConversationItem[] = [];
    for (let d = 0; d < days; d++) {
      const day = new Date(now.getTime() - d * 86_400_000).toISOString();
      const items = await this.queryAll({
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: marshall({ ':pk': activityBucketOf(businessPhoneNumberId, day) }),
        ScanIndexForward: false,
      });
      results.push(...items.map(conversationFromItem));
    }
    return results;
  }

  /**
   * Conversations of a customer on any business number, by customer key or phone number (with or
   * without a leading `+`, spaces or dashes). Scans the table (for people during incidents, not for
   * code paths); pass the business number to avoid it.
   */
  async findConversations(customer: string): Promise<ConversationItem[]> {
    const candidates = [...new Set([customer, customer.replace(/[\s+()-]/g, '')])];
    const items: ConversationItem[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: `entity = :conversation AND (${candidates
            .map((_, i) => `customerKey = :c${i} OR customerPhone = :c${i}`)
            .join(' OR ')})`,
          ExpressionAttributeValues: marshall({
            ':conversation': ENTITY.conversation,
            ...Object.fromEntries(candidates.map((c, i) => [`:c${i}`, c])),
          }),
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(conversationFromItem));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }

  /** Webhook-level errors of a business number, oldest first. */
  async listWebhookErrors(businessPhoneNumberId: string): Promise<WebhookErrorItem[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': CONVERSATION_TABLE.partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': webhookErrorPartition(businessPhoneNumberId) }),
    });
    return items.map((stored) => {
      const item = fromItem(stored);
      if (item.entity !== ENTITY.webhookError)
        throw new Error(`Expected a webhook error, found a ${item.entity}`);
      return item;
    });
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, AttributeValue> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(key), ConsistentRead: true }),
    );
    return Item;
  }

  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }
}
