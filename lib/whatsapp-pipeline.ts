import { Annotations, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AUTO_RESPONSE_DEFAULTS,
  type AutoResponsePolicy,
  CONSTRUCT_ID,
  CONVERSATION_EVENT,
  DEFAULT_HUMAN_TAKEOVER_MINUTES,
  DEFAULT_STALL_MINUTES,
  defaultActions,
  type KnownMessageType,
  MAX_HUMAN_TAKEOVER_MINUTES,
  MAX_STALL_MINUTES,
  type RateCard,
  type ResponseAction,
  rateCardProblems,
} from '../contracts';
import {
  type ConversationEventSubscription,
  ConversationEvents,
  type SubscriberOptions,
  type SubscriberTarget,
  type SubscriptionOptions,
} from './constructs/conversation-events';
import { ConversationTable, type IConversationTable } from './constructs/conversation-table';
import { DEFAULT_DIGEST_WINDOW_MINUTES, FailureAlerts } from './constructs/failure-alerts';
import { InboundProcessor } from './constructs/inbound-processor';
import { InboundTopic } from './constructs/inbound-topic';
import { MediaArchive } from './constructs/media-archive';
import type { MessageHookEntry } from './constructs/message-hooks';
import { iteratorAge } from './constructs/pipeline-metrics';
import {
  type AlarmThresholds,
  DEFAULT_ALARM_THRESHOLDS,
  dashboardNameOf,
  PipelineMonitoring,
} from './constructs/pipeline-monitoring';
import { PseudonymKey } from './constructs/pseudonym-key';
import { grantSendWhatsAppMessage } from './constructs/send-permission';
import { parseWabaReference, WabaLinks } from './constructs/waba-links';

/** How the pipeline answers inbound messages. */
export interface AutoResponseOptions {
  /**
   * Send read receipts and reactions at all. Off, the processor only records and gets no send permission.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The emoji the pipeline reacts with.
   * @default '👍'
   */
  readonly reactionEmoji?: string;
  /**
   * Show "typing…" to the customer with the read receipt.
   * @default false
   */
  readonly typingIndicator?: boolean;
  /**
   * Answer messages written in groups, in the group (the reaction goes to the group). Off, a group
   * message gets neither receipt nor reaction: a 👍 on every message of a group is not what its
   * members expect.
   * @default false
   */
  readonly groups?: boolean;
  /**
   * Messages older than this many hours get no auto-response (a replay after an outage must not spam).
   * @default 24 - the customer-service window
   */
  readonly maxMessageAgeHours?: number;
  /**
   * Action per message type, merged over the defaults of the message-type registry: receipt and
   * reaction for what customers write or send, none for reactions and system messages.
   * @default {}
   */
  readonly actions?: Readonly<Partial<Record<KnownMessageType, ResponseAction>>>;
  /**
   * Action for types the registry does not know (future types).
   * @default 'receipt'
   */
  readonly defaultAction?: ResponseAction;
  /**
   * Reaction emoji per message type, overriding `reactionEmoji`.
   * @default {}
   */
  readonly emojiByType?: Readonly<Partial<Record<KnownMessageType, string>>>;
}

