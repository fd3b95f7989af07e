/**
 * AWS cost per million events, from what the benchmark measured: write units as DynamoDB reports
 * them, log bytes as the shipped bundles write them, invocation durations, and counted requests.
 */

/** List prices, on demand, us-east-1, as of {@link PRICES_AS_OF}; change them here for another region. */
export const PRICES = {
  /** Lambda arm64, per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** DynamoDB on demand, per million write request units (after the November 2024 price cut). */
  dynamoDbWriteUnitsPerMillion: 0.625,
  /** SNS standard topic, per million publishes (End User Messaging Social publishes to our topic; delivery to Lambda is free). */
  snsPublishesPerMillion: 0.5,
  /** KMS, per 10,000 requests. */
  kmsPer10kRequests: 0.03,
  /** CloudWatch Logs standard ingestion, per GB (EMF metric documents are log lines too). */
  logsIngestionPerGb: 0.5,
  /** EventBridge custom-bus events, per million PutEvents entries (64 KB each; delivery to targets is free). */
  eventBridgeEntriesPerMillion: 1.0,
  /** S3 Standard PUT requests, per thousand. */
  s3PutPerThousand: 0.005,
} as const;

/** When {@link PRICES} were read from AWS's pricing pages. */
export const PRICES_AS_OF = '2026-12-02';

/**
 * Lambda's own records per invocation in the JSON log format (platform.start and platform.report,
 * with a request id and the report's metrics), sized from their documented schema: they cannot be
 * captured outside Lambda. A system log level of WARN would drop them, with the REPORT line's
 * per-invocation duration and memory.
 */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 320;

/** Invocations of one function that an event causes. */
export interface InvocationUsage {
  /** Invocations per event (a batched consumer takes a share of one). */
  readonly count: number;
  /** Measured duration of one invocation, ms; Lambda bills it rounded up to the millisecond. */
  readonly durationMs: number;
  readonly memoryMb: number;
}

/** What one event uses, as measured. */
export interface EventUsage {
  readonly invocations: readonly InvocationUsage[];
  /** Write request units: the table's and every index's, as DynamoDB reports them. */
  readonly writeUnits: number;
  /** Bytes the functions log for the event, platform records included. */
  readonly logBytes: number;
  readonly snsPublishes?: number;
  readonly putEventsEntries?: number;
  readonly s3Puts?: number;
  /** KMS requests per event: SNS and DynamoDB cache data keys, so a small share of one. */
  readonly kmsRequests?: number;
}

/** Cost lines of {@link costPerMillion}, in USD per million events. */
export type CostLines = Readonly<Record<CostLine, number>>;

/** The lines a cost is broken into. */
export type CostLine =
  | 'Lambda compute'
  | 'Lambda requests'
  | 'DynamoDB writes'
  | 'SNS'
  | 'EventBridge'
  | 'S3'
  | 'KMS'
  | 'CloudWatch Logs'
  | 'total';

/** USD per million events, line by line. */
export function costPerMillion(usage: EventUsage): CostLines {
  const million = 1_000_000;
  const gbSeconds = usage.invocations.reduce(
    (sum, i) => sum + i.count * (Math.ceil(i.durationMs) / 1000) * (i.memoryMb / 1024),
    0,
  );
  const requests = usage.invocations.reduce((sum, i) => sum + i.count, 0);
  const lines = {
    'Lambda compute': gbSeconds * PRICES.lambdaArmGbSecond * million,
    'Lambda requests': requests * PRICES.lambdaRequestsPerMillion,
    'DynamoDB writes': usage.writeUnits * PRICES.dynamoDbWriteUnitsPerMillion,
    SNS: (usage.snsPublishes ?? 0) * PRICES.snsPublishesPerMillion,
    EventBridge: (usage.putEventsEntries ?? 0) * PRICES.eventBridgeEntriesPerMillion,
    S3: (usage.s3Puts ?? 0) * PRICES.s3PutPerThousand * 1000,
    KMS: ((usage.kmsRequests ?? 0) * million * PRICES.kmsPer10kRequests) / 10_000,
    'CloudWatch Logs': ((usage.logBytes * million) / 1024 ** 3) * PRICES.logsIngestionPerGb,
  };
  return { ...lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}

/** The sum of several events' usage: one message with everything that follows from it. */
export function combinedUsage(parts: readonly EventUsage[]): EventUsage {
  const sum = (pick: (u: EventUsage) => number | undefined) => parts.reduce((s, u) => s + (pick(u) ?? 0), 0);
  return {
    invocations: parts.flatMap((u) => u.invocations),
    writeUnits: sum((u) => u.writeUnits),
    logBytes: sum((u) => u.logBytes),
    snsPublishes: sum((u) => u.snsPublishes),
    putEventsEntries: sum((u) => u.putEventsEntries),
    s3Puts: sum((u) => u.s3Puts),
    kmsRequests: sum((u) => u.kmsRequests),
  };
}
