import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WhatsAppPipeline, WhatsAppPipelinePropsError } from '../../lib';
import { socialMessagingArn, synthStack } from '../support/synth';

describe('the media archive of the default stack', () => {
  const template = synthStack();

  test('the bucket is encrypted with its own rotating key, with bucket keys', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MediaKey'), 'Arn'] },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts archived WhatsApp media',
      EnableKeyRotation: true,
    });
  });

  test('blocks public access, enforces object ownership, is versioned, and is retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });

  test('is emptied on destroy when the removal policy is destroy, so cdk destroy does not fail on a versioned bucket', () => {
    const emptied = synthStack({ removalPolicy: 'destroy' });
    expect(Object.keys(emptied.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(1);
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
  });

  test('denies every request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('expires objects after the retention, old versions after a day, and cleans up incomplete uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            ExpirationInDays: 365,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });

  test('the archiver may fetch media but not send, put objects under the media prefix only, and use the key', () => {
    const statements = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('MediaArchiver'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Action: 'social-messaging:GetWhatsAppMessageMedia',
      Effect: 'Allow',
      Resource: socialMessagingArn('phone-number-id/*'),
    });
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain(
      'social-messaging:SendWhatsAppMessage',
    );
    expect(statements).toContainEqual({
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^MediaBucket/), 'Arn'] }, '/media/*']],
      },
    });
    // CDK merges the grants of one action set: the media key shares a statement with the DLQ's key.
    const onMediaKey = statements.filter((s) => JSON.stringify(s.Resource).includes('"MediaKey'));
    expect(onMediaKey.map((s) => [s.Action].flat().sort())).toEqual([['kms:Decrypt', 'kms:GenerateDataKey']]);
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')))).toHaveLength(
      1,
    );
  });

  test('the archiver subscribes to Message Received of media only, with its own dead-letter queue and alarm', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['whatsapp-pipeline'],
        'detail-type': ['Message Received'],
        detail: { content: { kind: ['media'] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'WhatsAppPipeline-MediaArchiveDeadLetters',
    });
  });

  test('the archiver waits minutes, not seconds, for a download', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Archives inbound WhatsApp media'),
      Timeout: 180,
    });
  });

  test('exports the bucket name', () => {
    template.hasOutput('MediaBucketName', { Value: { Ref: Match.stringLikeRegexp('^MediaBucket') } });
  });
});

describe('media archive props', () => {
  const stack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Any');

  test('an existing bucket is used instead of creating one', () => {
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'Existing', 'my-media');
    const pipeline = new WhatsAppPipeline(s, 'Pipeline', { mediaArchive: { bucket } });
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(pipeline.media?.bucket.bucketName).toBe('my-media');
  });

  test('off, there is no bucket and no archiver', () => {
    const s = stack();
    new WhatsAppPipeline(s, 'Pipeline', { mediaArchive: { enabled: false } });
    Template.fromStack(s).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('on without the event bus is refused with the way out', () => {
    expect(
      () => new WhatsAppPipeline(stack(), 'P', { events: false, mediaArchive: { enabled: true } }),
    ).toThrow(WhatsAppPipelinePropsError);
  });
});
