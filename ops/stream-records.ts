import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

/** A stream record as Lambda hands it to a function (images in DynamoDB JSON). */
export interface LambdaStreamRecord {
  readonly eventID?: string;
  readonly eventName?: string;
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime?: number;
    readonly Keys?: unknown;
    readonly NewImage?: unknown;
    readonly OldImage?: unknown;
    readonly SequenceNumber?: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
  readonly eventSourceARN: string;
}

/**
 * A record read with DynamoDB Streams' GetRecords, in the shape Lambda hands a stream handler:
 * what the local event source mapping delivers and what a stream-failure redrive replays.
 */
export function lambdaStreamRecord(record: StreamRecord, eventSourceARN: string): LambdaStreamRecord {
  const data = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<time>
    awsRegion: eventSourceARN.split(':')[3] || 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime:
        data.ApproximateCreationDateTime === undefined
          ? undefined
          : Math.floor(new Date(data.ApproximateCreationDateTime).getTime() / 1000),
      Keys: data.Keys,
      NewImage: data.NewImage,
      OldImage: data.OldImage,
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
    eventSourceARN,
  };
}