/** Properties of a {@link WhatsAppPipeline}. Every one is optional. */
export interface WhatsAppPipelineProps {
  /**
   * Prefix of every name that must be unique in the account and region: alarms, the dashboard, and
   * the `service` of the functions' logs and metrics.
   * @default - the stack name, followed by this construct's path within the stack when it is not `Default`
   */
  readonly namePrefix?: string;
  /**
   * An existing topic to subscribe to instead of creating one. It must be a standard topic that End
   * User Messaging Social may publish to (see `InboundTopic` for the policies it needs).
   * @default - a new encrypted topic, admitting only End User Messaging Social of this account
   */
  readonly topic?: sns.ITopic;
  /**
   * Key of the created inbound topic (ignored with `topic`).
   * @default - a customer-managed key with yearly rotation
   */
  readonly topicEncryptionKey?: kms.IKey;
  /**
   * The conversation store.
   * @default - a new ConversationTable
   */
  readonly table?: IConversationTable;
  /**
   * AWS phone-number ids (`phone-number-id-<id>`) this pipeline answers for. They scope the
   * `SendWhatsAppMessage` permission to those numbers' ARNs.
   * @default - none: the processor may send from every phone number of the account (a synth warning says so)
   */
  readonly phoneNumberIds?: readonly string[];
  /**
   * Meta Graph API version sent with every `SendWhatsAppMessage` call.
   * @default 'v24.0'
   */
  readonly metaApiVersion?: string;
  /**
   * Read receipts and reactions.
   * @default - on, with the registry's default actions
   */
  readonly autoResponse?: AutoResponseOptions;
  /**
   * In-process hooks: TypeScript modules outside the core, each exporting a `MessageHook`
   * (lambda/inbound-processor/hooks.ts), bundled into the processor at synth and run for every
   * newly recorded message after the auto-responder, in this order. A missing file or export fails
   * synth, naming it. Use the event bus instead unless the work must happen within one round trip
   * of the message.
   * @default [] - no hooks beyond the auto-responder
   */
  readonly messageHooks?: readonly MessageHookEntry[];
  /**
   * A ceiling on the processor's concurrent executions (see InboundProcessorProps.maxConcurrency).
   * @default - none
   */
  readonly processorMaxConcurrency?: number;
  /**
   * Minutes the auto-responder and every message hook stay quiet in a conversation after a person
   * at the business wrote in it from the WhatsApp Business app (coexistence); `Human Replied` tells
   * bots on the bus. 0 never pauses them.
   * @default 30
   */
  readonly humanTakeoverMinutes?: number;
  /**
   * Minutes after End User Messaging Social accepted a send that it is flagged as stalled (a digest
   * line and `Message Stalled`) if it has not settled: no hand-off for a read receipt, no status from
   * Meta for anything else.
   * @default 10
   */
  readonly stallMinutes?: number;
  /**
   * Meta's prices, dated: the digest turns each day's counted messages into money with the card in
   * force that day, publishes the spend per category, and the spend alarm watches money. Prices
   * change; add a card with its `effectiveFrom` rather than editing one (docs/cost.md).
   * @default - none: counts only, and the spend alarm watches billable marketing messages
   */
  readonly rateCards?: readonly RateCard[];
  /**
   * Days a record is kept after its last write (DynamoDB TTL).
   * @default 365
   */
  readonly dataRetentionDays?: number;
  /**
   * How long the functions' logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Fate of stateful resources (table, keys, queues, log groups) when the stack is deleted.
   * `RETAIN` also turns on the table's deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Address subscribed to the alerts topic.
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /**
   * When alarms fire.
   * @default DEFAULT_ALARM_THRESHOLDS
   */
  readonly alarmThresholds?: Partial<AlarmThresholds>;
  /**
   * Minutes of a failure-digest window: people get at most one notification per business number and
   * error code in each, with the count (every single failure goes to the machine channel).
   * @default 15
   */
  readonly alertDigestMinutes?: number;
  /**
   * X-Ray active tracing of every function: $5 per million traces after the free tier, Lambda's
   * own segments only (no SDK instrumentation, so cold starts stay as measured).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * WhatsApp Business Accounts (`waba-<id>` or their ARNs) whose event destination is set to the
   * inbound topic on deploy, and restored on destroy.
   * @default [] - link each WABA in the End User Messaging Social console instead
   */
  readonly linkedWabas?: readonly string[];
  /**
   * The conversation event bus and its publisher on the table's stream (docs/events.md): $1 per
   * million events, plus the publisher's invocations. An imported table must then have a stream.
   * @default true
   */
  readonly events?: boolean;
  /**
   * The media archive: every inbound image, voice note, video, document and sticker fetched into an
   * encrypted S3 bucket, off the hot path (docs/media.md). Needs the event bus.
   * @default - on with the event bus, in a new bucket
   */
  readonly mediaArchive?: MediaArchiveOptions;
}

