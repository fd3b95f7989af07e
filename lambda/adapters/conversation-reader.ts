import { type DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { currentStatus } from '../domain/status';
import {
  activityBucketOf,
  CONVERSATION_TABLE,
  conversationItemKey,
  conversationKeyOf,
  messageKey,
} from '../shared/table-schema';

/** A stored record, as DynamoDB returns it. */
export type StoredRecord = Readonly<Record<string, unknown>>;

/** One entry of a message's status history. */
export interface StatusHistoryEntry {
  readonly status: string;
  readonly at: string;
  readonly errors?: unknown;
  readonly pricing?: unknown;
}

/** A message record with its derived current status and its status history, oldest first. */
export interface StoredMessage {
  readonly record: StoredRecord;
  readonly currentStatus?: string;
  readonly statusHistory: readonly StatusHistoryEntry[];
}

const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Reads the conversation table for people and tests: the inspection command, the local pipeline's
 * report and integration tests. The Lambda functions never read.
 */
export class ConversationReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** A message by its wamid. */
  async getMessage(wamid: string): Promise<StoredMessage | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(messageKey(wamid)),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toStoredMessage(unmarshall(Item));
  }

  /** A conversation by business number (Meta's phone-number id) and customer key. */
  async getConversation(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<StoredRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(conversationItemKey(conversationKeyOf(businessPhoneNumberId, customerKey))),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : unmarshall(Item);
  }

  /** A conversation's messages, inbound and outbound, oldest first. */
  async listMessages(businessPhoneNumberId: string, customerKey: string): Promise<StoredMessage[]> {
    const { indexName, partitionKey } = CONVERSATION_TABLE.byConversation;
    const items = await this.queryAll({
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': conversationKeyOf(businessPhoneNumberId, customerKey) }),
    });
    return items.map(toStoredMessage);
  }

  /** Conversations of a business number whose last inbound message is at most `days` UTC days old, newest first. */
  async listActiveConversations(businessPhoneNumberId: string, now: Date, days = 2): Promise<StoredRecord[]> {
    const { indexName, partitionKey } = CONVERSATION_TABLE.byActivity;
    const results: StoredRecord[] = [];
    for (let d = 0; d < days; d++) {
      const day = new Date(now.getTime() - d * 86_400_000).toISOString();
      results.push(
        ...(await this.queryAll({
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: marshall({ ':pk': activityBucketOf(businessPhoneNumberId, day) }),
          ScanIndexForward: false,
        })),
      );
    }
    return results;
  }

  /**
   * Conversations of a customer on any business number, by customer key or phone number. Scans the
   * table (for people during incidents, not for code paths); pass the business number to avoid it.
   */
  async findConversations(customer: string): Promise<StoredRecord[]> {
    const items: StoredRecord[] = [];
    let ExclusiveStartKey: ConstructorParameters<typeof ScanCommand>[0]['ExclusiveStartKey'];
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression:
            'entity = :conversation AND (customerKey = :customer OR customerPhone = :customer)',
          ExpressionAttributeValues: marshall({ ':conversation': 'conversation', ':customer': customer }),
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }

  /** Webhook-level errors of a business number, oldest first. */
  async listWebhookErrors(businessPhoneNumberId: string): Promise<StoredRecord[]> {
    return this.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': CONVERSATION_TABLE.partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': `WEBHOOKERROR#${businessPhoneNumberId}` }),
    });
  }

  private async queryAll(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<StoredRecord[]> {
    const items: StoredRecord[] = [];
    let ExclusiveStartKey: ConstructorParameters<typeof QueryCommand>[0]['ExclusiveStartKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }
}

/** Whether the customer-service window is open: less than 24 hours since the customer's last message. */
export function serviceWindowOpen(conversation: StoredRecord, now: Date): boolean {
  const last = conversation.lastInboundAt;
  return typeof last === 'string' && now.getTime() - Date.parse(last) < SERVICE_WINDOW_MS;
}

function toStoredMessage(record: StoredRecord): StoredMessage {
  const seen =
    record.statuses instanceof Set ? [...record.statuses].filter((s) => typeof s === 'string') : [];
  const statusHistory = Object.entries(record)
    .filter(([name]) => name.startsWith('status_'))
    .flatMap(([, value]) => (isHistoryEntry(value) ? [value] : []))
    .sort((a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status));
  return { record, currentStatus: currentStatus(seen), statusHistory };
}

function isHistoryEntry(value: unknown): value is StatusHistoryEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof value.status === 'string' &&
    'at' in value &&
    typeof value.at === 'string'
  );
}
