import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { MessageFailure } from '../domain/failure-event';
import { CONVERSATION_TABLE, orphanFailureKey } from '../shared/table-schema';
import type { ResponseActionName } from './conversation-store';

/** Options of a {@link FailureStore}. */
export interface FailureStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retentionDays: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** A message this pipeline sent an auto-response for, found by that response's AWS message id. */
export interface OutboundMatch {
  readonly pk: string;
  readonly sk: string;
  readonly action: ResponseActionName;
}

/** Records delivery failures reported by EventBridge on the conversation table. */
export class FailureStore {
  private readonly retentionSeconds: number;
  private readonly clock: () => Date;

  constructor(private readonly options: FailureStoreOptions) {
    this.retentionSeconds = options.retentionDays * 86_400;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Finds the message whose read receipt or reaction got this AWS message id. */
  async findByAwsMessageId(awsMessageId: string): Promise<OutboundMatch | undefined> {
    const lookups = (
      [
        ['receipt', CONVERSATION_TABLE.byReceiptMessageId],
        ['reaction', CONVERSATION_TABLE.byReactionMessageId],
      ] as const
    ).map(async ([action, index]) => {
      const { Items = [] } = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#id = :id',
          ExpressionAttributeNames: { '#id': index.partitionKey },
          ExpressionAttributeValues: marshall({ ':id': awsMessageId }),
          Limit: 1,
        }),
      );
      const [item] = Items.map((i) => unmarshall(i));
      return typeof item?.pk === 'string' && typeof item.sk === 'string'
        ? { pk: item.pk, sk: item.sk, action }
        : undefined;
    });
    const [receipt, reaction] = await Promise.all(lookups);
    return receipt ?? reaction;
  }

  /**
   * Records the failure on the message, under the action it concerns. Keyed by the EventBridge
   * event id, so a redelivered event rewrites the same entry.
   *
   * @returns false when the message no longer exists (expired), so the caller can keep an orphan
   */
  async recordOnMessage(match: OutboundMatch, failure: MessageFailure): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: marshall({ pk: match.pk, sk: match.sk }),
          UpdateExpression: 'SET #ar.#action.#delivery = :delivery',
          ConditionExpression: 'attribute_exists(#ar.#action)',
          ExpressionAttributeNames: {
            '#ar': 'autoResponse',
            '#action': match.action,
            '#delivery': 'delivery',
          },
          ExpressionAttributeValues: marshall(
            { ':delivery': this.failureAttributes(failure) },
            { removeUndefinedValues: true },
          ),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Keeps a failure that matches no message of this pipeline (a message sent by another system,
   * or one whose record expired), or that carries no message id at all; flagged with the reason.
   */
  async recordOrphan(
    failure: MessageFailure,
    reason: 'unknown-message-id' | 'missing-message-id',
  ): Promise<void> {
    const now = this.clock();
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: marshall(
          {
            ...orphanFailureKey(failure.awsMessageId, failure.eventId),
            entity: 'orphan-failure',
            reason,
            ...this.failureAttributes(failure),
            businessPhoneNumberId: failure.metaPhoneNumberId,
            wabaId: failure.wabaId,
            payload: JSON.stringify(failure.raw),
            expiresAt: Math.floor(now.getTime() / 1000) + this.retentionSeconds,
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  private failureAttributes(failure: MessageFailure) {
    return {
      status: failure.status ?? failure.detailType,
      detailType: failure.detailType,
      awsMessageId: failure.awsMessageId,
      errors: failure.errors,
      eventId: failure.eventId,
      occurredAt: failure.occurredAt,
      recordedAt: this.clock().toISOString(),
    };
  }
}
