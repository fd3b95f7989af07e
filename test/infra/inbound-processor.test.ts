import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { autoResponsePolicyOfConfig, parsePipelineConfig } from '../../lib/config';
import { LAMBDA_NODE_MAJOR } from '../../local/lambda-node';
import { buildTestApp, socialMessagingArn, synthStack } from '../support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack();
});

/** Resources of a type, as [logical id, resource] pairs (CDK types resources loosely). */
function resources(type: string) {
  return Object.entries(template.findResources(type));
}

function onlyId(type: string, props: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  expect(found).toHaveLength(1);
  return found[0] ?? '';
}

const functionId = () =>
  onlyId('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Records every WhatsApp') });
const tableId = () => onlyId('AWS::DynamoDB::Table');
const topicId = () =>
  onlyId('AWS::SNS::Topic', { DisplayName: Match.stringLikeRegexp('End User Messaging Social') });
const queueIds = () =>
  resources('AWS::SQS::Queue')
    .map(([id]) => id)
    .filter((id) => id.startsWith('InboundProcessor'));

/** What an IAM resource refers to: a resource type of this stack, or a described ARN pattern. */
function resourceKind(resource: unknown): string {
  const json = JSON.stringify(resource);
  const ref = json.match(/^\{"(?:Ref|Fn::GetAtt)":\[?"([^"]+)"/)?.[1];
  if (ref !== undefined) return template.toJSON().Resources[ref]?.Type ?? `unknown reference ${ref}`;
  const phoneNumbers = json.match(/:social-messaging:".*:phone-number-id\/([^"]*)"/)?.[1];
  if (phoneNumbers !== undefined) return `social-messaging phone-number-id/${phoneNumbers}`;
  return `other ${json}`;
}

function policyStatementsOf(fnId: string): Record<string, unknown>[] {
  const roleId = template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('InboundProcessor: the function', () => {
  test('runs Node.js 22 or newer on arm64, from the bundled handler', () => {
    const fn = template.toJSON().Resources[functionId()].Properties;
    expect(fn.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
  });

  test('gets the table name and retention from the stack', () => {
    const env = template.toJSON().Resources[functionId()].Properties.Environment.Variables;
    expect(env.CONVERSATION_TABLE_NAME).toEqual({ Ref: tableId() });
    expect(env.DATA_RETENTION_DAYS).toBe('365');
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('WhatsAppPipeline');
  });

  test("gets the alerts digest's window, so health alerts wait in the windows the digest reads", () => {
    const env = template.toJSON().Resources[functionId()].Properties.Environment.Variables;
    const windows = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => {
      const minutes = fn.Properties.Environment?.Variables?.DIGEST_WINDOW_MINUTES;
      return minutes === undefined ? [] : [minutes];
    });
    expect(env.DIGEST_WINDOW_MINUTES).toBe('15');
    // The processor, the failure recorder and the digest.
    expect(windows).toEqual(['15', '15', '15']);
  });

  test('logs to its own log group with the configured retention', () => {
    const fn = template.toJSON().Resources[functionId()].Properties;
    const logGroupId = fn.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    expect(fn.LoggingConfig.LogFormat).toBe('JSON');
  });

  test('is subscribed to the inbound topic with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId() },
      Endpoint: { 'Fn::GetAtt': [functionId(), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SubscriptionDeadLetterQueue'), 'Arn'] },
      },
    });
  });

  test('may be invoked by the inbound topic only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId(), 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId() },
    });
  });

  test('sends failed invocations, after two retries within six hours, to the failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId() },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailureQueue'), 'Arn'] } },
      },
    });
  });
});

describe('InboundProcessor: the failure queues', () => {
  test('there are two: the subscription DLQ and the on-failure queue', () => {
    expect(queueIds()).toEqual([
      expect.stringMatching(/SubscriptionDeadLetterQueue/),
      expect.stringMatching(/FailureQueue/),
    ]);
  });

  test.each(['SubscriptionDeadLetterQueue', 'FailureQueue'])(
    '%s is encrypted with a customer-managed key, keeps messages 14 days and is retained',
    (name) => {
      const [, queue] = resources('AWS::SQS::Queue').find(([id]) => id.includes(name)) ?? [];
      expect(queue?.Properties.MessageRetentionPeriod).toBe(1_209_600);
      const keyId = queue?.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
      expect(queue?.DeletionPolicy).toBe('Retain');
    },
  );

  test.each(['SubscriptionDeadLetterQueue', 'FailureQueue'])('%s denies access without TLS', (name) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp(name) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the subscription DLQ admits SNS deliveries from the inbound topic only', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('SubscriptionDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId() } } },
          }),
        ]),
      },
    });
  });

  test('the queue key lets SNS encrypt dead letters for the inbound topic only', () => {
    const [, queue] =
      resources('AWS::SQS::Queue').find(([id]) => id.includes('SubscriptionDeadLetterQueue')) ?? [];
    const keyId = queue?.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'AllowInboundTopicDeadLetters',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:SourceArn': { Ref: topicId() } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
  });
});

