/**
 * Construct ids that tools look up in a synthesized assembly (the local runner finds functions and
 * the table by path fragment, redrive finds the processor). Constructs use these ids, so renaming
 * one cannot silently break a tool.
 */
export const CONSTRUCT_ID = {
  inboundTopic: 'Inbound',
  conversations: 'Conversations',
  processor: 'InboundProcessor',
  alerts: 'Alerts',
  recorder: 'Recorder',
  monitoring: 'Monitoring',
  wabaLinks: 'WabaLinks',
  events: 'Events',
  media: 'Media',
  archiver: 'Archiver',
  publisher: 'Publisher',
} as const;

/** Stack outputs the tools read. */
export const OUTPUT = {
  inboundTopicArn: 'InboundTopicArn',
  inboundTopicKeyArn: 'InboundTopicKeyArn',
  conversationTableName: 'ConversationTableName',
  failureQueueUrl: 'FailureQueueUrl',
  alertsTopicArn: 'AlertsTopicArn',
  failureEventsTopicArn: 'FailureEventsTopicArn',
  alertsDeadLetterQueueUrl: 'AlertsDeadLetterQueueUrl',
  dashboardName: 'DashboardName',
  pseudonymSecretArn: 'PseudonymSecretArn',
  processorFunctionName: 'ProcessorFunctionName',
  subscriptionDeadLetterQueueUrl: 'SubscriptionDeadLetterQueueUrl',
  eventBusName: 'EventBusName',
  undeliveredEventsQueueUrl: 'UndeliveredEventsQueueUrl',
  streamFailureQueueUrl: 'StreamFailureQueueUrl',
  eventPublisherFunctionName: 'EventPublisherFunctionName',
  mediaBucketName: 'MediaBucketName',
} as const;
