import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type AutoResponsePolicy,
  autoResponsePolicySchema,
  DEFAULT_HUMAN_TAKEOVER_MINUTES,
  DEFAULT_STALL_MINUTES,
  ENV,
} from '../../contracts';
import { bindConversationTable, type IConversationTable } from './conversation-table';
import { DEFAULT_DIGEST_WINDOW_MINUTES } from './failure-alerts';
import { type MessageHookEntry, MessageHookEntryError, processorEntryWithHooks } from './message-hooks';
import { PipelineFunction, shippedHandler } from './pipeline-function';
import type { PseudonymKey } from './pseudonym-key';
import { failureQueue, QueueSendDestination, rotatingKey } from './secure-defaults';
import { grantSendWhatsAppMessage } from './send-permission';

/** Properties of an {@link InboundProcessor}. */
export interface InboundProcessorProps {
  /** The topic End User Messaging Social publishes to. */
  readonly topic: sns.ITopic;
  /** Where conversations are recorded. */
  readonly conversations: IConversationTable;
  /** Days a record lives after its last write. */
  readonly dataRetentionDays: number;
  readonly logRetentionDays: logs.RetentionDays;
  /** The `service` of the function's logs and metrics. */
  readonly serviceName: string;
  /**
   * X-Ray active tracing of the function (see PipelineFunctionProps.tracing for its cost).
   * @default false
   */
  readonly tracing?: boolean;
  /** Keys the pseudonyms of the function's logs. */
  readonly pseudonymKey: PseudonymKey;
  /**
   * The handler to run. Give `messageHooks` instead to add hooks to the shipped processor.
   * @default - the shipped processor, lambda/inbound-processor/handler.ts
   */
  readonly entry?: string;
  /**
   * Modules outside the core whose export is a `MessageHook`, bundled into the shipped processor
   * and run after the auto-responder, in this order (README, "Build on it").
   * @default [] - the auto-responder alone
   */
  readonly messageHooks?: readonly MessageHookEntry[];
  /**
   * A ceiling on the processor's concurrent executions (reserved concurrency), so a burst cannot
   * take the account's whole pool or outrun SendWhatsAppMessage's quota; throttled deliveries wait
   * in Lambda's own queue (up to 6 hours) and are not lost. It is taken from the account's
   * unreserved concurrency, which may not fall below 10.
   * @default - none: the account's unreserved pool
   */
  readonly maxConcurrency?: number;
  /**
   * Minutes the bots of a conversation stay quiet after a person wrote in it from the WhatsApp
   * Business app; 0 never pauses them.
   * @default 30
   */
  readonly humanTakeoverMinutes?: number;
  /**
   * Minutes after End User Messaging Social accepted a send that the alert digest flags it as
   * stalled if it has not settled (docs/send-ledger.md).
   * @default 10
   */
  readonly stallMinutes?: number;
  /**
   * Fate of the failure queues, their key and the log group on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How often Lambda retries a failed invocation before it goes to the failure queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Minutes of an alerts-digest window: account-health changes that need a human wait in the
   * window of their recording. Must match the digest's (FailureAlertsProps.digestWindowMinutes).
   * @default 15
   */
  readonly digestWindowMinutes?: number;
  /**
   * Answer inbound messages with a read receipt and a reaction.
   * @default - no auto-responses: messages are only recorded
   */
  readonly autoResponse?: AutoResponseProps;
}

/** How the processor answers inbound messages. */
export interface AutoResponseProps {
  readonly policy: AutoResponsePolicy;
  /** Meta Graph API version for SendWhatsAppMessage. */
  readonly metaApiVersion: string;
  /**
   * AWS phone-number ids (`phone-number-id-<id>`) the function may send from.
   * @default - every phone number of the account, with a synth-time warning
   */
  readonly phoneNumberIds?: readonly string[];
}

