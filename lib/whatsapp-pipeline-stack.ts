import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OUTPUT } from '../contracts';
import { autoResponseOptionsOf, type PipelineConfig } from './config';
import type { MessageHookEntry } from './constructs/message-hooks';
import { WhatsAppPipeline, type WhatsAppPipelineProps } from './whatsapp-pipeline';

/** Properties of a {@link WhatsAppPipelineStack}. */
export interface WhatsAppPipelineStackProps extends StackProps {
  /** The validated pipeline configuration (see `parsePipelineConfig`). */
  readonly config: PipelineConfig;
  /**
   * The app's in-process hooks (`WhatsAppPipelineProps.messageHooks`).
   * @default [] - none
   */
  readonly messageHooks?: readonly MessageHookEntry[];
}

/** The construct props a cdk.json configuration stands for: only what it sets, so the construct's defaults hold. */
export function pipelinePropsOf(config: PipelineConfig): WhatsAppPipelineProps {
  return {
    phoneNumberIds: config.phoneNumberIds,
    metaApiVersion: config.metaApiVersion,
    autoResponse: autoResponseOptionsOf(config),
    dataRetentionDays: config.dataRetentionDays,
    logRetention: config.logRetentionDays,
    removalPolicy:
      config.removalPolicy === undefined
        ? undefined
        : config.removalPolicy === 'destroy'
          ? RemovalPolicy.DESTROY
          : RemovalPolicy.RETAIN,
    alarmEmail: config.alarmEmail,
    alarmThresholds: config.alarmThresholds,
    linkedWabas: config.linkedWabas,
    tracing: config.tracing,
    events: config.events,
    processorMaxConcurrency: config.processorMaxConcurrency,
    mediaArchive: config.mediaArchive,
    alertDigestMinutes: config.alertDigestMinutes,
    humanTakeoverMinutes: config.humanTakeoverMinutes,
    stallMinutes: config.stallMinutes,
    rateCards: config.rateCards,
  };
}

/**
 * The deployable shell around one {@link WhatsAppPipeline}: it turns the cdk.json configuration
 * into props, and exports what operators and tools need as stack outputs.
 */
export class WhatsAppPipelineStack extends Stack {
  /** The pipeline. Its id is `Default`, so logical ids are the same as when the stack held its parts itself. */
  public readonly pipeline: WhatsAppPipeline;

  constructor(scope: Construct, id: string, props: WhatsAppPipelineStackProps) {
    super(scope, id, props);
    const pipeline = new WhatsAppPipeline(this, 'Default', {
      ...pipelinePropsOf(props.config),
      messageHooks: props.messageHooks,
    });
    this.pipeline = pipeline;

    new CfnOutput(this, OUTPUT.inboundTopicArn, {
      description: 'Set this topic as the event destination of your WhatsApp Business Account',
      value: pipeline.topic.topicArn,
    });
    if (pipeline.topicKey !== undefined) {
      new CfnOutput(this, OUTPUT.inboundTopicKeyArn, {
        description: 'The KMS key that encrypts the inbound topic',
        value: pipeline.topicKey.keyArn,
      });
    }
    new CfnOutput(this, OUTPUT.conversationTableName, {
      description: 'The DynamoDB table of conversations (for npm run inspect)',
      value: pipeline.conversations.table.tableName,
    });
    new CfnOutput(this, OUTPUT.processorFunctionName, {
      description: 'The inbound processor (npm run redrive -- --stack <this stack>)',
      value: pipeline.processor.function.function.functionName,
    });
    new CfnOutput(this, OUTPUT.failureQueueUrl, {
      description: 'Events that failed processing after all retries (see docs/runbook.md to redrive)',
      value: pipeline.processor.failureQueue.queueUrl,
    });
    new CfnOutput(this, OUTPUT.alertsTopicArn, {
      description: 'Alerts and alarms: subscribe your pager, chat or e-mail here',
      value: pipeline.alerts.topic.topicArn,
    });
    new CfnOutput(this, OUTPUT.failureEventsTopicArn, {
      description:
        'Every message failure event, one message each: subscribe tools here, people to the alerts topic',
      value: pipeline.alerts.failureEventsTopic.topicArn,
    });
    new CfnOutput(this, OUTPUT.alertsDeadLetterQueueUrl, {
      description: 'Failure events that could not be alerted or recorded (see docs/runbook.md)',
      value: pipeline.alerts.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, OUTPUT.pseudonymSecretArn, {
      description: 'Keys the pseudonyms in the logs: npm run pseudonym -- --secret <this> <wamid or phone>',
      value: pipeline.pseudonymKey.secret.secretArn,
    });
    new CfnOutput(this, OUTPUT.dashboardName, { value: pipeline.monitoring.dashboard.dashboardName });
    new CfnOutput(this, OUTPUT.subscriptionDeadLetterQueueUrl, {
      description: 'SNS deliveries that never reached the processor (see docs/runbook.md to redrive)',
      value: pipeline.processor.subscriptionDeadLetterQueue.queueUrl,
    });
    if (pipeline.events !== undefined) {
      new CfnOutput(this, OUTPUT.eventBusName, {
        description: 'The conversation event bus (see docs/events.md)',
        value: pipeline.events.bus.eventBusName,
      });
      new CfnOutput(this, OUTPUT.undeliveredEventsQueueUrl, {
        description: 'Conversation events the bus refused (npm run redrive -- --events)',
        value: pipeline.events.undeliveredEventsQueue.queueUrl,
      });
      new CfnOutput(this, OUTPUT.streamFailureQueueUrl, {
        description: 'Stream batches the publisher failed on (npm run redrive -- --stream-failures)',
        value: pipeline.events.streamFailureQueue.queueUrl,
      });
      if (pipeline.media !== undefined) {
        new CfnOutput(this, OUTPUT.mediaBucketName, {
          description: 'Archived WhatsApp media (see docs/media.md)',
          value: pipeline.media.bucket.bucketName,
        });
      }
      new CfnOutput(this, OUTPUT.eventPublisherFunctionName, {
        value: pipeline.events.publisher.function.functionName,
      });
    }
  }
}
