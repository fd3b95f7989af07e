/**
 * The pipeline's custom metrics: names and dimensions shared by the emitters in lambda/ and the
 * alarms and dashboard in lib/, so a renamed metric cannot leave an alarm watching nothing.
 */

/** CloudWatch namespace of the custom metrics. */
export const METRICS_NAMESPACE = 'WhatsAppPipeline';

/**
 * The `service` dimension Powertools adds to every metric. Each pipeline instance sets its own
 * (its name prefix), so two pipelines in one account never share a metric.
 */
export const SERVICE_DIMENSION = 'service';

/**
 * The spend watch: a UTC day's marketing spend is compared with the median of the days before it,
 * and is a spike above this many times that median. The digest publishes both, the alarm compares.
 */
export const SPEND_WATCH = { baselineDays: 7, spikeFactor: 3 } as const;

/** Metric names. */
export const METRIC = {
  inboundMessages: 'InboundMessages',
  /** Messages a person sent from the WhatsApp Business app (coexistence echoes), recorded. */
  humanReplies: 'HumanReplies',
  /** Shapes this code does not know yet (a field, type, status or event), per `kind`: every occurrence. */
  contractDrift: 'ContractDrift',
  /** Identity changes Meta reported (a customer's new number, BSUID or security code), per `kind`. */
  identityChanges: 'IdentityChanges',
  /** Webhooks of WhatsApp calls recorded (connects, ends, statuses). */
  callEvents: 'CallEvents',
  /** Calls a customer placed that nobody took, per business number (`businessPhoneNumberId`). */
  missedCalls: 'MissedCalls',
  /** Messages of the WhatsApp Business app's chat history in notifications (coexistence `history`). */
  historyMessages: 'HistoryMessages',
  /** Address-book entries the WhatsApp Business app synced (`smb_app_state_sync`): counted, not stored. */
  appStateSyncEntries: 'AppStateSyncEntries',
  /** Customer messages no bot answered because a person was handling the conversation. */
  humanTakeoverMessages: 'HumanTakeoverMessages',
  duplicateMessages: 'DuplicateMessages',
  unroutedMessages: 'UnroutedMessages',
  statusUpdates: 'StatusUpdates',
  webhookErrors: 'WebhookErrors',
  undecodableEvents: 'UndecodableEvents',
  skippedChanges: 'SkippedChanges',
  autoResponsesSent: 'AutoResponsesSent',
  /** Sends the send ledger could not record: the send stands, but nothing follows it (docs/send-ledger.md). */
  sendLedgerWriteFailures: 'SendLedgerWriteFailures',
  /** Hand-offs and statuses EUM reported for sends, per `step`. */
  sendProgressReports: 'SendProgressReports',
  /** Sends the stall watch flagged: accepted, and no hand-off or status within `stallMinutes`. */
  stalledSends: 'StalledSends',
  /**
   * Billable messages of the UTC day so far, per `category`: a gauge, the latest value of the day
   * (docs/cost.md).
   */
  billableMessagesToday: 'BillableMessagesToday',
  /** What the UTC day's billable messages cost so far, per `category`, in the rate cards' currency: a gauge. */
  spendToday: 'SpendToday',
  /**
   * The median of the marketing spend of the {@link SPEND_WATCH} baseline days: money with rate
   * cards, billable messages without.
   */
  marketingSpendBaseline: 'MarketingSpendBaseline',
  autoResponsesFailed: 'AutoResponsesFailed',
  autoResponsesRetried: 'AutoResponsesRetried',
  autoResponsesDeferred: 'AutoResponsesDeferred',
  autoResponsesUnknown: 'AutoResponsesUnknown',
  messageFailures: 'MessageFailures',
  messageFailuresByErrorCode: 'MessageFailuresByErrorCode',
  orphanFailures: 'OrphanFailures',
  digestNotifications: 'DigestNotifications',
  /** Conversation events the bus accepted. */
  eventsPublished: 'EventsPublished',
  /** PutEvents entries the bus refused and that were retried. */
  eventPublishRetries: 'EventPublishRetries',
  /** Events the bus refused after every retry, kept in the undelivered-events queue. */
  eventsUndelivered: 'EventsUndelivered',
  /** Media objects archived to S3. */
  mediaArchived: 'MediaArchived',
  /** Media fetches refused for good (expired at Meta, access denied, too large): recorded. */
  mediaArchiveFailed: 'MediaArchiveFailed',
  /** Media messages not fetched (unrouted, no media id, unknown MIME type): recorded. */
  mediaArchiveSkipped: 'MediaArchiveSkipped',
  /** Archive requests for a message whose record no longer exists (TTL): skipped. */
  mediaArchiveMissingMessage: 'MediaArchiveMissingMessage',
  /** Stream records of an item the publisher cannot read (a future kind): skipped. */
  unmappableStreamRecords: 'UnmappableStreamRecords',
  /** Account-health changes recorded as the newest state (docs/account-health.md). */
  healthChanges: 'HealthChanges',
  /** Account-health changes older than the recorded state: kept in the history only. */
  staleHealthChanges: 'StaleHealthChanges',
  /** Account-health changes that need a human: queued for the alerts digest. */
  healthAlerts: 'HealthAlerts',
  /** Template status, quality and category changes recorded, by the new state. */
  templateHealthChanges: 'TemplateHealthChanges',
  /** Phone-number quality and name changes recorded, by the new state. */
  phoneNumberHealthChanges: 'PhoneNumberHealthChanges',
  /** Events of a known health field that Meta added after this code was written: stored verbatim. */
  unknownHealthEvents: 'UnknownHealthEvents',
} as const;

/** One of the pipeline's metric names. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimension names of the metrics that have one besides `service`. */
export const DIMENSION = {
  /**
   * Of InboundMessages and AutoResponsesSent: the message type (answered), or `other` for types the
   * registry does not know.
   */
  type: 'type',
  /** Of StatusUpdates: the status, or `other`. */
  status: 'status',
  /** Of UndecodableEvents: the decode failure reason. */
  reason: 'reason',
  /** Of AutoResponsesFailed, AutoResponsesRetried and AutoResponsesUnknown: `receipt` or `reaction`. */
  action: 'action',
  /** Of ContractDrift: what drifted (`field`, `message-type`, `status`, `health-event`, `call-event`). */
  driftKind: 'kind',
  /** Of IdentityChanges: `phone-number`, `user-id` or `security-code`. */
  identityChangeKind: 'kind',
  /** Of SendProgressReports: the step reported (`handed-over`, `sent`, `delivered`, `read`). */
  step: 'step',
  /** Of BillableMessagesToday and SpendToday: Meta's price category (`marketing`, `utility`, …). */
  category: 'category',
  /** Of MissedCalls: Meta's id of the business number (a few per account, so bounded). */
  businessPhoneNumberId: 'businessPhoneNumberId',
  /** Of MessageFailuresByErrorCode: Meta's error code. */
  errorCode: 'errorCode',
  /** Of EventsPublished: the detail-type. */
  detailType: 'detailType',
  /** Of SkippedChanges and HealthChanges: the webhook `field`. */
  field: 'field',
  /** Of TemplateHealthChanges and PhoneNumberHealthChanges: `<aspect>:<event>`, or `other`. */
  healthState: 'state',
} as const;

/** The dimension value of a type, status or field the code does not know. */
export const OTHER_DIMENSION_VALUE = 'other';
