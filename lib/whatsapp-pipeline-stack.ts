import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { autoResponsePolicyOf, type PipelineConfig } from './config';
import { ConversationTable } from './constructs/conversation-table';
import { InboundProcessor } from './constructs/inbound-processor';
import { InboundTopic } from './constructs/inbound-topic';

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
    new CfnOutput(this, 'SubscriptionDeadLetterQueueUrl', {
      description: 'SNS deliveries that never reached the processor (see docs/runbook.md to redrive)',
      value: this.processor.subscriptionDeadLetterQueue.queueUrl,
    });
  }
}
