import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineConfig } from './config';
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

  constructor(scope: Construct, id: string, props: WhatsAppPipelineStackProps) {
    super(scope, id, props);
    const removalPolicy =
      props.config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.inbound = new InboundTopic(this, 'Inbound', { removalPolicy });

    new CfnOutput(this, 'InboundTopicArn', {
      description: 'Set this topic as the event destination of your WhatsApp Business Account',
      value: this.inbound.topic.topicArn,
    });
    new CfnOutput(this, 'InboundTopicKeyArn', {
      description: 'The KMS key that encrypts the inbound topic',
      value: this.inbound.key.keyArn,
    });
  }
}
