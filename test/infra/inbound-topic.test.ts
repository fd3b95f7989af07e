import { Match, type Template } from 'aws-cdk-lib/assertions';
import { socialMessagingArn, synthStack } from '../support/synth';

const sourceArnPattern = socialMessagingArn('*');
const confusedDeputyConditions = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: { 'aws:SourceArn': sourceArnPattern },
};

let template: Template;
beforeAll(() => {
  template = synthStack();
});

function topicKeyLogicalId(): string {
  const topics = template.findResources('AWS::SNS::Topic', {
    Properties: { DisplayName: Match.stringLikeRegexp('End User Messaging Social') },
  });
  const [topic] = Object.values(topics);
  const keyRef: unknown = topic?.Properties?.KmsMasterKeyId?.['Fn::GetAtt']?.[0];
  if (typeof keyRef !== 'string') {
    throw new Error('the inbound topic is not encrypted with a key of this stack');
  }
  return keyRef;
}

function keyPolicyStatements(): unknown[] {
  const key = template.toJSON().Resources[topicKeyLogicalId()];
  return key.Properties.KeyPolicy.Statement;
}

describe('InboundTopic', () => {
  test('is a standard topic, not FIFO, since End User Messaging Social cannot publish to FIFO topics', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: Match.stringLikeRegexp('End User Messaging Social'),
      FifoTopic: Match.absent(),
      TopicName: Match.absent(),
    });
  });

  test('is encrypted with a customer-managed key of the stack, not alias/aws/sns', () => {
    const keyId = topicKeyLogicalId();
    expect(template.toJSON().Resources[keyId].Type).toBe('AWS::KMS::Key');
  });

  test('its key rotates', () => {
    expect(template.toJSON().Resources[topicKeyLogicalId()].Properties.EnableKeyRotation).toBe(true);
  });

  test('its key is retained on stack deletion by default', () => {
    const key = template.toJSON().Resources[topicKeyLogicalId()];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  test('its key policy has exactly two statements: account administration and the service grant', () => {
    expect(keyPolicyStatements()).toHaveLength(2);
  });

  test('its key policy lets the account administer the key through IAM', () => {
    expect(keyPolicyStatements()).toContainEqual({
      Action: 'kms:*',
      Effect: 'Allow',
      Principal: {
        AWS: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
        },
      },
      Resource: '*',
    });
  });

  test('its key policy lets only End User Messaging Social of this account use the key, and only to publish', () => {
    expect(keyPolicyStatements()).toContainEqual({
      Sid: 'AllowEndUserMessagingSocialToPublish',
      Effect: 'Allow',
      Principal: { Service: 'social-messaging.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: confusedDeputyConditions,
    });
  });

  test('its topic policy lets End User Messaging Social publish only for this account and its resources', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowEndUserMessagingSocialToPublish',
            Effect: 'Allow',
            Principal: { Service: 'social-messaging.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^InboundTopic') },
            Condition: confusedDeputyConditions,
          },
        ]),
      },
    });
  });

  test('its topic policy denies publishing without TLS to everyone', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^InboundTopic') },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      },
    });
  });

  test('its topic policy grants nothing else', () => {
    const policies = template.findResources('AWS::SNS::TopicPolicy', {
      Properties: { Topics: [{ Ref: Match.stringLikeRegexp('^InboundTopic') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: { Sid: string }) => s.Sid).sort()).toEqual([
      'AllowEndUserMessagingSocialToPublish',
      'AllowPublishThroughSSLOnly',
    ]);
  });

  test('the stack outputs the topic ARN and the key ARN an operator needs to link a WABA', () => {
    template.hasOutput('InboundTopicArn', { Value: { Ref: Match.stringLikeRegexp('^InboundTopic') } });
    template.hasOutput('InboundTopicKeyArn', { Value: { 'Fn::GetAtt': [topicKeyLogicalId(), 'Arn'] } });
  });

  test('removalPolicy "destroy" lets the key be deleted with the stack', () => {
    const destroyable = synthStack({ removalPolicy: 'destroy' });
    const keys = destroyable.findResources('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('WhatsApp events') },
    });
    expect(Object.values(keys).map((k) => k.DeletionPolicy)).toEqual(['Delete']);
  });
});
