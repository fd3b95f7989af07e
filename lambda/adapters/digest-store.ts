import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CONVERSATION_TABLE, ENTITY, failureDigestPartition } from '../../contracts';
import {
  type FailureDigestItem,
  type HealthAlertItem,
  healthRecordFromItem,
  ItemDecodeError,
  keyOf,
} from './items';
import { queryAll } from './query';

/** The items of one digest window that were not notified yet. */
export interface PendingDigest {
  readonly failures: readonly FailureDigestItem[];
  readonly health: readonly HealthAlertItem[];
}

/** Reads and marks the failure digests of the conversation table. */
export class DigestStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * What one window holds that was not notified yet: failure counts (one notification each) and
   * account-health alerts (one notification for all).
   */
  async pending(windowStart: string): Promise<PendingDigest> {
    const failures: FailureDigestItem[] = [];
    const health: HealthAlertItem[] = [];
    const stored = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: 'attribute_not_exists(notifiedCount) OR notifiedCount < #count',
      ExpressionAttributeNames: { '#pk': CONVERSATION_TABLE.partitionKey, '#count': 'count' },
      ExpressionAttributeValues: marshall({ ':pk': failureDigestPartition(windowStart) }),
      ConsistentRead: true,
    });
    for (const raw of stored) {
      const item = healthRecordFromItem(raw);
      if (item.entity === ENTITY.failureDigest) failures.push(item);
      else if (item.entity === ENTITY.healthAlert) health.push(item);
      else throw new ItemDecodeError(`A digest window holds a ${item.entity}`);
    }
    return { failures, health };
  }

  /**
   * Records that a notification reported `count` failures of a digest. Conditional, so two runs
   * never both record; false when another run already recorded as many.
   */
  async markNotified(digest: FailureDigestItem | HealthAlertItem, count: number): Promise<boolean> {
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