/** Options of the media archive. */
export interface MediaArchiveOptions {
  /** @default true - when the event bus is on */
  readonly enabled?: boolean;
  /** An existing bucket to archive into. @default - a new bucket with the pipeline's secure defaults */
  readonly bucket?: s3.IBucket;
  /** The key of an existing `bucket`. @default - none */
  readonly bucketKey?: kms.IKey;
  /** Where the created bucket writes server access logs. @default - none (see docs/media.md) */
  readonly accessLogsBucket?: s3.IBucket;
}

/** A subscription to `Message Received`. */
export interface MessageSubscriptionOptions extends SubscriptionOptions {
  /**
   * Only messages of these types (`messages[].type`, e.g. `text`, `image`).
   * @default - every type
   */
  readonly messageTypes?: readonly string[];
}

/** A subscription to `Message Status Changed`. */
export interface StatusSubscriptionOptions extends SubscriptionOptions {
  /**
   * Only changes to these statuses.
   * @default - every status
   */
  readonly statuses?: readonly string[];
}

/** Props of a {@link WhatsAppPipeline} that do not make sense; the message lists every problem. */
export class WhatsAppPipelinePropsError extends Error {
  public override readonly name = 'WhatsAppPipelinePropsError';
}

/**
 * The defaults of {@link WhatsAppPipelineProps}, each written once: the construct falls back to
 * them, cdk.json pins none of them, and a test holds the README's configuration table to them.
 */
export const WHATSAPP_PIPELINE_DEFAULTS = {
  metaApiVersion: 'v24.0',
  phoneNumberIds: [] as readonly string[],
  reactionEmoji: AUTO_RESPONSE_DEFAULTS.reactionEmoji,
  dataRetentionDays: 365,
  logRetentionDays: logs.RetentionDays.ONE_MONTH,
  removalPolicy: 'retain',
  alertDigestMinutes: DEFAULT_DIGEST_WINDOW_MINUTES,
  tracing: false,
  linkedWabas: [] as readonly string[],
  events: true,
  mediaArchive: { enabled: true },
  humanTakeoverMinutes: DEFAULT_HUMAN_TAKEOVER_MINUTES,
  stallMinutes: DEFAULT_STALL_MINUTES,
} as const;

/** A check of a prop's value and, in words, what it accepts. */
export interface PropRule<T> {
  readonly test: (value: T) => boolean;
  /** What is accepted, as the error message says it after "expected". */
  readonly expected: string;
}

const wholeNumber = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;

/** The rules the construct checks its props with; the cdk.json configuration is checked with the same. */
export const PROP_RULES = {
  namePrefix: {
    // Every name derived from it must be accepted: CloudWatch dashboard names allow no "." or space.
    test: (prefix: string) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/.test(prefix),
    expected: '1 to 200 letters, digits, "_" or "-" (the characters every name made from it accepts)',
  },
  alertDigestMinutes: { test: wholeNumber(1, 1440), expected: 'a whole number of minutes from 1 to 1440' },
  dataRetentionDays: { test: wholeNumber(1, 3650), expected: 'a whole number of days from 1 to 3650' },
  humanTakeoverMinutes: {
    test: wholeNumber(0, MAX_HUMAN_TAKEOVER_MINUTES),
    expected: `a whole number of minutes from 0 to ${MAX_HUMAN_TAKEOVER_MINUTES}`,
  },
  stallMinutes: {
    test: wholeNumber(1, MAX_STALL_MINUTES),
    expected: `a whole number of minutes from 1 to ${MAX_STALL_MINUTES}`,
  },
  processorMaxConcurrency: {
    test: wholeNumber(1, 10_000),
    expected: 'a whole number of executions from 1 to 10000',
  },
  phoneNumberId: {
    test: (id: string) => /^phone-number-id-[0-9a-zA-Z]+$/.test(id),
    expected: 'an AWS phone-number id such as "phone-number-id-0123456789abcdef0123456789abcdef"',
  },
} as const satisfies Record<string, PropRule<never>>;

