import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CONSTRUCT_ID,
  ENV,
  FAILED_MESSAGE_EVENT_PATTERN,
  type RateCard,
  SEND_PROGRESS_EVENT_PATTERN,
  SOCIAL_MESSAGING_SOURCE,
} from '../../contracts';
import { bindConversationTable, type IConversationTable } from './conversation-table';
import { PipelineFunction, shippedHandler } from './pipeline-function';
import { eventBridgeDeadLetterKey, failureQueue, QueueSendDestination, rotatingKey } from './secure-defaults';

export { FAILED_MESSAGE_EVENT_PATTERN };

/** Minutes of an alerts-digest window unless set: the one default of the window, for the digest and the processor. */
export const DEFAULT_DIGEST_WINDOW_MINUTES = 15;

/** Properties of {@link FailureAlerts}. */
export interface FailureAlertsProps {
  /** Where failures are recorded. */
  readonly conversations: IConversationTable;
  readonly dataRetentionDays: number;
  readonly logRetentionDays: logs.RetentionDays;
  /** The `service` of the recorder's logs and metrics. */
  readonly serviceName: string;
  /**
   * X-Ray active tracing of the function (see PipelineFunctionProps.tracing for its cost).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * The recorder's handler.
   * @default - the shipped recorder, lambda/failure-recorder/handler.ts
   */
  readonly recorderEntry?: string;
  /**
   * The digest's handler.
   * @default - the shipped digest, lambda/failure-digest/handler.ts
   */
  readonly digestEntry?: string;
  /**
   * Minutes of a digest window: at most one notification per business number and error code each.
   * @default 15
   */
  readonly digestWindowMinutes?: number;
  /**
   * Meta's prices, dated, that the digest turns counted messages into money with (docs/cost.md).
   * @default - none: the digest publishes counts only
   */
  readonly rateCards?: readonly RateCard[];
  /**
   * The prefix of this pipeline's alarm names: only those alarms may publish to the alerts topic
   * and use its key.
   * @default - every alarm of the account
   */
  readonly alarmNamePrefix?: string;
  /**
   * The dashboard notifications link to.
   * @default - no dashboard link
   */
  readonly dashboardName?: string;
  /**
   * Address subscribed to the alerts topic.
   * @default - no subscription: subscribe a pager, chat or e-mail to the topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * Fate of the key, the queue and the log group on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Tells people when WhatsApp messages fail, and records each failure on the conversation store.
 *
 * An EventBridge rule on the default bus matches End User Messaging Social's failure events and
 * sends each to two targets: the alerts topic, with a message a person can act on, and the failure
 * recorder. Both targets retry for a day and dead-letter what they cannot deliver. The alerts topic
 * is encrypted with a customer-managed key that admits EventBridge and CloudWatch (an AWS-managed
 * key would silently drop every alert), and receives every alarm of the stack too.
 */
export class FailureAlerts extends Construct {
  /** Where alerts and alarms are published; subscribe people and tools here. */
  public readonly topic: sns.Topic;
  /** Encrypts the alerts topic and the failure-events topic. */
  public readonly key: kms.Key;
  public readonly rule: events.Rule;
  /**
   * EUM's hand-offs and statuses of sends, to the recorder for the send ledger (docs/send-ledger.md).
   * Not on the machine channel: they are progress, not failures.
   */
  public readonly progressRule: events.Rule;
  /** Records failures on the conversation store, and every send's progress in the send ledger. */
  public readonly recorder: PipelineFunction;
  /** Events the targets could not take, and recorder invocations that failed after retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Encrypts only the dead-letter queue (see the constructor for why it is a key of its own). */
  public readonly deadLetterKey: kms.Key;
  /** The machine channel: every failure event, one message each. Subscribe tools here, not people. */
  public readonly failureEventsTopic: sns.Topic;
  /** Sends the digest notifications to {@link topic}. */
  public readonly digest: PipelineFunction;
  /** Runs the digest. */
  public readonly digestSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: FailureAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = rotatingKey(
      this,
      'Key',
      'Encrypts WhatsApp pipeline alerts and their dead letters',
      removalPolicy,
    );
    // CloudWatch publishes alarm actions as itself: only this pipeline's alarms need the key.
    const alarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${props.alarmNamePrefix ?? ''}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisPipelinesAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarms },
        },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'WhatsApp pipeline alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarms },
        },
      }),
    );
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    // Its own key, admitting EventBridge (see eventBridgeDeadLetterKey).
    this.deadLetterKey = eventBridgeDeadLetterKey(
      this,
      'DeadLetterKey',
      'Encrypts the WhatsApp alerts dead-letter queue',
      removalPolicy,
    );
    this.deadLetterQueue = failureQueue(this, 'DeadLetterQueue', {
      key: this.deadLetterKey,
      removalPolicy,
      holds: 'failure events the rule targets could not take, and failed recorder invocations',
    });

    this.failureEventsTopic = new sns.Topic(this, 'FailureEvents', {
      displayName: 'WhatsApp message failure events, one per failure (for machines)',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.recorder = new PipelineFunction(this, CONSTRUCT_ID.recorder, {
      entry: props.recorderEntry ?? shippedHandler('failure-recorder'),
      serviceName: props.serviceName,
      tracing: props.tracing,
      description: 'Records WhatsApp message failures reported by End User Messaging Social',
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
      environment: {
        [ENV.retentionDays]: String(props.dataRetentionDays),
        [ENV.digestWindowMinutes]: String(props.digestWindowMinutes ?? DEFAULT_DIGEST_WINDOW_MINUTES),
      },
    });
    const recorder = this.recorder.function;
    bindConversationTable(recorder, props.conversations, 'failure-recording');
    recorder.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new QueueSendDestination(this.deadLetterQueue),
    });

    this.rule = new events.Rule(this, 'FailedMessages', {
      description: 'WhatsApp messages that End User Messaging Social reports as failed or undeliverable',
      // Replaced below: `$or` across fields has no typed form in EventPattern.
      eventPattern: { source: [SOCIAL_MESSAGING_SOURCE] },
    });
    const cfnRule = this.rule.node.defaultChild;
    if (!(cfnRule instanceof events.CfnRule)) throw new Error('The rule has no CfnRule');
    cfnRule.addPropertyOverride('EventPattern', FAILED_MESSAGE_EVENT_PATTERN);

    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 8,
      maxEventAge: Duration.hours(24),
    };
    // Publishing through a role keeps the topic and key policies free of an unconditioned
    // `events.amazonaws.com` grant, which any account's rule could otherwise use.
    const publisher = new iam.Role(this, 'AlertPublisher', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets the failed-message rule publish every failure event to the machine channel',
    });
    // The machine channel: every failure event, as EventBridge delivered it.
    this.rule.addTarget(new targets.SnsTopic(this.failureEventsTopic, { ...delivery, role: publisher }));
    Validations.of(publisher).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'KMS action family granted by CDK to publish to an encrypted topic, on the alerts key only.',
    });
    this.rule.addTarget(new targets.LambdaFunction(recorder, delivery));

    this.progressRule = new events.Rule(this, 'SendProgress', {
      description: 'Hand-offs and statuses of WhatsApp sends, for the send ledger',
      // EventPattern spells the wire's `detail-type` as `detailType`.
      eventPattern: {
        source: SEND_PROGRESS_EVENT_PATTERN.source,
        detailType: SEND_PROGRESS_EVENT_PATTERN['detail-type'],
      },
    });
    this.progressRule.addTarget(new targets.LambdaFunction(recorder, delivery));

    // The human channel: one notification per number and error code per window.
    const windowMinutes = props.digestWindowMinutes ?? DEFAULT_DIGEST_WINDOW_MINUTES;
    this.digest = new PipelineFunction(this, 'Digest', {
      entry: props.digestEntry ?? shippedHandler('failure-digest'),
      serviceName: props.serviceName,
      tracing: props.tracing,
      description:
        'Sends one alert per number and error code per window, and one for the account-health changes that need a person',
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
      timeout: Duration.minutes(1),
      // One run at a time comes from the run's lease (lambda/failure-digest/process.ts), not from
      // reserved concurrency, which accounts with a concurrency quota of 10 refuse.
      environment: {
        [ENV.digestWindowMinutes]: String(windowMinutes),
        [ENV.alertsTopicArn]: this.topic.topicArn,
        ...(props.dashboardName === undefined ? {} : { [ENV.dashboardName]: props.dashboardName }),
        ...(props.rateCards === undefined ? {} : { [ENV.rateCards]: JSON.stringify(props.rateCards) }),
      },
    });
    bindConversationTable(this.digest.function, props.conversations, 'digest');
    this.topic.grantPublish(this.digest.function);
    this.digestSchedule = new events.Rule(this, 'DigestSchedule', {
      description: 'Sends the failure digests of the windows that closed',
      schedule: events.Schedule.rate(Duration.minutes(Math.min(5, windowMinutes))),
    });
    this.digestSchedule.addTarget(
      new targets.LambdaFunction(this.digest.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    );
  }
}
