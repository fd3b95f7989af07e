import { Annotations, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CONSTRUCT_ID,
  CONVERSATION_EVENT_SOURCE,
  type ConversationEventType,
  ENV,
  PUBLISHER_STREAM_FILTERS,
} from '../../contracts';
import type { IConversationTable } from './conversation-table';
import { PipelineFunction, shippedHandler } from './pipeline-function';
import {
  eventBridgeDeadLetterKey,
  failureQueue,
  grantQueueSend,
  QueueSendDestination,
  QueueSendDlq,
  rotatingKey,
} from './secure-defaults';

/** Properties of {@link ConversationEvents}. */
export interface ConversationEventsProps {
  /** The table whose stream is published; it must have a stream of new and old images. */
  readonly conversations: IConversationTable;
  /** Prefix of the bus name and of the subscribers' alarm names. */
  readonly namePrefix: string;
  /** The `service` of the publisher's logs and metrics. */
  readonly serviceName: string;
  readonly logRetentionDays: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Where the subscribers' dead-letter alarms notify. */
  readonly alertsTopic: sns.ITopic;
  /** @default false */
  readonly tracing?: boolean;
  /** The publisher's handler. @default - the shipped lambda/event-publisher */
  readonly publisherEntry?: string;
}

/**
 * How a subscriber receives its events. A Lambda function is invoked asynchronously, with the
 * subscription's dead-letter queue for deliveries and for invocations that fail after Lambda's
 * retries. Anything else (a Firehose stream, a queue, a Step Functions state machine) is made by a
 * function of the delivery settings, which every CDK target takes.
 */
export type SubscriberTarget = lambda.IFunction | ((delivery: targets.TargetBaseProps) => events.IRuleTarget);

/** Delivery settings of a subscription. */
export interface SubscriptionOptions {
  /**
   * Only events of these business numbers (Meta's phone-number ids).
   * @default - every number
   */
  readonly businessPhoneNumberIds?: readonly string[];
  /**
   * Attempts EventBridge makes to deliver an event before dead-lettering it.
   * @default 185 - EventBridge's default
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps trying to deliver an event.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
}

/** A subscription of any detail-types, with a pattern on the detail. */
export interface SubscriberOptions extends SubscriptionOptions {
  readonly detailTypes: readonly ConversationEventType[];
  /**
   * More of the rule's pattern, under `detail` (EventBridge pattern syntax).
   * @default - every event of the detail-types
   */
  readonly detail?: Readonly<Record<string, unknown>>;
  /**
   * The id of the dead-letter alarm, named `<prefix>-<alarmId>`.
   * @default `SubscriberDeadLetters-<id>`
   */
  readonly alarmId?: string;
}

/**
 * The conversation event bus and its publisher: a function on the table's stream turns every
 * committed change into typed events (docs/events.md) and puts them on the bus. Refused events are
 * retried, then kept whole in the undelivered-events queue; batches the function itself cannot
 * handle are recorded in the stream-failures queue. Both are alarmed.
 */
export class ConversationEvents extends Construct {
  /** The bus every conversation event is put on. */
  public readonly bus: events.EventBus;
  /** The stream publisher. */
  public readonly publisher: PipelineFunction;
  /** Events the bus refused after every retry, whole, for redrive. */
  public readonly undeliveredEventsQueue: sqs.Queue;
  /** Stream batches the publisher failed on after its retries (their shard and sequence numbers). */
  public readonly streamFailureQueue: sqs.Queue;
  /** Encrypts the publisher's queues. */
  public readonly key: kms.Key;
  /** Encrypts the subscribers' dead-letter queues; EventBridge may use it to write dead letters. */
  public readonly deadLetterKey: kms.Key;

  /** Every subscription made through {@link subscribe}, in order. */
  public readonly subscriptions: ConversationEventSubscription[] = [];
  private readonly props: ConversationEventsProps;

  constructor(scope: Construct, id: string, props: ConversationEventsProps) {
    super(scope, id);
    this.props = props;
    const { removalPolicy } = props;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `${props.namePrefix}-conversations`,
      description: 'WhatsApp conversation events: messages received, status changes, failures',
    });
    this.key = rotatingKey(this, 'Key', 'Encrypts the WhatsApp event publisher queues', removalPolicy);
    this.deadLetterKey = eventBridgeDeadLetterKey(
      this,
      'DeadLetterKey',
      'Encrypts the dead-letter queues of WhatsApp event subscribers',
      removalPolicy,
    );
    this.undeliveredEventsQueue = failureQueue(this, 'UndeliveredEvents', {
      key: this.key,
      removalPolicy,
      holds: 'conversation events the bus refused after every retry',
    });
    this.streamFailureQueue = failureQueue(this, 'StreamFailures', {
      key: this.key,
      removalPolicy,
      holds: 'the positions of stream batches the publisher failed on',
    });