/**
 * The pipeline behind AWS End User Messaging Social (WhatsApp), as one construct: the encrypted
 * inbound topic the WABA publishes to, the processor that records every message, status and error
 * and answers messages, the conversation table, failure alerts, alarms and a dashboard.
 *
 * Put it in any stack, as often as needed: names derive from `namePrefix`, so two instances never
 * collide.
 */
export class WhatsAppPipeline extends Construct {
  /** The prefix of every unique name of this instance. */
  public readonly namePrefix: string;
  /** The topic End User Messaging Social publishes to. */
  public readonly topic: sns.ITopic;
  /** The key of the inbound topic, when this construct created the topic. */
  public readonly topicKey?: kms.IKey;
  /** The created inbound topic and its key, unless `topic` was given. */
  public readonly inbound?: InboundTopic;
  /** The conversation store. */
  public readonly conversations: IConversationTable;
  /** The secret that keys the pseudonyms in logs. */
  public readonly pseudonymKey: PseudonymKey;
  /** The topic's subscriber and its failure queues. */
  public readonly processor: InboundProcessor;
  /** Failed-message alerts, the alerts topic and the failure recorder. */
  public readonly alerts: FailureAlerts;
  /** Alarms and dashboard. */
  public readonly monitoring: PipelineMonitoring;
  /** The WABA links, when `linkedWabas` lists any. */
  public readonly wabaLinks?: WabaLinks;
  /** The conversation event bus and its publisher, unless `events` is false. */
  public readonly events?: ConversationEvents;
  /** The media archive, unless it is off. */
  public readonly media?: MediaArchive;
  /** The Meta Graph API version every send names. */
  public readonly metaApiVersion: string;
  /** The phone numbers this pipeline answers for (empty: every number of the account). */
  public readonly phoneNumberIds: readonly string[];
  /** Days a record is kept (the TTL of the pipeline's items). */
  public readonly dataRetentionDays: number;
  /** How long the functions' logs are kept. */
  public readonly logRetention: logs.RetentionDays;
  /** Fate of stateful resources on stack deletion. */
  public readonly removalPolicy: RemovalPolicy;
  /**
   * Every failure queue the pipeline alarms on, by the name its alarms carry: the processor's
   * on-failure queue and subscription dead-letter queue, the alerts' dead-letter queue and, with
   * the event bus, the undelivered-events and stream-failure queues. (Each event subscriber's own
   * dead-letter queue is on its subscription.)
   */
  public readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;

