import { Annotations, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { rotatingKey } from './secure-defaults';

/** The service principal of AWS End User Messaging Social. */
export const SOCIAL_MESSAGING_PRINCIPAL = 'social-messaging.amazonaws.com';

/** Properties of an {@link InboundTopic}. */
export interface InboundTopicProps {
  /**
   * Key that encrypts the topic. A key passed here must already admit
   * `social-messaging.amazonaws.com` to `kms:GenerateDataKey*` and `kms:Decrypt`; the construct adds
   * that statement when it can (keys defined in this app) and warns when it cannot (imported keys).
   * @default - a customer-managed key with yearly rotation, admitting only End User Messaging Social of this account
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Fate of the created key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The standard SNS topic that AWS End User Messaging Social publishes a WhatsApp Business Account's
 * events to (the service does not support FIFO topics).
 *
 * The topic is encrypted with a customer-managed key: the AWS-managed `alias/aws/sns` key cannot be
 * used by a service publisher, and events published to such a topic are dropped without a trace.
 * Both the key policy and the topic policy admit the service principal only on behalf of this
 * account (`aws:SourceAccount`) and its social-messaging resources (`aws:SourceArn`), which prevents
 * another account's WABA from using this topic (the confused-deputy problem). Publishing without TLS
 * is denied.
 */
export class InboundTopic extends Construct {
  /** The topic to set as the WABA's event destination. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic's messages at rest. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: InboundTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const confusedDeputyConditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'social-messaging',
          resource: '*',
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        }),
      },
    };
    const socialMessaging = new iam.ServicePrincipal(SOCIAL_MESSAGING_PRINCIPAL);

    this.key =
      props.encryptionKey ??
      rotatingKey(
        this,
        'Key',
        'Encrypts WhatsApp events published by AWS End User Messaging Social',
        props.removalPolicy ?? RemovalPolicy.RETAIN,
      );
    const { statementAdded } = this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEndUserMessagingSocialToPublish',
        principals: [socialMessaging],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: confusedDeputyConditions,
      }),
      /* allowNoOp */ true,
    );
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(
        'whatsapp-pipeline:imported-key-policy',
        `The key policy of the imported key cannot be changed from this stack. Add a statement that lets ${SOCIAL_MESSAGING_PRINCIPAL} use kms:GenerateDataKey* and kms:Decrypt, or End User Messaging Social cannot publish.`,
      );
    }

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'WhatsApp events from AWS End User Messaging Social',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEndUserMessagingSocialToPublish',
        principals: [socialMessaging],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: confusedDeputyConditions,
      }),
    );
  }
}
