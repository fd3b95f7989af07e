/**
 * AWS cost per million events, from measured durations and counted requests. Prices are on-demand,
 * us-east-1, as published in 2026; change them here for another region.
 */
export const PRICES = {
  /** Lambda arm64, per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** DynamoDB on demand, per million write request units. */
  dynamoDbWriteUnitsPerMillion: 0.625,
  /** SNS standard topic, per million publishes (End User Messaging Social publishes to our topic). */
  snsPublishesPerMillion: 0.5,
  /** KMS, per 10,000 requests (SNS and DynamoDB cache data keys, so few are made; see assumptions). */
  kmsPer10kRequests: 0.03,
  /** CloudWatch Logs ingestion, per GB. */
  logsIngestionPerGb: 0.5,
  /** EventBridge custom-bus events, per million PutEvents entries (delivery to targets is free). */
  eventBridgeEntriesPerMillion: 1.0,
  /** S3 Standard PUT requests, per thousand. */
  s3PutPerThousand: 0.005,
} as const;

/**
 * The media archive per million media messages: the archiver's invocation (billed at the timeout's
 * worth of waiting for the service, `waitMs`), its writes, and the object's PUT. Storage is extra
 * ($0.023 per GB-month in S3 Standard) and depends on the files.
 */
export function archiveCostPerMillion(profile: {
  readonly waitMs: number;
  readonly memoryMb: number;
  readonly writeUnits: number;
  readonly s3Puts: number;
}): Record<string, number> {
  const million = 1_000_000;
  const lines = {
    'Lambda compute':
      (Math.ceil(profile.waitMs) / 1000) * (profile.memoryMb / 1024) * PRICES.lambdaArmGbSecond * million,
    'Lambda requests': PRICES.lambdaRequestsPerMillion,
    'DynamoDB writes': profile.writeUnits * PRICES.dynamoDbWriteUnitsPerMillion,
    'S3 PUT': profile.s3Puts * PRICES.s3PutPerThousand * 1000,
  };
  return { ...lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}

/** What one event costs in resources. */
export interface EventProfile {
  /** Billed Lambda duration per event, ms (measured warm duration, rounded up to 1 ms). */
  readonly lambdaMs: number;
  readonly memoryMb: number;
  /** DynamoDB write request units per event (transactional items count 2, each GSI write 1). */
  readonly writeUnits: number;
  /** Log bytes per event. */
  readonly logBytes: number;
  /** KMS requests per event (amortized). */
  readonly kmsRequests: number;
}

/** Cost lines, in USD per million events. */
export function costPerMillion(profile: EventProfile): Record<string, number> {
  const million = 1_000_000;
  const lines = {
    'Lambda compute':
      (Math.ceil(profile.lambdaMs) / 1000) * (profile.memoryMb / 1024) * PRICES.lambdaArmGbSecond * million,
    'Lambda requests': PRICES.lambdaRequestsPerMillion,
    'DynamoDB writes': profile.writeUnits * PRICES.dynamoDbWriteUnitsPerMillion,
    'SNS publishes': PRICES.snsPublishesPerMillion,
    KMS: (profile.kmsRequests * million * PRICES.kmsPer10kRequests) / 10_000,
    'CloudWatch Logs': ((profile.logBytes * million) / 1024 ** 3) * PRICES.logsIngestionPerGb,
  };
  return { ...lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}