  constructor(scope: Construct, id: string, props: WhatsAppPipelineProps = {}) {
    super(scope, id);
    validate(props);
    const defaults = WHATSAPP_PIPELINE_DEFAULTS;
    const removalPolicy =
      props.removalPolicy ??
      (defaults.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    const logRetentionDays = props.logRetention ?? defaults.logRetentionDays;
    const dataRetentionDays = props.dataRetentionDays ?? defaults.dataRetentionDays;
    this.namePrefix = props.namePrefix ?? defaultNamePrefix(this);
    const serviceName = this.namePrefix;
    this.metaApiVersion = props.metaApiVersion ?? defaults.metaApiVersion;
    this.phoneNumberIds = props.phoneNumberIds ?? defaults.phoneNumberIds;
    this.dataRetentionDays = dataRetentionDays;
    this.logRetention = logRetentionDays;
    this.removalPolicy = removalPolicy;

    if (props.topic === undefined) {
      this.inbound = new InboundTopic(this, CONSTRUCT_ID.inboundTopic, {
        removalPolicy,
        encryptionKey: props.topicEncryptionKey,
      });
      this.topic = this.inbound.topic;
      this.topicKey = this.inbound.key;
    } else {
      this.topic = props.topic;
    }
    this.conversations =
      props.table ?? new ConversationTable(this, CONSTRUCT_ID.conversations, { removalPolicy });

    this.pseudonymKey = new PseudonymKey(this, 'PseudonymKey', { removalPolicy });

    const autoResponse = props.autoResponse ?? {};
    this.processor = new InboundProcessor(this, CONSTRUCT_ID.processor, {
      topic: this.topic,
      conversations: this.conversations,
      dataRetentionDays,
      logRetentionDays,
      removalPolicy,
      serviceName,
      tracing: props.tracing,
      pseudonymKey: this.pseudonymKey,
      digestWindowMinutes: props.alertDigestMinutes ?? defaults.alertDigestMinutes,
      messageHooks: props.messageHooks,
      maxConcurrency: props.processorMaxConcurrency,
      humanTakeoverMinutes: props.humanTakeoverMinutes ?? defaults.humanTakeoverMinutes,
      stallMinutes: props.stallMinutes ?? defaults.stallMinutes,
      autoResponse:
        autoResponse.enabled === false
          ? undefined
          : {
              policy: autoResponsePolicyOf(autoResponse),
              metaApiVersion: this.metaApiVersion,
              phoneNumberIds: props.phoneNumberIds,
            },
    });
    this.alerts = new FailureAlerts(this, CONSTRUCT_ID.alerts, {
      conversations: this.conversations,
      dataRetentionDays,
      logRetentionDays,
      alarmEmail: props.alarmEmail,
      removalPolicy,
      serviceName,
      tracing: props.tracing,
      digestWindowMinutes: props.alertDigestMinutes,
      rateCards: props.rateCards,
      dashboardName: dashboardNameOf(this.namePrefix),
      alarmNamePrefix: `${this.namePrefix}-`,
    });
    if (props.events ?? defaults.events) {
      this.events = new ConversationEvents(this, CONSTRUCT_ID.events, {
        conversations: this.conversations,
        namePrefix: this.namePrefix,
        serviceName,
        logRetentionDays,
        removalPolicy,
        alertsTopic: this.alerts.topic,
        tracing: props.tracing,
      });
    }
    if (this.events !== undefined && (props.mediaArchive?.enabled ?? defaults.mediaArchive.enabled)) {
      this.media = new MediaArchive(this, CONSTRUCT_ID.media, {
        events: this.events,
        conversations: this.conversations,
        phoneNumberIds: this.phoneNumberIds,
        dataRetentionDays,
        serviceName,
        logRetentionDays,
        removalPolicy,
        bucket: props.mediaArchive?.bucket,
        bucketKey: props.mediaArchive?.bucketKey,
        accessLogsBucket: props.mediaArchive?.accessLogsBucket,
        tracing: props.tracing,
      });
    }
    this.failureQueues = {
      ProcessorFailureQueue: this.processor.failureQueue,
      SubscriptionDeadLetterQueue: this.processor.subscriptionDeadLetterQueue,
      AlertsDeadLetterQueue: this.alerts.deadLetterQueue,
      ...(this.events === undefined
        ? {}
        : {
            UndeliveredEventsQueue: this.events.undeliveredEventsQueue,
            StreamFailureQueue: this.events.streamFailureQueue,
          }),
    };
    this.monitoring = new PipelineMonitoring(this, CONSTRUCT_ID.monitoring, {
      alertsTopic: this.alerts.topic,
      inboundTopic: this.topic,
      functions: {
        InboundProcessor: this.processor.function.function,
        FailureRecorder: this.alerts.recorder.function,
        FailureDigest: this.alerts.digest.function,
        ...(this.events === undefined ? {} : { EventPublisher: this.events.publisher.function }),
        ...(this.media === undefined ? {} : { MediaArchiver: this.media.archiver.function }),
      },
      streamConsumers: this.events === undefined ? {} : { EventPublisher: this.events.publisher.function },
      deadLetterQueues: this.failureQueues,
      table: this.conversations.table,
      rules: {
        FailedMessagesRule: this.alerts.rule,
        SendProgressRule: this.alerts.progressRule,
        DigestScheduleRule: this.alerts.digestSchedule,
      },
      thresholds: { ...DEFAULT_ALARM_THRESHOLDS, ...props.alarmThresholds },
      namePrefix: this.namePrefix,
      serviceName,
      spendWatch: props.rateCards === undefined ? 'messages' : 'money',
    });
    const wabas = linkedWabaIds(this, props.linkedWabas ?? []);
    if (wabas.length > 0) {
      this.wabaLinks = new WabaLinks(this, CONSTRUCT_ID.wabaLinks, {
        topic: this.topic,
        wabas,
        logRetentionDays,
        removalPolicy,
        serviceName,
        tracing: props.tracing,
      });
      // Point a WABA at the topic only once the service may publish to it (topic and key policy).
      if (this.inbound !== undefined) this.wabaLinks.node.addDependency(this.inbound);
    }
  }

  /**
   * The conversation event bus: attach rules to it, or use {@link onMessage}, {@link onStatus},
   * {@link onFailure} and {@link addSubscriber}, which add a dead-letter queue and an alarm.
   */
  get eventBus(): events.IEventBus {
    return this.requireEvents().bus;
  }

  /** Sends every newly recorded customer message (or those of `messageTypes`) to `target`. */
  onMessage(
    id: string,
    target: SubscriberTarget,
    options: MessageSubscriptionOptions = {},
  ): ConversationEventSubscription {
    const { messageTypes, ...delivery } = options;
    return this.addSubscriber(id, target, {
      ...delivery,
      detailTypes: [CONVERSATION_EVENT.messageReceived],
      detail:
        messageTypes === undefined || messageTypes.length === 0 ? undefined : { type: [...messageTypes] },
    });
  }

  /** Sends every change of a message's current status (or to one of `statuses`) to `target`. */
  onStatus(
    id: string,
    target: SubscriberTarget,
    options: StatusSubscriptionOptions = {},
  ): ConversationEventSubscription {
    const { statuses, ...delivery } = options;
    return this.addSubscriber(id, target, {
      ...delivery,
      detailTypes: [CONVERSATION_EVENT.messageStatusChanged],
      detail: statuses === undefined || statuses.length === 0 ? undefined : { status: [...statuses] },
    });
  }

  /** Sends every failed message (failed statuses and EventBridge failure events) to `target`. */
  onFailure(
    id: string,
    target: SubscriberTarget,
    options: SubscriptionOptions = {},
  ): ConversationEventSubscription {
    return this.addSubscriber(id, target, { ...options, detailTypes: [CONVERSATION_EVENT.messageFailed] });
  }

  /** Sends the events of `detailTypes` (optionally matching `detail`) to `target`. */
  addSubscriber(
    id: string,
    target: SubscriberTarget,
    options: SubscriberOptions,
  ): ConversationEventSubscription {
    return this.requireEvents().subscribe(id, target, options);
  }

  /**
   * Lets a principal (a subscriber that answers customers) call `SendWhatsAppMessage` from this
   * pipeline's phone numbers, and no other.
   */
  grantSendWhatsAppMessage(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    const who = principal instanceof Construct ? principal.node.path : 'a subscriber';
    return grantSendWhatsAppMessage(this, grantee, this.phoneNumberIds, who);
  }

  private requireEvents(): ConversationEvents {
    if (this.events === undefined) {
      throw new WhatsAppPipelinePropsError(
        `${this.node.path}: the conversation event bus is off (events: false); turn it on to subscribe`,
      );
    }
    return this.events;
  }

  /** The processor function (subscriber of the inbound topic). */
  get processorFunction(): lambda.IFunction {
    return this.processor.function.function;
  }

  /** The failure recorder function. */
  get recorderFunction(): lambda.IFunction {
    return this.alerts.recorder.function;
  }

  /** The alert-digest function. */
  get digestFunction(): lambda.IFunction {
    return this.alerts.digest.function;
  }

  /** The conversation table itself. */
  get table(): dynamodb.ITable {
    return this.conversations.table;
  }

  /** The conversation event publisher (on the table's stream), unless the bus is off. */
  get publisherFunction(): lambda.IFunction | undefined {
    return this.events?.publisher.function;
  }

  /** The media archiver, unless the archive is off. */
  get archiverFunction(): lambda.IFunction | undefined {
    return this.media?.archiver.function;
  }

  /** Inbound messages recorded for the first time, by message type (for graphs; see PipelineMetrics). */
  metricMessagesRecorded(): cloudwatch.IMetric {
    return this.monitoring.metrics.messagesRecorded();
  }

  /** Read receipts and reactions sent, by the answered message's type (for graphs). */
  metricAutoResponsesSent(): cloudwatch.IMetric {
    return this.monitoring.metrics.autoResponsesSent();
  }

  /** Read receipts and reactions refused for good; the AutoResponsesRejected alarm watches it. */
  metricAutoResponsesFailed(): cloudwatch.IMetric {
    return this.monitoring.metrics.autoResponsesFailed();
  }

  /** Events rejected as not End User Messaging Social's, by reason (for graphs). */
  metricUndecodableEvents(): cloudwatch.IMetric {
    return this.monitoring.metrics.undecodableEvents();
  }

  /** How far the event publisher is behind the table's stream (ms); its IteratorAge alarm watches it. */
  metricPublisherIteratorAge(): cloudwatch.IMetric {
    return iteratorAge(this.requireEvents().publisher.function);
  }

  /** Where alerts and alarms are published. */
  get alertsTopic(): sns.ITopic {
    return this.alerts.topic;
  }

  /** The alarms: the pipeline's, and the dead-letter alarm of each event subscriber. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [
      ...this.monitoring.alarms,
      ...(this.events?.subscriptions.flatMap((s) => [s.alarm, s.lostAlarm]) ?? []),
    ];
  }

  /** The dashboard. */
  get dashboard(): cloudwatch.Dashboard {
    return this.monitoring.dashboard;
  }
}

/** The auto-response policy the processor receives, with the registry's defaults merged in. */
export function autoResponsePolicyOf(options: AutoResponseOptions): AutoResponsePolicy {
  const emojiByType: Record<string, string> = {};
  for (const [type, emoji] of Object.entries(options.emojiByType ?? {})) {
    if (emoji !== undefined) emojiByType[type] = emoji;
  }
  const actions: Record<string, ResponseAction> = { ...defaultActions() };
  for (const [type, action] of Object.entries(options.actions ?? {})) {
    if (action !== undefined) actions[type] = action;
  }
  return {
    actions,
    defaultAction: options.defaultAction ?? AUTO_RESPONSE_DEFAULTS.defaultAction,
    emoji: options.reactionEmoji ?? AUTO_RESPONSE_DEFAULTS.reactionEmoji,
    emojiByType,
    typingIndicator: options.typingIndicator ?? AUTO_RESPONSE_DEFAULTS.typingIndicator,
    maxMessageAgeSeconds: Math.round(
      (options.maxMessageAgeHours ?? AUTO_RESPONSE_DEFAULTS.maxMessageAgeHours) * 3600,
    ),
    // Written only when on: a policy without it is the default, and deployed policies read the same.
    ...((options.groups ?? AUTO_RESPONSE_DEFAULTS.groups) ? { groups: true } : {}),
  };
}

/**
 * The bare ids of the WABAs to link. An ARN of another account or region than the stack's is an
 * error when the stack's environment is known (the linker calls the stack's own region), and a
 * warning when it is not.
 */
function linkedWabaIds(scope: Construct, entries: readonly string[]): string[] {
  const stack = Stack.of(scope);
  const problems: string[] = [];
  const ids = new Map<string, string>();
  for (const entry of entries) {
    const reference = parseWabaReference(entry);
    if (reference === undefined) {
      problems.push(`linkedWabas "${entry}": expected a WABA id such as "waba-0123…" or its ARN`);
      continue;
    }
    const earlier = ids.get(reference.id);
    if (earlier !== undefined) {
      problems.push(`linkedWabas: "${earlier}" and "${entry}" are both ${reference.id}; list each WABA once`);
    }
    ids.set(reference.id, entry);
    for (const [what, named, own] of [
      ['region', reference.region, stack.region],
      ['account', reference.account, stack.account],
    ] as const) {
      if (named === undefined || named === own) continue;
      if (Token.isUnresolved(own)) {
        Annotations.of(scope).addWarningV2(
          `whatsapp-pipeline:waba-${what}`,
          `linkedWabas "${entry}" is in ${what} ${named}; the link is made in the stack's own ${what}, so deploy the stack there.`,
        );
      } else {
        problems.push(`linkedWabas "${entry}" is in ${what} ${named}, but the stack deploys to ${own}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new WhatsAppPipelinePropsError(
      `Invalid WhatsAppPipeline props:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return [...ids.keys()];
}

/**
 * The stack name, then this construct's path within the stack, without `Default` segments: a
 * stack's only pipeline (id `Default`) is named after the stack alone.
 */
function defaultNamePrefix(construct: Construct): string {
  const stack = Stack.of(construct);
  const path = construct.node.scopes
    .slice(stack.node.scopes.length)
    .map((scope) => scope.node.id)
    .filter((segment) => segment !== 'Default');
  // Construct ids may hold characters a dashboard or alarm name refuses.
  const prefix = [stack.stackName, ...path].join('-').replace(/[^A-Za-z0-9_-]/g, '-');
  // Alarm names may be long, but keep the prefix readable and within CloudWatch's dashboard limit.
  return prefix.length <= 200 ? prefix : `${prefix.slice(0, 180)}-${Names.uniqueId(construct).slice(-8)}`;
}

function validate(props: WhatsAppPipelineProps): void {
  const problems: string[] = [];
  const rules = PROP_RULES;
  if (props.namePrefix !== undefined && !rules.namePrefix.test(props.namePrefix)) {
    problems.push(`namePrefix "${props.namePrefix}": expected ${rules.namePrefix.expected}`);
  }
  for (const key of [
    'alertDigestMinutes',
    'dataRetentionDays',
    'processorMaxConcurrency',
    'humanTakeoverMinutes',
    'stallMinutes',
  ] as const) {
    const value = props[key];
    if (value !== undefined && !rules[key].test(value))
      problems.push(`${key} ${value}: expected ${rules[key].expected}`);
  }
  for (const id of props.phoneNumberIds ?? []) {
    if (!rules.phoneNumberId.test(id))
      problems.push(`phoneNumberIds "${id}": expected ${rules.phoneNumberId.expected}`);
  }
  if (props.events !== false && props.table !== undefined && props.table.table.tableStreamArn === undefined) {
    problems.push(
      'table has no stream, which the conversation events are published from: import it with its tableStreamArn (new and old images), or set events: false',
    );
  }
  if (props.rateCards !== undefined) {
    for (const problem of rateCardProblems(props.rateCards)) {
      const at = problem.path.length === 0 ? '' : `[${problem.path.join('.')}]`;
      problems.push(`rateCards${at}: ${problem.message}`);
    }
  }
  if (props.events === false && props.mediaArchive?.enabled === true) {
    problems.push('mediaArchive needs the conversation event bus: leave events on, or turn the archive off');
  }
  if (props.topic !== undefined && props.topicEncryptionKey !== undefined) {
    problems.push(
      'topicEncryptionKey is only used for a created topic: pass it with the topic you give, or leave topic out',
    );
  }
  if (problems.length > 0) {
    throw new WhatsAppPipelinePropsError(
      `Invalid WhatsAppPipeline props:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}
