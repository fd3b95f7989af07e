import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The pipeline's secure defaults, in one place so every construct applies the same ones:
 * customer-managed keys that rotate, and failure queues that are encrypted, TLS-only and keep
 * messages as long as SQS allows.
 */

/** A customer-managed key with yearly rotation and the shortest deletion window. */
export function rotatingKey(
  scope: Construct,
  id: string,
  description: string,
  removalPolicy: RemovalPolicy,
): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy,
    pendingWindow: Duration.days(7),
  });
}

/**
 * A key for the dead-letter queues of EventBridge rules. EventBridge writes rule dead letters as
 * itself, and AWS does not document that those KMS requests carry aws:SourceAccount or
 * aws:SourceArn: a condition on them could make every dead letter fail, silently. So such queues
 * get a key of their own that admits EventBridge without conditions, and nothing else is encrypted
 * with it; who may send to a queue is decided by its queue policy, bound to the rules (aws:SourceArn).
 */
export function eventBridgeDeadLetterKey(
  scope: Construct,
  id: string,
  description: string,
  removalPolicy: RemovalPolicy,
): kms.Key {
  const key = rotatingKey(scope, id, description, removalPolicy);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
    }),
  );
  return key;
}

/**
 * The last stop of a failure path: encrypted with `key`, TLS-only, messages kept 14 days (the SQS
 * maximum) for people to inspect and redrive. Being the end of the path, it has no DLQ of its own.
 */
export function failureQueue(
  scope: Construct,
  id: string,
  props: { key: kms.IKey; removalPolicy: RemovalPolicy; holds: string },
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    removalPolicy: props.removalPolicy,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the end of a failure path: it holds ${props.holds}.`,
  });
  return queue;
}

/**
 * What a sender to an encrypted queue needs, and no more: `sqs:SendMessage` on the queue, and
 * `kms:GenerateDataKey` and `kms:Decrypt` on its key, as Amazon SQS documents for producers
 * (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 * CDK's `grantSendMessages` also gives `kms:Encrypt` and `kms:ReEncrypt*`, which no sender uses.
 */
export function grantQueueSend(queue: sqs.IQueue, grantee: iam.IGrantable): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['sqs:SendMessage'],
    resourceArns: [queue.queueArn],
  });
  queue.encryptionMasterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  return grant;
}

/** A Lambda on-failure destination that grants the function only {@link grantQueueSend}. */
export class QueueSendDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    grantQueueSend(this.queue, fn);
    return { destination: this.queue.queueArn };
  }
}

/** An event-source-mapping on-failure queue that grants the function only {@link grantQueueSend}. */
export class QueueSendDlq implements lambda.IEventSourceDlq {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    grantQueueSend(this.queue, targetHandler);
    return { destination: this.queue.queueArn };
  }
}

/**
 * `grantEncryptDecrypt` (CDK's grant for callers of the conversation table) names the
 * `kms:ReEncrypt*` and `kms:GenerateDataKey*` action families. They are scoped to one key of this stack, so the wildcard
 * is in the action name only.
 */
export function acknowledgeKeyGrant(grantee: iam.IGrantable): void {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role)) return;
  const policy = principal.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) return;
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: "KMS action family granted by CDK for encrypt/decrypt, on this stack's own keys only.",
    });
  }
}