    this.publisher = new PipelineFunction(this, CONSTRUCT_ID.publisher, {
      entry: props.publisherEntry ?? shippedHandler('event-publisher'),
      serviceName: props.serviceName,
      tracing: props.tracing,
      description: 'Publishes committed WhatsApp conversation changes as events on the bus',
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
      timeout: Duration.seconds(60),
      environment: {
        [ENV.eventBusName]: this.bus.eventBusName,
        [ENV.undeliveredEventsQueueUrl]: this.undeliveredEventsQueue.queueUrl,
        [ENV.pipelineName]: props.namePrefix,
      },
    });
    const fn = this.publisher.function;
    this.bus.grantPutEventsTo(fn);
    grantQueueSend(this.undeliveredEventsQueue, fn);
    fn.addEventSource(
      new sources.DynamoEventSource(props.conversations.table, {
        // From the oldest record kept, so the changes written before the mapping existed are published too.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        // One batch per shard at a time keeps each item's changes in order.
        parallelizationFactor: 1,
        onFailure: new QueueSendDlq(this.streamFailureQueue),
        filters: PUBLISHER_STREAM_FILTERS.map((filter) => lambda.FilterCriteria.filter(filter)),
      }),
    );
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "dynamodb:ListStreams, which a stream event source needs, has no resource-level permissions; every other stream action is on this table's stream only.",
      });
    }
  }

  /**
   * Subscribes a target to events of some detail-types. The subscription has its own rule, retry
   * policy and dead-letter queue (with an alarm), so a failing subscriber affects nobody else.
   */
  subscribe(id: string, target: SubscriberTarget, options: SubscriberOptions): ConversationEventSubscription {
    const subscription = new ConversationEventSubscription(this, id, {
      bus: this.bus,
      target,
      options,
      deadLetterKey: this.deadLetterKey,
      removalPolicy: this.props.removalPolicy,
      alertsTopic: this.props.alertsTopic,
      alarmName: `${this.props.namePrefix}-${options.alarmId ?? `SubscriberDeadLetters-${id}`}`,
      runbookSection: (options.alarmId ?? 'SubscriberDeadLetters').toLowerCase(),
      lostAlarmName: `${this.props.namePrefix}-${options.alarmId === undefined ? `SubscriberDeadLettersLost-${id}` : `${options.alarmId}Lost`}`,
      lostRunbookSection: `${options.alarmId ?? 'SubscriberDeadLetters'}Lost`.toLowerCase(),
    });
    this.subscriptions.push(subscription);
    return subscription;
  }
}

/** Properties of a {@link ConversationEventSubscription}. */
export interface ConversationEventSubscriptionProps {
  readonly bus: events.IEventBus;
  readonly target: SubscriberTarget;
  readonly options: SubscriberOptions;
  readonly deadLetterKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly alertsTopic: sns.ITopic;
  readonly alarmName: string;
  /** The runbook section of the alarm. */
  readonly runbookSection: string;
  /** The name of the alarm on events the rule could not even dead-letter. */
  readonly lostAlarmName: string;
  readonly lostRunbookSection: string;
}

/** One subscriber of the conversation event bus: its rule, dead-letter queue and alarm. */
export class ConversationEventSubscription extends Construct {
  public readonly rule: events.Rule;
  /** Events the target could not take, and (for a function) invocations that failed for good. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Fires on the first dead letter. */
  public readonly alarm: cloudwatch.Alarm;
  /**
   * Fires when the rule could not write an undeliverable event to its dead-letter queue (a key or
   * policy problem): those events are lost, and nothing else would say so.
   */
  public readonly lostAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ConversationEventSubscriptionProps) {
    super(scope, id);
    const { options } = props;
    if (options.detailTypes.length === 0) {
      throw new Error(`Subscription ${id}: name at least one detail-type`);
    }
    this.deadLetterQueue = failureQueue(this, 'DeadLetterQueue', {
      key: props.deadLetterKey,
      removalPolicy: props.removalPolicy,
      holds: 'conversation events its subscriber could not take',
    });
    const numbers = options.businessPhoneNumberIds;
    const detail = {
      ...(numbers === undefined || numbers.length === 0 ? {} : { businessPhoneNumberId: [...numbers] }),
      ...options.detail,
    };
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `Conversation events for subscriber ${id}`,
      eventPattern: {
        source: [CONVERSATION_EVENT_SOURCE],
        detailType: [...options.detailTypes],
        ...(Object.keys(detail).length === 0 ? {} : { detail }),
      },
    });
    const delivery: targets.TargetBaseProps = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
    };
    if (typeof props.target === 'function') {
      this.rule.addTarget(props.target(delivery));
    } else {
      this.rule.addTarget(new targets.LambdaFunction(props.target, delivery));
      // EventBridge invokes asynchronously: without this, an invocation that fails Lambda's own
      // retries would be dropped rather than dead-lettered. A function has one such setting.
      if (props.target.node.tryFindChild('EventInvokeConfig') === undefined) {
        props.target.configureAsyncInvoke({
          onFailure: new QueueSendDestination(this.deadLetterQueue),
          retryAttempts: 2,
        });
      } else {
        Annotations.of(this).addWarningV2(
          'whatsapp-pipeline:shared-subscriber-function',
          `${props.target.node.path} already has an asynchronous failure destination: its failed invocations for ${id} land in the dead-letter queue of its first subscription. Give each subscription a function of its own, or one subscription with addSubscriber and several detail-types.`,
        );
      }
    }
    this.alarm = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmName: props.alarmName,
      alarmDescription: `Subscriber ${id} could not take conversation events. Runbook: docs/runbook.md#${props.runbookSection}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lostAlarm = new cloudwatch.Alarm(this, 'DeadLettersLost', {
      alarmName: props.lostAlarmName,
      alarmDescription: `The rule of subscriber ${id} could not write undeliverable events to its dead-letter queue: they are lost. Runbook: docs/runbook.md#${props.lostRunbookSection}`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'InvocationsFailedToBeSentToDLQ',
        dimensionsMap: { RuleName: this.rule.ruleName, EventBusName: props.bus.eventBusName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new actions.SnsAction(props.alertsTopic);
    for (const alarm of [this.alarm, this.lostAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
