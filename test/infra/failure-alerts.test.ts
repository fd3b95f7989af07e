import { Match, type Template } from 'aws-cdk-lib/assertions';
import { FAILED_MESSAGE_EVENT_PATTERN } from '../../lib/constructs/failure-alerts';
import { matchesPattern } from '../../local/event-pattern';
import { EVENTBRIDGE_FIXTURES, eventBridgeFixture } from '../fixtures/eventbridge';
import { synthStack } from '../support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack();
});

const onlyId = (type: string, props: Record<string, unknown>) => {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};
const alertsTopicId = () => onlyId('AWS::SNS::Topic', { DisplayName: 'WhatsApp pipeline alerts' });
const recorderId = () =>
  onlyId('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('^Records WhatsApp message failures'),
  });
const ruleResource = () => Object.values(template.findResources('AWS::Events::Rule'))[0];
const dlqArn = { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetterQueue/), 'Arn'] };

describe('the failed-message rule', () => {
  test('is on the default bus and uses the pattern', () => {
    const rule = ruleResource();
    expect(rule?.Properties.EventBusName).toBeUndefined();
    expect(rule?.Properties.EventPattern).toStrictEqual(FAILED_MESSAGE_EVENT_PATTERN);
    expect(rule?.Properties.State).toBe('ENABLED');
  });

  const shouldMatch = ['failed', 'undeliverable', 'failed-status-other-type', 'failed-without-message-id'];
  test.each(EVENTBRIDGE_FIXTURES)('%s is matched only if it reports a failed message', (name) => {
    const deployed = ruleResource()?.Properties.EventPattern;
    expect(matchesPattern(deployed, eventBridgeFixture(name))).toBe(shouldMatch.includes(name));
  });
});

describe('the alerts topic', () => {
  test('is encrypted with a rotating customer-managed key', () => {
    const topic = template.toJSON().Resources[alertsTopicId()];
    const key = template.toJSON().Resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('its key lets EventBridge and CloudWatch of this account publish, and no one else', () => {
    const topic = template.toJSON().Resources[alertsTopicId()];
    const key = template.toJSON().Resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]];
    expect(key.Properties.KeyPolicy.Statement).toStrictEqual([
      expect.objectContaining({ Action: 'kms:*', Principal: { AWS: expect.anything() } }),
      {
        Sid: 'AllowEventBridgeAndCloudWatchToPublish',
        Effect: 'Allow',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  test("its policy lets this account's CloudWatch alarms publish, over TLS only, and no one else", () => {
    const statements = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: alertsTopicId() }] } }),
    ).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toStrictEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Sid: 'AllowCloudWatchAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
        },
      }),
    ]);
  });

  test('gets an e-mail subscription when alarmEmail is set, and none otherwise', () => {
    expect(
      Object.keys(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })),
    ).toEqual([]);
    synthStack({ alarmEmail: 'ops@example.com' }).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlertsTopic') },
    });
  });
});

describe('the rule targets', () => {
  const targetsOf = () => ruleResource()?.Properties.Targets as Record<string, unknown>[];

  test('EventBridge publishes to the alerts topic through a role that may only publish there', () => {
    const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(alertsTopicId()));
    const roleArn = target?.RoleArn as { 'Fn::GetAtt': string[] } | undefined;
    const roleId = roleArn?.['Fn::GetAtt'][0] ?? '';
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toStrictEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: alertsTopicId() } },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsKey/), 'Arn'] },
      },
    ]);
  });

  test('the alerts topic gets a message a person can act on', () => {
    const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(alertsTopicId()));
    const transformer = target?.InputTransformer as {
      InputPathsMap: Record<string, string>;
      InputTemplate: string;
    };
    expect(Object.values(transformer.InputPathsMap).sort()).toEqual([
      '$.detail-type',
      '$.detail.errors[0].code',
      '$.detail.errors[0].title',
      '$.detail.messageId',
      '$.detail.originationPhoneNumber',
      '$.detail.originationPhoneNumberId',
      '$.detail.wabaId',
      '$.region',
      '$.time',
    ]);
    expect(transformer.InputTemplate).toContain(
      'was not delivered. Error <detail-errors-0--code>: <detail-errors-0--title>.',
    );
  });

  test.each(['alerts topic', 'failure recorder'])(
    'the %s retries for a day and dead-letters to the encrypted queue',
    (which) => {
      const id = which === 'alerts topic' ? alertsTopicId() : recorderId();
      const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(id));
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      expect(target?.DeadLetterConfig).toEqual({ Arn: dlqArn });
    },
  );

  test('the dead-letter queue is encrypted with the alerts key and admits EventBridge for this rule', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^AlertsDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsFailedMessages'), 'Arn'] },
              },
            },
          }),
        ]),
      },
    });
  });

  test('the failure recorder dead-letters its own failed invocations too', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: recorderId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'Arn'] },
        },
      },
    });
  });

  test('the failure recorder may query only the two outbound-id indexes, and write records', () => {
    const roleId = template.toJSON().Resources[recorderId()].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const dynamo = statements.filter((s: { Action: unknown }) =>
      JSON.stringify(s.Action).includes('dynamodb:'),
    );
    const tableArn = { 'Fn::GetAtt': [expect.stringMatching(/^ConversationsTable/), 'Arn'] };
    expect(dynamo).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: tableArn },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          { 'Fn::Join': ['', [tableArn, '/index/byReactionMessageId']] },
          { 'Fn::Join': ['', [tableArn, '/index/byReceiptMessageId']] },
        ],
      },
    ]);
  });
});
