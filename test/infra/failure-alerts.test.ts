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
const failureEventsTopicId = () =>
  onlyId('AWS::SNS::Topic', { DisplayName: Match.stringLikeRegexp('^WhatsApp message failure events') });
const digestId = () =>
  onlyId('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Sends one alert per number') });
const ruleNamed = (description: RegExp) =>
  Object.values(template.findResources('AWS::Events::Rule')).find((r) =>
    description.test(String(r.Properties.Description)),
  );
const ruleResource = () => ruleNamed(/^WhatsApp messages that End User Messaging Social reports as failed/);
const progressRule = () => ruleNamed(/^Hand-offs and statuses of WhatsApp sends/);
const scheduleResource = () =>
  Object.values(template.findResources('AWS::Events::Rule')).find(
    (r) => r.Properties.ScheduleExpression !== undefined,
  );
const dlqArn = { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetterQueue/), 'Arn'] };

describe('the failed-message rule', () => {
  test('is on the default bus and uses the pattern', () => {
    const rule = ruleResource();
    expect(rule?.Properties.EventBusName).toBeUndefined();
    expect(rule?.Properties.EventPattern).toStrictEqual(FAILED_MESSAGE_EVENT_PATTERN);
    expect(rule?.Properties.State).toBe('ENABLED');
  });

  const shouldMatch = [
    'failed',
    'undeliverable',
    'failed-status-other-type',
    'failed-without-message-id',
    'handover-failed',
  ];
  test.each(EVENTBRIDGE_FIXTURES)('%s is matched only if it reports a failed message', (name) => {
    const deployed = ruleResource()?.Properties.EventPattern;
    expect(matchesPattern(deployed, eventBridgeFixture(name))).toBe(shouldMatch.includes(name));
  });
});

describe('the send-progress rule', () => {
  const shouldMatch = ['handover-succeeded', 'sent', 'delivered', 'read'];
  test.each(EVENTBRIDGE_FIXTURES)('%s is matched only if it moves a send along', (name) => {
    const deployed = progressRule()?.Properties.EventPattern;
    expect(matchesPattern(deployed, eventBridgeFixture(name))).toBe(shouldMatch.includes(name));
  });

  test('targets the recorder alone, with the dead-letter queue: progress is not on the machine channel', () => {
    const targets = progressRule()?.Properties.Targets;
    expect(targets).toHaveLength(1);
    expect(targets?.[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [recorderId(), 'Arn'] },
      DeadLetterConfig: { Arn: dlqArn },
    });
  });
});

describe('the alerts topic', () => {
  test('is encrypted with a rotating customer-managed key', () => {
    const topic = template.toJSON().Resources[alertsTopicId()];
    const key = template.toJSON().Resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  /** `arn:<partition>:cloudwatch:<region>:<account>:alarm:WhatsAppPipeline-*`, as the template writes it. */
  const pipelineAlarms = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':cloudwatch:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':alarm:WhatsAppPipeline-*',
      ],
    ],
  };

  test("its key lets this pipeline's alarms publish, and no one else (EventBridge publishes through a role)", () => {
    const topic = template.toJSON().Resources[alertsTopicId()];
    const key = template.toJSON().Resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]];
    expect(key.Properties.KeyPolicy.Statement).toStrictEqual([
      expect.objectContaining({ Action: 'kms:*', Principal: { AWS: expect.anything() } }),
      {
        Sid: 'AllowThisPipelinesAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': pipelineAlarms },
        },
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
          ArnLike: { 'aws:SourceArn': pipelineAlarms },
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

  test('EventBridge publishes every failure event to the machine channel through a role that may only publish there', () => {
    const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(failureEventsTopicId()));
    const roleArn = target?.RoleArn as { 'Fn::GetAtt': string[] } | undefined;
    const roleId = roleArn?.['Fn::GetAtt'][0] ?? '';
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toStrictEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: failureEventsTopicId() } },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsKey/), 'Arn'] },
      },
    ]);
  });

  test('the machine channel gets the event as delivered; the human channel gets nothing per event', () => {
    const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(failureEventsTopicId()));
    expect(target?.InputTransformer).toBeUndefined();
    expect(target?.Input).toBeUndefined();
    expect(targetsOf().filter((t) => JSON.stringify(t.Arn).includes(alertsTopicId()))).toEqual([]);
    expect(targetsOf()).toHaveLength(2);
  });

  test.each(['failure events topic', 'failure recorder'])(
    'the %s retries for a day and dead-letters to the encrypted queue',
    (which) => {
      const id = which === 'failure events topic' ? failureEventsTopicId() : recorderId();
      const target = targetsOf().find((t) => JSON.stringify(t.Arn).includes(id));
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      expect(target?.DeadLetterConfig).toEqual({ Arn: dlqArn });
    },
  );

  test('the dead-letter queue has a key of its own that admits EventBridge, and a policy bound to this rule', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterKey'), 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
    });
    const resources = template.toJSON().Resources as Record<
      string,
      { Properties: { KeyPolicy: { Statement: unknown[] } } }
    >;
    const [key] = Object.entries(resources).filter(([id]) => id.startsWith('AlertsDeadLetterKey'));
    if (key === undefined) throw new Error('no dead-letter key');
    expect(key[1].Properties.KeyPolicy.Statement).toEqual([
      expect.objectContaining({ Action: 'kms:*' }),
      {
        Sid: 'AllowEventBridgeDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
    // Nothing else of the pipeline is encrypted with that key: only the queue and grants name it.
    const keyId = key[0];
    const users = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([id, r]) => id !== keyId && JSON.stringify(r).includes(keyId))
      .map(([, r]) => r.Type);
    expect(new Set(users)).toEqual(new Set(['AWS::SQS::Queue', 'AWS::IAM::Policy']));
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

describe('the failure digest (the human channel)', () => {
  test('runs every 5 minutes, retrying into the dead-letter queue, with no reserved concurrency (its lease keeps one run at a time)', () => {
    const schedule = scheduleResource();
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    const [target] = schedule?.Properties.Targets ?? [];
    expect(JSON.stringify(target.Arn)).toContain(digestId());
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(target.DeadLetterConfig).toEqual({ Arn: dlqArn });
    // New accounts' concurrency quota of 10 refuses any reservation ("below its minimum value of [10]").
    expect(template.toJSON().Resources[digestId()].Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  test('knows its window, the alerts topic and the dashboard', () => {
    const env = template.toJSON().Resources[digestId()].Properties.Environment.Variables;
    expect(env.DIGEST_WINDOW_MINUTES).toBe('15');
    expect(env.ALERTS_TOPIC_ARN).toEqual({ Ref: alertsTopicId() });
    expect(env.DASHBOARD_NAME).toBe('WhatsAppPipeline-whatsapp');
    const recorderEnv = template.toJSON().Resources[recorderId()].Properties.Environment.Variables;
    expect(recorderEnv.DIGEST_WINDOW_MINUTES).toBe('15');
  });

  test('may query and update the table itself (no index), and publish to the alerts topic only', () => {
    const roleId = template.toJSON().Resources[digestId()].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConversationsTable/), 'Arn'] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: { Ref: alertsTopicId() },
    });
    const published = statements.filter((s: { Action: unknown }) =>
      JSON.stringify(s.Action).includes('sns:'),
    );
    expect(published).toHaveLength(1);
  });

  test('the window is configurable', () => {
    const env = Object.values(
      synthStack({ alertDigestMinutes: 60 }).findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Sends one alert per number') },
      }),
    )[0]?.Properties.Environment.Variables;
    expect(env.DIGEST_WINDOW_MINUTES).toBe('60');
  });
});
