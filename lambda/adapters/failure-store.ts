import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { CONVERSATION_TABLE, ENTITY, failureDigestKey, type TableKey } from '../../contracts';
import { windowOf } from '../domain/failure-digest';
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
   * event id, so a redelivered event changes nothing.
   *
   * @returns `recorded`; `already-recorded` for a redelivery of the same event; `missing` when the
   *   message no longer exists (expired), so the caller can keep an orphan
   */
  async recordOnMessage(
    match: OutboundMatch,
    failure: MessageFailure,
  ): Promise<'recorded' | 'already-recorded' | 'missing'> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: marshall(match.key),
          UpdateExpression: 'SET #ar.#action.#delivery = :delivery',
          ConditionExpression:
            'attribute_exists(#ar.#action) AND (attribute_not_exists(#ar.#action.#delivery) OR #ar.#action.#delivery.#eventId <> :eventId)',
          ExpressionAttributeNames: {
            '#ar': ATTRIBUTE.autoResponse,
            '#action': match.action,
            '#delivery': 'delivery',
            '#eventId': 'eventId',
          },
          ExpressionAttributeValues: marshall(
            { ':delivery': this.deliveryFailure(failure), ':eventId': failure.eventId },
            { removeUndefinedValues: true },
          ),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item === undefined ? 'missing' : 'already-recorded';
    }
  }

  /**
   * Keeps a failure that matches no message of this pipeline (a message sent by another system,
   * or one whose record expired), or that carries no message id at all; flagged with the reason.
   *
   * @returns `already-recorded` for a redelivery of the same event
   */
  async recordOrphan(
    failure: MessageFailure,
    reason: OrphanFailureItem['reason'],
  ): Promise<'recorded' | 'already-recorded'> {
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
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: toItem(item),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already-recorded';
      throw error;
    }
  }

  /**
   * Counts a newly recorded failure in its digest window, by business number and error code. Called
   * only for failures recorded for the first time, so redeliveries never count twice. One write,
   * no read; a failure that arrives after a later one costs a second, conditional write that keeps
   * `firstAt` and `lastAt` the true first and last times.
   */
  async countInDigest(failure: MessageFailure, windowMinutes: number): Promise<void> {
    const now = this.clock();
    const at = failure.occurredAt ?? now.toISOString();
    const window = windowOf(new Date(at), windowMinutes);
    const error = failure.errors[0];
    const code = error?.code ?? 'none';
    const number = failure.metaPhoneNumberId ?? 'unknown';
    const optional = [
      ...(failure.displayPhoneNumber === undefined ? [] : ['displayPhoneNumber = :display']),
      ...(error?.title === undefined ? [] : ['title = if_not_exists(title, :title)']),
    ];
    const key = marshall(failureDigestKey(window.start, number, code));
    const { Attributes: old } = await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: key,
        ReturnValues: 'ALL_OLD',
        UpdateExpression: `SET ${[
          '#entity = :entity',
          'windowStart = :start',
          'windowEnd = :end',
          'businessPhoneNumberId = :number',
          'code = :code',
          'firstAt = if_not_exists(firstAt, :at)',
          'lastAt = :at',
          'expiresAt = :expires',
          ...optional,
        ].join(', ')} ADD #count :one`,
        ExpressionAttributeNames: { '#entity': ATTRIBUTE.entity, '#count': 'count' },
        ExpressionAttributeValues: marshall(
          {
            ':entity': ENTITY.failureDigest,
            ':start': window.start,
            ':end': window.end,
            ':number': number,
            ':code': code,
            ':at': at,
            ':expires': Math.floor(now.getTime() / 1000) + this.retentionSeconds,
            ':display': failure.displayPhoneNumber,
            ':title': error?.title,
            ':one': 1,
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
    const previous = old === undefined ? {} : unmarshall(old);
    // Out of order: put the true bounds back, each only if no other failure moved it further.
    if (typeof previous.firstAt === 'string' && previous.firstAt > at) {
      await this.setBound(key, 'firstAt', at, '>');
    }
    if (typeof previous.lastAt === 'string' && previous.lastAt > at) {
      await this.setBound(key, 'lastAt', previous.lastAt, '<');
    }
  }

  /** Sets a time bound of a digest if the stored one is on the wrong side of `value`. */
  private async setBound(
    key: Record<string, AttributeValue>,
    name: 'firstAt' | 'lastAt',
    value: string,
    storedIs: '>' | '<',
  ): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: `SET ${name} = :value`,
          ConditionExpression: `${name} ${storedIs} :value`,
          ExpressionAttributeValues: marshall({ ':value': value }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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
