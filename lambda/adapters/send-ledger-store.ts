/**
 * The send ledger on the conversation table: one item per `SendWhatsAppMessage`, keyed by its AWS
 * message id, which the sender writes when the API answers and EUM's hand-off events and
 * EventBridge failures advance, in any order (docs/send-ledger.md).
 */
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  CONVERSATION_TABLE,
  DEFAULT_STALL_MINUTES,
  ENTITY,
  STALL_SHARDS,
  sendKey,
  stallPartitionOf,
} from '../../contracts';
import {
  failureRank,
  isSettled,
  SEND_STEPS,
  type SendFailure,
  type SendKind,
  type SendObservation,
  STEP_ATTRIBUTE,
  settlingStep,
} from '../domain/send-ledger';
import { fromItem, ItemDecodeError, type SendItem } from './items';
import { queryAll } from './query';
import { buildUpdateExpression, type UpdateSpec } from './update-expression';

/** Options of a {@link SendLedgerStore}. */
export interface SendLedgerStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retentionDays: number;
  /**
   * Minutes after its acceptance that a send which has not settled is flagged as stalled.
   * @default DEFAULT_STALL_MINUTES (10)
   */
  readonly stallMinutes?: number;
  readonly clock?: () => Date;
}

/** What the sender knows of a send when the API has answered (or not). */
export interface SendRecord {
  readonly kind: SendKind;
  /** `auto-response`, `hook:<name>`, or a fork's own name. */
  readonly sentBy: string;
  readonly originationPhoneNumberId: string;
  readonly businessPhoneNumberId?: string;
  readonly conversationKey?: string;
  readonly inReplyTo?: string;
  readonly requestedAt: string;
  readonly outcome:
    | { readonly kind: 'accepted'; readonly awsMessageId: string; readonly at: string }
    | {
        readonly kind: 'failed';
        readonly at: string;
        readonly error: SendErrorRecord;
        readonly code?: string;
      }
    | { readonly kind: 'unknown'; readonly at: string; readonly error: SendErrorRecord };
}

/** The error of a send the API refused or left unanswered. */
export interface SendErrorRecord {
  readonly name: string;
  readonly message: string;
}

/** What one report did to the ledger. */
export interface ObserveOutcome {
  /** The send as it is now. */
  readonly item: SendItem;
  /** Whether the report moved anything: false for a repeat, or a later report of a step already reported earlier. */
  readonly changed: boolean;
}

/** A report about a send the pipeline did not record is kept a day, in case the sender's write is late. */
const UNKNOWN_SEND_SECONDS = 86_400;