describe('InboundProcessor: IAM', () => {
  test('the role is its own, without AWS managed policies', () => {
    const roleId = template.toJSON().Resources[functionId()].Properties.Role['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the function can touch only its log group, table, failure queue, their keys and phone numbers', () => {
    const statements = policyStatementsOf(functionId());
    const resourcesOf = (s: Record<string, unknown>) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    const kinds = new Set(statements.flatMap(resourcesOf).map(resourceKind));
    expect([...kinds].sort()).toStrictEqual([
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
      'AWS::SecretsManager::Secret',
      'social-messaging phone-number-id/*',
    ]);
  });

  test('on the table it may only put, update and batch-read items (customer aliases), on the table itself (no indexes)', () => {
    expect(policyStatementsOf(functionId())).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
    });
    const dynamoActions = policyStatementsOf(functionId())
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => String(a).startsWith('dynamodb:'));
    expect(dynamoActions.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  test('on the failure queue it may only send messages', () => {
    const sqsActions = policyStatementsOf(functionId())
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => String(a).startsWith('sqs:'));
    expect(sqsActions.sort()).toEqual(['sqs:SendMessage']);
  });

  test("on the failure queues' key it has the producer permissions SQS documents, no Encrypt or ReEncrypt", () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const onQueueKey = statements.filter((s) => JSON.stringify(s.Resource).includes('QueueKey'));
    expect(onQueueKey.length).toBeGreaterThan(0);
    for (const statement of onQueueKey) {
      expect([statement.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
  });
});

describe('InboundProcessor: auto-response permission and settings', () => {
  const sendStatements = (t: Template, fnId: string) => {
    const roleId = t.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
    return Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('social-messaging:'));
  };
  const fnIdOf = (t: Template) =>
    Object.keys(
      t.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Records') },
      }),
    )[0] ?? '';

  test('with phone numbers configured, may send from exactly those numbers and do nothing else', () => {
    const scoped = synthStack({ phoneNumberIds: ['phone-number-id-aaa111', 'phone-number-id-bbb222'] });
    const arn = (id: string) => socialMessagingArn(`phone-number-id/${id}`);
    expect(sendStatements(scoped, fnIdOf(scoped))).toStrictEqual([
      {
        Action: 'social-messaging:SendWhatsAppMessage',
        Effect: 'Allow',
        Resource: [arn('aaa111'), arn('bbb222')],
      },
    ]);
  });

  test("without phone numbers, may send from the account's numbers only, and synth warns", () => {
    const { stack } = buildTestApp();
    const unscoped = Template.fromStack(stack);
    expect(sendStatements(unscoped, fnIdOf(unscoped))).toStrictEqual([
      {
        Action: 'social-messaging:SendWhatsAppMessage',
        Effect: 'Allow',
        Resource: socialMessagingArn('phone-number-id/*'),
      },
    ]);
    Annotations.fromStack(stack).hasWarning(
      '/WhatsAppPipeline/Default/InboundProcessor',
      Match.stringLikeRegexp('No phoneNumberIds are configured'),
    );
  });

  test('with phone numbers configured, synth does not warn', () => {
    const { stack } = buildTestApp({ phoneNumberIds: ['phone-number-id-aaa111'] });
    Template.fromStack(stack);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('phoneNumberIds'))).toEqual(
      [],
    );
  });

  test('gets the Meta API version and the policy, with defaults merged, from the configuration', () => {
    const configured = synthStack({
      metaApiVersion: 'v23.0',
      reactionEmoji: '🙏',
      autoResponse: { typingIndicator: true },
    });
    const env = configured.toJSON().Resources[fnIdOf(configured)].Properties.Environment.Variables;
    expect(env.META_API_VERSION).toBe('v23.0');
    expect(JSON.parse(env.AUTO_RESPONSE_POLICY)).toStrictEqual(
      autoResponsePolicyOfConfig(
        parsePipelineConfig({ reactionEmoji: '🙏', autoResponse: { typingIndicator: true } }),
      ),
    );
  });

  test('with auto-responses off, gets neither the policy nor the permission', () => {
    const off = synthStack({ autoResponse: { enabled: false } });
    expect(sendStatements(off, fnIdOf(off))).toStrictEqual([]);
    expect(
      off.toJSON().Resources[fnIdOf(off)].Properties.Environment.Variables.AUTO_RESPONSE_POLICY,
    ).toBeUndefined();
  });
});

describe('the runtime', () => {
  test("every function runs on the Node major the local bundle host uses (the runtime's)", () => {
    const runtimes = Object.values(synthStack().findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Runtime,
    );
    expect(new Set(runtimes)).toEqual(new Set([`nodejs${LAMBDA_NODE_MAJOR}.x`]));
  });
});
