import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CONVERSATION_TABLE, failureDigestPartition } from '../../contracts';
import { type FailureDigestItem, failureDigestFromItem, keyOf } from './items';

/** Reads and marks the failure digests of the conversation table. */
export class DigestStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** The digests of one window that have failures not yet notified. */
  async pending(windowStart: string): Promise<FailureDigestItem[]> {
    const items: FailureDigestItem[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: 'attribute_not_exists(notifiedCount) OR notifiedCount < #count',
          ExpressionAttributeNames: { '#pk': CONVERSATION_TABLE.partitionKey, '#count': 'count' },
          ExpressionAttributeValues: marshall({ ':pk': failureDigestPartition(windowStart) }),
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(failureDigestFromItem));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }

  /**
   * Records that a notification reported `count` failures of a digest. Conditional, so two runs
   * never both record; false when another run already recorded as many.
   */
  async markNotified(digest: FailureDigestItem, count: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(keyOf(digest)),
          UpdateExpression: 'SET notifiedCount = :count',
          ConditionExpression: 'attribute_not_exists(notifiedCount) OR notifiedCount < :count',
          ExpressionAttributeValues: marshall({ ':count': count }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