/** The shard of the stall watch a send id falls in. */
function shardOf(sendId: string): number {
  let hash = 0;
  for (const char of sendId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % STALL_SHARDS;
}

/** Reads and writes the send ledger. Every write is conditional or idempotent, so reports converge. */
export class SendLedgerStore {
  private readonly clock: () => Date;
  public readonly stallMinutes: number;

  constructor(private readonly options: SendLedgerStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.stallMinutes = options.stallMinutes ?? DEFAULT_STALL_MINUTES;
  }

  /**
   * Records a send when the API has answered: accepted (with its AWS message id, watched for a
   * stall from now on), refused, or unanswered. One write.
   */
  async recordSend(record: SendRecord): Promise<SendItem> {
    const { outcome } = record;
    const sendId = outcome.kind === 'accepted' ? outcome.awsMessageId : `request-${randomUUID()}`;
    const details = {
      entity: ENTITY.send,
      sendId,
      kind: record.kind,
      sentBy: record.sentBy,
      originationPhoneNumberId: record.originationPhoneNumberId,
      businessPhoneNumberId: record.businessPhoneNumberId,
      conversationKey: record.conversationKey,
      inReplyTo: record.inReplyTo,
      requestedAt: record.requestedAt,
      expiresAt: this.expiresAt(),
    };
    let spec: UpdateSpec;
    switch (outcome.kind) {
      case 'accepted': {
        const stallAt = new Date(Date.parse(outcome.at) + this.stallMinutes * 60_000).toISOString();
        spec = {
          set: {
            ...details,
            awsMessageId: outcome.awsMessageId,
            stallPartition: stallPartitionOf(outcome.at, shardOf(sendId)),
            stallAt,
          },
          setIfNotExists: { acceptedAt: outcome.at },
        };
        break;
      }
      case 'failed': {
        const failure: SendFailure = { origin: 'api', at: outcome.at, code: outcome.code };
        spec = { set: { ...details, error: outcome.error, failure, failureRank: failureRank(failure) } };
        break;
      }
      case 'unknown':
        spec = { set: { ...details, error: outcome.error, unknownAt: outcome.at } };
        break;
    }
    const result = await this.options.client.send(
      new UpdateItemCommand({ ...this.input(sendId, spec), ReturnValues: 'ALL_NEW' }),
    );
    return this.decode(result.Attributes);
  }

  /**
   * Adds one report to a send: a step (the earliest time of each step is kept), a failure (the
   * earliest is kept), or both sides of a lost answer. Once the send has settled, it leaves the
   * stall watch; if it had been flagged, the flag is marked cleared.
   */
  async observe(awsMessageId: string, observation: SendObservation): Promise<ObserveOutcome> {
    const base = {
      setIfNotExists: {
        entity: ENTITY.send,
        sendId: awsMessageId,
        awsMessageId,
        expiresAt: Math.floor(this.clock().getTime() / 1000) + UNKNOWN_SEND_SECONDS,
      },
    };
    let spec: UpdateSpec;
    switch (observation.kind) {
      case 'step': {
        const attribute = STEP_ATTRIBUTE[observation.step];
        spec = {
          ...base,
          set: { [attribute]: observation.at },
          // A repeat or a later report of the same step changes nothing.
          condition: {
            expression: `attribute_not_exists(${attribute}) OR ${attribute} > :at`,
            values: { ':at': observation.at },
          },
        };
        break;
      }
      case 'failed': {
        const { kind: _kind, ...failure } = observation;
        const rank = failureRank(failure);
        spec = {
          ...base,
          set: { failure, failureRank: rank },
          condition: {
            expression: 'attribute_not_exists(failureRank) OR failureRank > :rank',
            values: { ':rank': rank },
          },
        };
        break;
      }
      case 'unknown':
        spec = {
          ...base,
          set: { unknownAt: observation.at },
          condition: {
            expression: 'attribute_not_exists(unknownAt) OR unknownAt > :at',
            values: { ':at': observation.at },
          },
        };
        break;
    }
    let item: SendItem;
    let changed = true;
    try {
      const result = await this.options.client.send(
        new UpdateItemCommand({
          ...this.input(awsMessageId, spec),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      item = this.decode(result.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      changed = false;
      // The condition fails only on an existing item, which DynamoDB returns with the error.
      item = this.decode(error.Item);
    }
    return { item: await this.settle(item), changed };
  }

  /** A send by its AWS message id. */
  async findSend(awsMessageId: string): Promise<SendItem | undefined> {
    const stored = await this.getRaw(awsMessageId);
    return stored === undefined ? undefined : this.decode(stored);
  }

  /**
   * Sends watched for a stall whose time has come: accepted at least `stallMinutes` ago and not
   * settled, from the hours a stall can have started in (`lookbackHours` before now).
   */
  async dueForStallCheck(now: Date, lookbackHours = 3): Promise<SendItem[]> {
    const { indexName, partitionKey, sortKey } = CONVERSATION_TABLE.byStall;
    const partitions: string[] = [];
    for (let h = 0; h <= lookbackHours; h++) {
      const hour = new Date(now.getTime() - h * 3_600_000).toISOString();
      for (let shard = 0; shard < STALL_SHARDS; shard++) partitions.push(stallPartitionOf(hour, shard));
    }
    const pages = await Promise.all(
      partitions.map((partition) =>
        queryAll(this.options.client, {
          TableName: this.options.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk AND #sk <= :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: marshall({ ':pk': partition, ':now': now.toISOString() }),
        }),
      ),
    );
    return pages.flat().map((stored) => this.decode(stored));
  }

  /**
   * Takes a send out of the stall watch: flagged as stalled at `at` unless it settled meanwhile.
   * @returns whether this call flagged it (false: settled, or flagged by a concurrent run)
   */
  async flagStall(item: SendItem, at: string): Promise<boolean> {
    if (item.kind !== undefined && isSettled(item, item.kind)) {
      await this.leaveWatch(item.sendId);
      return false;
    }
    // Still watched, and still not settled by a report since it was read: none of the steps that
    // settle its kind (domain/send-ledger.ts, settlingStep) and no failure.
    const settling = SEND_STEPS.slice(SEND_STEPS.indexOf(settlingStep(item.kind ?? 'other'))).flatMap(
      (step) =>
        step === 'requested' || step === 'accepted' ? [] : [`attribute_not_exists(${STEP_ATTRIBUTE[step]})`],
    );
    try {
      await this.options.client.send(
        new UpdateItemCommand(
          this.input(item.sendId, {
            set: { stalledAt: at },
            remove: ['stallPartition', 'stallAt'],
            condition: {
              expression: [
                'attribute_exists(stallPartition)',
                'attribute_not_exists(stalledAt)',
                'attribute_not_exists(failureRank)',
                ...settling,
              ].join(' AND '),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  /** A settled send leaves the stall watch, and a flagged one is marked cleared. */
  private async settle(item: SendItem): Promise<SendItem> {
    if (item.kind === undefined || !isSettled(item, item.kind)) return item;
    const watched = item.stallPartition !== undefined;
    const clearing = item.stalledAt !== undefined && item.stallClearedAt === undefined;
    if (!watched && !clearing) return item;
    const clearedAt = this.clock().toISOString();
    const result = await this.options.client.send(
      new UpdateItemCommand({
        ...this.input(item.sendId, {
          setIfNotExists: clearing ? { stallClearedAt: clearedAt } : undefined,
          remove: ['stallPartition', 'stallAt'],
        }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return this.decode(result.Attributes);
  }

  private async leaveWatch(sendId: string): Promise<void> {
    await this.options.client
      .send(
        new UpdateItemCommand(
          this.input(sendId, {
            remove: ['stallPartition', 'stallAt'],
            condition: { expression: 'attribute_exists(pk)' },
          }),
        ),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  private async getRaw(sendId: string) {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: marshall(sendKey(sendId)),
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  private decode(stored: Record<string, AttributeValue> | undefined): SendItem {
    if (stored === undefined) throw new ItemDecodeError('A send item was expected and is missing');
    const item = fromItem(stored);
    if (item.entity !== ENTITY.send) throw new ItemDecodeError(`Expected a send, found a ${item.entity}`);
    return item;
  }

  private expiresAt(): number {
    return Math.floor(this.clock().getTime() / 1000) + this.options.retentionDays * 86_400;
  }

  private input(sendId: string, spec: UpdateSpec) {
    return {
      TableName: this.options.tableName,
      Key: marshall(sendKey(sendId)),
      ...buildUpdateExpression(spec),
    };
  }
}
