import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONSTRUCT_ID, CONVERSATION_EVENT, ENV, MEDIA_KEY_PREFIX } from '../../contracts';
import type { ConversationEventSubscription, ConversationEvents } from './conversation-events';
import { bindConversationTable, type IConversationTable } from './conversation-table';
import { PipelineFunction, shippedHandler } from './pipeline-function';
import { rotatingKey } from './secure-defaults';
import { grantOnPhoneNumbers } from './send-permission';

/** Properties of a {@link MediaArchive}. */
export interface MediaArchiveProps {
  readonly events: ConversationEvents;
  readonly conversations: IConversationTable;
  /** The numbers whose media may be fetched (the same scoping as sends). */
  readonly phoneNumberIds: readonly string[];
  /** Objects (and their old versions) expire after this many days. */
  readonly dataRetentionDays: number;
  readonly serviceName: string;
  readonly logRetentionDays: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * An existing bucket to archive into (its encryption is its own; give its key with `bucketKey`).
   * @default - a new bucket with the pipeline's secure defaults
   */
  readonly bucket?: s3.IBucket;
  /** The key of an existing `bucket`. @default - none */
  readonly bucketKey?: kms.IKey;
  /**
   * Where the created bucket writes its server access logs.
   * @default - no access logs (turn on CloudTrail data events for the bucket instead, see docs/media.md)
   */
  readonly accessLogsBucket?: s3.IBucket;
  readonly tracing?: boolean;
}

/**
 * The media archive: an encrypted, versioned bucket with a retention lifecycle, and an archiver on
 * the conversation bus that fetches each inbound media message's file into it with
 * GetWhatsAppMessageMedia, exactly once, off the processor's hot path (docs/media.md).
 */
export class MediaArchive extends Construct {
  public readonly bucket: s3.IBucket;
  /** The key of the created bucket. */
  public readonly key?: kms.IKey;
  public readonly archiver: PipelineFunction;
  /** The archiver's rule, retries, dead-letter queue and alarm. */
  public readonly subscription: ConversationEventSubscription;

  constructor(scope: Construct, id: string, props: MediaArchiveProps) {
    super(scope, id);
    const { removalPolicy } = props;
    if (props.bucket === undefined) {
      const key = rotatingKey(this, 'Key', 'Encrypts archived WhatsApp media', removalPolicy);
      const bucket = new s3.Bucket(this, 'Bucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        removalPolicy,
        // A versioned bucket with objects cannot be deleted: with `destroy`, CDK empties it first
        // (every version), so `cdk destroy` does not end in DELETE_FAILED. Under `retain` it stays.
        autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
        serverAccessLogsBucket: props.accessLogsBucket,
        serverAccessLogsPrefix: props.accessLogsBucket === undefined ? undefined : 'whatsapp-media/',
        lifecycleRules: [
          {
            id: 'retention',
            expiration: Duration.days(props.dataRetentionDays),
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
          { id: 'expired-delete-markers', expiredObjectDeleteMarker: true },
        ],
      });
      if (props.accessLogsBucket === undefined) {
        Validations.of(bucket).acknowledge({
          id: 'AwsSolutions-S1',
          reason:
            'Server access logs are an option (accessLogsBucket); CloudTrail data events are the recommended audit of this bucket (docs/media.md).',
        });
      }
      this.bucket = bucket;
      this.key = key;
    } else {
      this.bucket = props.bucket;
      this.key = props.bucketKey;
    }

    this.archiver = new PipelineFunction(this, CONSTRUCT_ID.archiver, {
      entry: shippedHandler('media-archiver'),
      serviceName: props.serviceName,
      tracing: props.tracing,
      description: 'Archives inbound WhatsApp media into S3 with GetWhatsAppMessageMedia',
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
      // A download of up to 100 MB is the service's; the function waits for it.
      timeout: Duration.minutes(3),
      environment: { [ENV.mediaBucketName]: this.bucket.bucketName },
    });
    const fn = this.archiver.function;
    bindConversationTable(fn, props.conversations, 'write');
    // Scoped as sends are, with the one action it needs: the archiver can fetch media, never send.
    grantOnPhoneNumbers(
      this,
      fn,
      props.phoneNumberIds,
      ['social-messaging:GetWhatsAppMessageMedia'],
      'the media archiver may fetch media',
    );
    // The service writes the object with the caller's permissions: the archiver may put objects
    // under the media prefix only, and use the key as SSE-KMS writes need.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)],
    });
    if (this.key !== undefined) {
      this.key.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    const created = this.bucket.node.defaultChild;
    const objects = this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`);
    const resource =
      created instanceof s3.CfnBucket
        ? `<${Stack.of(this).getLogicalId(created)}.Arn>/${MEDIA_KEY_PREFIX}*`
        : Token.isUnresolved(objects)
          ? undefined
          : objects;
    if (policy !== undefined && resource !== undefined) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'The archiver writes objects under the media prefix only; the service names them after the media id.',
      });
    }
    this.subscription = props.events.subscribe(id, fn, {
      detailTypes: [CONVERSATION_EVENT.messageReceived],
      detail: { content: { kind: ['media'] } },
      alarmId: 'MediaArchiveDeadLetters',
    });
  }
}
