import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { autoResponsePolicyOf, type PipelineConfig } from './config';
import { ConversationTable } from './constructs/conversation-table';
import { FailureAlerts } from './constructs/failure-alerts';
import { InboundProcessor } from './constructs/inbound-processor';
import { InboundTopic } from './constructs/inbound-topic';
import { PipelineMonitoring } from './constructs/pipeline-monitoring';
import { WabaLinks } from './constructs/waba-links';

/** Properties of a {@link WhatsAppPipelineStack}. */
export interface WhatsAppPipelineStackProps extends StackProps {
  /** The validated pipeline configuration (see `parsePipelineConfig`). */
  readonly config: PipelineConfig;
}

/**
 * The pipeline behind AWS End User Messaging Social (WhatsApp): the encrypted inbound topic the
 * WABA publishes to, and everything that processes its events.
 */
export class WhatsAppPipelineStack extends Stack {
  /** The inbound topic and its key. */
  public readonly inbound: InboundTopic;
  /** The conversation store. */
  public readonly conversations: ConversationTable;
  /** The topic's subscriber and its failure queues. */
  public readonly processor: InboundProcessor;
  /** Failed-message alerts and the alerts topic. */
  public readonly alerts: FailureAlerts;
  /** Alarms and dashboard. */
  public readonly monitoring: PipelineMonitoring;
  /** Conditional: the WABA links, when `linkedWabas` lists any. */
  public readonly wabaLinks?: WabaLinks;

  constructor(scope: Construct, id: string, props: WhatsAppPipelineStackProps) {
    super(scope, id, props);
    const removalPolicy =
      props.config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.inbound = new InboundTopic(this, 'Inbound', { removalPolicy });
    this.conversations = new ConversationTable(this, 'Conversations', { removalPolicy });
    this.processor = new InboundProcessor(this, 'InboundProcessor', {
      topic: this.inbound.topic,
      conversations: this.conversations,
      dataRetentionDays: props.config.dataRetentionDays,
      logRetentionDays: props.config.logRetentionDays,
      removalPolicy,
      autoResponse: props.config.autoResponse.enabled
        ? {
            policy: autoResponsePolicyOf(props.config),
            metaApiVersion: props.config.metaApiVersion,
            phoneNumberIds: props.config.phoneNumberIds,
          }
        : undefined,
    });
    this.alerts = new FailureAlerts(this, 'Alerts', {
      conversations: this.conversations,
      dataRetentionDays: props.config.dataRetentionDays,
      logRetentionDays: props.config.logRetentionDays,
      alarmEmail: props.config.alarmEmail,
      removalPolicy,
    });
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      alertsTopic: this.alerts.topic,
      inboundTopic: this.inbound.topic,
      functions: {
        InboundProcessor: this.processor.function.function,
        FailureRecorder: this.alerts.recorder.function,
      },
      deadLetterQueues: {
        ProcessorFailureQueue: this.processor.failureQueue,
        SubscriptionDeadLetterQueue: this.processor.subscriptionDeadLetterQueue,
        AlertsDeadLetterQueue: this.alerts.deadLetterQueue,
      },
      table: this.conversations.table,
      thresholds: props.config.alarmThresholds,
    });
    if (props.config.linkedWabas.length > 0) {
      this.wabaLinks = new WabaLinks(this, 'WabaLinks', {
        topic: this.inbound.topic,
        wabas: props.config.linkedWabas,
        logRetentionDays: props.config.logRetentionDays,
        removalPolicy,
      });
    }

    new CfnOutput(this, 'InboundTopicArn', {
      description: 'Set this topic as the event destination of your WhatsApp Business Account',
      value: this.inbound.topic.topicArn,
    });
    new CfnOutput(this, 'InboundTopicKeyArn', {
      description: 'The KMS key that encrypts the inbound topic',
      value: this.inbound.key.keyArn,
    });
    new CfnOutput(this, 'ConversationTableName', {
      description: 'The DynamoDB table of conversations (for npm run inspect)',
      value: this.conversations.table.tableName,
    });
    new CfnOutput(this, 'FailureQueueUrl', {
      description: 'Events that failed processing after all retries (see docs/runbook.md to redrive)',
      value: this.processor.failureQueue.queueUrl,
    });
    new CfnOutput(this, 'AlertsTopicArn', {
      description: 'Alerts and alarms: subscribe your pager, chat or e-mail here',
      value: this.alerts.topic.topicArn,
    });
    new CfnOutput(this, 'AlertsDeadLetterQueueUrl', {
      description: 'Failure events that could not be alerted or recorded (see docs/runbook.md)',
      value: this.alerts.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'SubscriptionDeadLetterQueueUrl', {
      description: 'SNS deliveries that never reached the processor (see docs/runbook.md to redrive)',
      value: this.processor.subscriptionDeadLetterQueue.queueUrl,
    });
  }
}
