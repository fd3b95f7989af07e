import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  activityBucketOf,
  CONVERSATION_TABLE,
  conversationItemKey,
  conversationKeyOf,
  customerAliasKey,
  ENTITY,
  messageKey,
  sendKey,
  webhookErrorPartition,
} from '../contracts';
import { readMarketingPreference } from '../lambda/adapters/health-store';
import {
  type CallItem,
  type ConversationItem,
  type CustomerAliasItem,
  conversationFromItem,
  fromItem,
  ItemDecodeError,
  type MarketingPreferenceItem,
  type MessageItem,
  messageFromItem,
  type SendItem,
  type WebhookErrorItem,
} from '../lambda/adapters/items';
import { queryAll } from '../lambda/adapters/query';

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

  /** A send of the send ledger by its AWS message id (docs/send-ledger.md). */
  async getSend(awsMessageId: string): Promise<SendItem | undefined> {
    const stored = await this.get(sendKey(awsMessageId));
    if (stored === undefined) return undefined;
    const item = fromItem(stored);
    if (item.entity !== ENTITY.send) throw new ItemDecodeError(`Expected a send, found a ${item.entity}`);
    return item;
  }

  /** A customer's marketing preference on a business number (docs/account-health.md). */
  getMarketingPreference(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<MarketingPreferenceItem | undefined> {
    return readMarketingPreference(this.client, this.tableName, businessPhoneNumberId, customerKey);
  }

  /**
   * A customer's conversation on a business number (Meta's phone-number id), by their customer key
   * or by any identifier they were seen by (a phone number, a BSUID, a number they gave up). A
   * conversation merged into another leads to the one it joined (docs/identity.md).
   */
  async getConversation(
    businessPhoneNumberId: string,
    customer: string,
  ): Promise<ConversationItem | undefined> {
    let key = customer;
    const seen = new Set<string>();
    for (;;) {
      const conversation = await this.getExactConversation(businessPhoneNumberId, key);
      const next =
        conversation?.mergedInto ??
        (conversation === undefined ? await this.aliasOf(businessPhoneNumberId, key) : undefined);
      // A merge chain ends at a conversation nothing merged away; a cycle would be a defect.
      if (next === undefined || seen.has(next)) return conversation;
      seen.add(key);
      key = next;
    }
  }

  /** The conversation item under exactly this customer key, merged away or not. */
  async getExactConversation(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<ConversationItem | undefined> {
    const item = await this.get(conversationItemKey(conversationKeyOf(businessPhoneNumberId, customerKey)));
    return item === undefined ? undefined : conversationFromItem(item);
  }

  /** The alias of an identifier a customer was seen by: what it points at. */
  async getAlias(businessPhoneNumberId: string, identifier: string): Promise<CustomerAliasItem | undefined> {
    const stored = await this.get(customerAliasKey(businessPhoneNumberId, identifier));
    if (stored === undefined) return undefined;
    const item = fromItem(stored);
    if (item.entity !== ENTITY.customerAlias)
      throw new ItemDecodeError(`Expected a customer alias, found a ${item.entity}`);
    return item;
  }

  private async aliasOf(businessPhoneNumberId: string, identifier: string): Promise<string | undefined> {
    const alias = await this.getAlias(businessPhoneNumberId, identifier);
    return alias?.customerKey === identifier ? undefined : alias?.customerKey;
  }

  /** A conversation's messages, inbound and outbound, oldest first. */
  async listMessages(businessPhoneNumberId: string, customerKey: string): Promise<MessageItem[]> {
    const timeline = await this.listTimeline(businessPhoneNumberId, customerKey);
    return timeline.filter((item): item is MessageItem => item.entity === ENTITY.message);
  }

  /**
   * A conversation's messages and calls, oldest first: its own, and those of every conversation
   * merged into it, which stay where they were written.
   */
  async listTimeline(businessPhoneNumberId: string, customerKey: string): Promise<TimelineItem[]> {
    const { indexName, partitionKey, sortKey } = CONVERSATION_TABLE.byConversation;
    const conversation = await this.getExactConversation(businessPhoneNumberId, customerKey);
    const keys = [customerKey, ...(conversation?.mergedFrom ?? [])];
    const pages = await Promise.all(
      keys.map((key) =>
        this.queryAll({
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: marshall({ ':pk': conversationKeyOf(businessPhoneNumberId, key) }),
        }),
      ),
    );
    const sortOf = (stored: Record<string, AttributeValue>) => stored[sortKey]?.S ?? '';
    const items = pages.flat().sort((a, b) => (sortOf(a) < sortOf(b) ? -1 : sortOf(a) > sortOf(b) ? 1 : 0));
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
    const found: { businessPhoneNumberId: string; customerKey: string }[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    const named = (attribute: string) => candidates.map((_, i) => `${attribute} = :c${i}`).join(' OR ');
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          // Conversations by their current identifiers, and aliases by any identifier ever seen.
          FilterExpression: `(entity = :conversation AND (${named('customerKey')} OR ${named('customerPhone')} OR ${named('customerUserId')})) OR (entity = :alias AND (${named('identifier')}))`,
          ExpressionAttributeValues: marshall({
            ':conversation': ENTITY.conversation,
            ':alias': ENTITY.customerAlias,
            ...Object.fromEntries(candidates.map((c, i) => [`:c${i}`, c])),
          }),
          ExclusiveStartKey,
        }),
      );
      for (const stored of page.Items ?? []) {
        const item = fromItem(stored);
        if (item.entity === ENTITY.conversation || item.entity === ENTITY.customerAlias) found.push(item);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    // Each leads to its live conversation; a customer found twice (by alias and by key) is one.
    const conversations = await Promise.all(
      found.map((f) => this.getConversation(f.businessPhoneNumberId, f.customerKey)),
    );
    const unique = new Map(
      conversations.flatMap((c) => (c === undefined ? [] : [[c.conversationKey, c] as const])),
    );
    return [...unique.values()];
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

  private queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    return queryAll(this.client, { ...input, TableName: this.tableName });
  }
}
