/**
 * Environment variables the constructs give the functions. The CDK constructs that set them and the
 * handlers that read them share these names, so the two cannot drift.
 */
export const ENV = {
  /** Name of the conversation table. */
  tableName: 'CONVERSATION_TABLE_NAME',
  /** Days a record lives after its last write. */
  retentionDays: 'DATA_RETENTION_DAYS',
  /** Minutes the bots of a conversation stay quiet after a person wrote from the WhatsApp Business app. */
  humanTakeoverMinutes: 'HUMAN_TAKEOVER_MINUTES',
  /** Minutes after its acceptance that a send which has not settled is flagged as stalled. */
  stallMinutes: 'STALL_MINUTES',
  /** Meta Graph API version for SendWhatsAppMessage. */
  metaApiVersion: 'META_API_VERSION',
  /** The auto-response policy as JSON; absent when auto-responses are off. */
  autoResponsePolicy: 'AUTO_RESPONSE_POLICY',
  /** ARN of the secret whose value keys the pseudonyms in logs (see docs/privacy.md). */
  pseudonymSecretArn: 'PSEUDONYM_SECRET_ARN',
  /** Minutes of one failure-digest window: at most one notification per number and error code each. */
  digestWindowMinutes: 'DIGEST_WINDOW_MINUTES',
  /** The rate cards (JSON array) the digest prices spend with; absent: counts only. */
  rateCards: 'RATE_CARDS',
  /** ARN of the alerts topic (the human channel) the digest publishes to. */
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  /** Name of the pipeline's dashboard, for the console link in notifications. */
  dashboardName: 'DASHBOARD_NAME',
  /** The WABA linker's own topic: the only destination it sets, whatever a request names. */
  linkerTopicArn: 'LINKER_TOPIC_ARN',
  /** The WABA linker's list (JSON array of `waba-<id>` or ARNs): the only WABAs it touches. */
  linkerWabas: 'LINKER_WABAS',
  /** Name of the conversation event bus the publisher puts events on. */
  eventBusName: 'EVENT_BUS_NAME',
  /** URL of the queue that keeps events the bus refused after every retry, for redrive. */
  undeliveredEventsQueueUrl: 'UNDELIVERED_EVENTS_QUEUE_URL',
  /** The pipeline's name (its name prefix), carried by every conversation event. */
  pipelineName: 'PIPELINE_NAME',
  /** The bucket the media archiver writes into. */
  mediaBucketName: 'MEDIA_BUCKET_NAME',
  /** Powertools: the `service` key of every log line and metric; one value per pipeline instance. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools: the CloudWatch namespace of the custom metrics. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;