/**
 * The subscriber of the inbound topic and its failure path. Nothing is lost:
 * - SNS retries delivery to the function; what it cannot deliver goes to the subscription's
 *   dead-letter queue;
 * - Lambda retries a failed invocation; what still fails (malformed events, exhausted transient
 *   errors) goes to the on-failure queue with the full event and the error.
 * Both queues are encrypted with a customer-managed key and keep messages for 14 days; the runbook
 * shows how to redrive them.
 */
export class InboundProcessor extends Construct {
  public readonly function: PipelineFunction;
  /** SNS deliveries that never reached the function. */
  public readonly subscriptionDeadLetterQueue: sqs.Queue;
  /** Invocations that failed after all retries, as Lambda destination records. */
  public readonly failureQueue: sqs.Queue;
  /** Encrypts both queues. */
  public readonly queueKey: kms.Key;

  constructor(scope: Construct, id: string, props: InboundProcessorProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.queueKey = rotatingKey(
      this,
      'QueueKey',
      'Encrypts the WhatsApp pipeline failure queues',
      removalPolicy,
    );
    // SNS writes to the subscription DLQ as itself, so the key must admit it, for this topic only.
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowInboundTopicDeadLetters',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:SourceArn': props.topic.topicArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    this.subscriptionDeadLetterQueue = failureQueue(this, 'SubscriptionDeadLetterQueue', {
      key: this.queueKey,
      removalPolicy,
      holds: 'SNS deliveries that never reached the processor',
    });
    this.failureQueue = failureQueue(this, 'FailureQueue', {
      key: this.queueKey,
      removalPolicy,
      holds: 'Lambda on-failure records of invocations that failed after retries',
    });

    const hooks = props.messageHooks ?? [];
    if (props.entry !== undefined && hooks.length > 0) {
      throw new MessageHookEntryError(
        `${this.node.path}: give entry or messageHooks, not both: hooks are bundled into the shipped processor`,
      );
    }
    this.function = new PipelineFunction(this, 'Processor', {
      entry:
        props.entry ??
        (hooks.length > 0 ? processorEntryWithHooks(hooks) : shippedHandler('inbound-processor')),
      reservedConcurrentExecutions: props.maxConcurrency,
      serviceName: props.serviceName,
      tracing: props.tracing,
      description: 'Records every WhatsApp message, status and error from End User Messaging Social',
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
      environment: {
        [ENV.retentionDays]: String(props.dataRetentionDays),
        [ENV.digestWindowMinutes]: String(props.digestWindowMinutes ?? DEFAULT_DIGEST_WINDOW_MINUTES),
        [ENV.humanTakeoverMinutes]: String(props.humanTakeoverMinutes ?? DEFAULT_HUMAN_TAKEOVER_MINUTES),
        [ENV.stallMinutes]: String(props.stallMinutes ?? DEFAULT_STALL_MINUTES),
      },
    });
    const fn = this.function.function;
    fn.configureAsyncInvoke({
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: Duration.hours(6),
      onFailure: new QueueSendDestination(this.failureQueue),
    });
    bindConversationTable(fn, props.conversations, 'inbound-recording');
    props.pseudonymKey.bindReader(fn);
    if (props.autoResponse !== undefined) {
      this.grantSend(props.autoResponse);
    }
    props.topic.addSubscription(
      new subscriptions.LambdaSubscription(fn, { deadLetterQueue: this.subscriptionDeadLetterQueue }),
    );
  }

  /** Lets the function send from the given numbers only, and gives it the policy and API version. */
  private grantSend(autoResponse: AutoResponseProps): void {
    const fn = this.function.function;
    grantSendWhatsAppMessage(this, fn, autoResponse.phoneNumberIds ?? []);
    fn.addEnvironment(ENV.metaApiVersion, autoResponse.metaApiVersion);
    // The function parses this with the same schema; a policy it would reject must fail synth.
    fn.addEnvironment(
      ENV.autoResponsePolicy,
      JSON.stringify(autoResponsePolicySchema.parse(autoResponse.policy)),
    );
  }
}
