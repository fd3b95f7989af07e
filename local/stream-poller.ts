export type { LambdaStreamRecord } from '../ops/stream-records';

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type LambdaStreamRecord, lambdaStreamRecord as lambdaRecord } from '../ops/stream-records';
import { localClientConfig } from './aws-env';
import { matchesPattern } from './event-pattern';

/** What the consumer of a batch answers: Lambda's partial batch response. */
export type BatchConsumer = (event: {
  Records: LambdaStreamRecord[];
}) => Promise<{ failedSequence?: string }>;

/** Options of a {@link StreamPoller}. */
export interface StreamPollerOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  /** The event source mapping's filters (Lambda filter syntax): records none matches are dropped, as Lambda does. */
  readonly filters: readonly Record<string, unknown>[];
  /** @default 100 */
  readonly batchSize?: number;
}

/**
 * Lambda's DynamoDB event source mapping, locally: reads DynamoDB Local's stream shard by shard, in
 * order, applies the mapping's filters, and hands batches in the shape Lambda delivers. A batch
 * whose consumer reports a failed item is delivered again from that item, as with
 * `ReportBatchItemFailures`.
 */
export class StreamPoller {
  /** Records handed to the consumer, and records the filters dropped. */
  public delivered = 0;
  public filtered = 0;
  private readonly streams: DynamoDBStreamsClient;
  private streamArn?: string;
  /** The sequence number of the last record delivered (or filtered out), by shard. */
  private readonly lastDelivered = new Map<string, string>();

  constructor(private readonly options: StreamPollerOptions) {
    this.streams = new DynamoDBStreamsClient(localClientConfig(options.endpoint));
  }

  /**
   * Delivers every record written so far, then returns.
   *
   * @param maxRetries - deliveries of a failing batch before giving up on it (Lambda's retryAttempts)
   */
  async drain(consumer: BatchConsumer, maxRetries = 3): Promise<void> {
    for (const shardId of await this.shards()) {
      let iterator = await this.iteratorAfterLastDelivered(shardId);
      while (iterator !== undefined) {
        const page = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
        );
        iterator = page.NextShardIterator;
        const records = page.Records ?? [];
        if (records.length === 0) break;
        const last = records.at(-1)?.dynamodb?.SequenceNumber;
        const kept = records.filter((r) =>
          this.options.filters.some((f) => matchesPattern(f, lambdaRecord(r, ''))),
        );
        this.filtered += records.length - kept.length;
        let pending = kept.map((r) => lambdaRecord(r, this.streamArn ?? ''));
        for (let attempt = 0; pending.length > 0; attempt++) {
          const { failedSequence } = await consumer({ Records: pending });
          if (failedSequence === undefined) {
            this.delivered += pending.length;
            break;
          }
          if (attempt >= maxRetries) throw new Error(`The stream consumer kept failing at ${failedSequence}`);
          pending = pending.slice(pending.findIndex((r) => r.dynamodb.SequenceNumber === failedSequence));
        }
        if (last !== undefined) this.lastDelivered.set(shardId, last);
      }
    }
  }

  /**
   * A fresh iterator for every drain, after the last record delivered: DynamoDB Local fails an
   * iterator taken while its shard was empty (TrimmedDataAccessException) once records arrive, so
   * iterators are never kept, only positions, as Lambda's checkpoints are.
   */
  private async iteratorAfterLastDelivered(shardId: string): Promise<string | undefined> {
    const last = this.lastDelivered.get(shardId);
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(last === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }),
      }),
    );
    return ShardIterator;
  }

  stop(): void {
    this.streams.destroy();
  }

  private async shards(): Promise<string[]> {
    if (this.streamArn === undefined) {
      const { Table } = await this.options.dynamoDb.send(
        new DescribeTableCommand({ TableName: this.options.tableName }),
      );
      this.streamArn = Table?.LatestStreamArn;
      if (this.streamArn === undefined) throw new Error(`Table ${this.options.tableName} has no stream`);
    }
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    return (StreamDescription?.Shards ?? []).flatMap((s) => (s.ShardId === undefined ? [] : [s.ShardId]));
  }
}
