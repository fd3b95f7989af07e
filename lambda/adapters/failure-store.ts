import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { CONVERSATION_TABLE, ENTITY, type TableKey } from '../../contracts';
import type { MessageFailure } from '../domain/failure-event';
import {
  ATTRIBUTE,
  type DeliveryFailure,
  type OrphanFailureItem,
  type ResponseActionName,
  toItem,
} from './items';

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
  readonly key: TableKey;
  readonly action: ResponseActionName;
}

const INDEX_BY_ACTION = [
  ['receipt', CONVERSATION_TABLE.byReceiptMessageId],
  ['reaction', CONVERSATION_TABLE.byReactionMessageId],
] as const;

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
    const lookups = INDEX_BY_ACTION.map(async ([action, index]) => {
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
      const { pk, sk } = item ?? {};
      return typeof pk === 'string' && typeof sk === 'string' ? { key: { pk, sk }, action } : undefined;
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
          Key: marshall(match.key),
          UpdateExpression: 'SET #ar.#action.#delivery = :delivery',
          ConditionExpression: 'attribute_exists(#ar.#action)',
          ExpressionAttributeNames: {
            '#ar': ATTRIBUTE.autoResponse,
            '#action': match.action,
            '#delivery': 'delivery',
          },
          ExpressionAttributeValues: marshall(
            { ':delivery': this.deliveryFailure(failure) },
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
  async recordOrphan(failure: MessageFailure, reason: OrphanFailureItem['reason']): Promise<void> {
    const now = this.clock();
    const item: OrphanFailureItem = {
      entity: ENTITY.orphanFailure,
      reason,
      failure: this.deliveryFailure(failure),
      businessPhoneNumberId: failure.metaPhoneNumberId,
      wabaId: failure.wabaId,
      payload: failure.rawJson,
      expiresAt: Math.floor(now.getTime() / 1000) + this.retentionSeconds,
    };
    await this.options.client.send(
      new PutItemCommand({ TableName: this.options.tableName, Item: toItem(item) }),
    );
  }

  private deliveryFailure(failure: MessageFailure): DeliveryFailure {
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
