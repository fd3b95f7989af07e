import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONVERSATION_EVENT_SOURCE, ENTITIES_WITHOUT_EVENTS } from '../../contracts';
import { WhatsAppPipeline } from '../../lib';
import { synthStack } from '../support/synth';

function pipelineStack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Bot');
  const pipeline = new WhatsAppPipeline(stack, 'Pipeline', { phoneNumberIds: ['phone-number-id-abc'] });
  const fn = new lambda.Function(stack, 'Subscriber', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  return { app, stack, pipeline, fn };
}

const ruleOf = (template: Template, fragment: string) => {
  const rules = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) =>
    id.includes(fragment),
  );
  expect(rules).toHaveLength(1);
  return rules[0]?.[1].Properties;
};

describe('the conversation event bus of the default stack', () => {
  const template = synthStack();

  test('is a custom bus named after the pipeline', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'WhatsAppPipeline-conversations' });
  });

  test('the table streams new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  test('the publisher reads the stream in order, bisects, reports item failures and keeps failed batches', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConversationsTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStreamFailures'), 'Arn'] },
        },
      },
    });
  });

  test('the stream filters leave out only the item kinds that publish nothing, and sends until flagged', () => {
    const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    const patterns = mapping?.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) =>
      JSON.parse(f.Pattern),
    );
    expect(patterns).toEqual([
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: { NewImage: { entity: { S: [{ 'anything-but': [...ENTITIES_WITHOUT_EVENTS, 'send'] }] } } },
      },
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: { NewImage: { entity: { S: ['send'] }, stalledAt: { S: [{ exists: true }] } } },
      },
    ]);
  });

  test('each subscription alarms on events its rule could not even dead-letter', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) =>
        a.Properties.MetricName === 'InvocationsFailedToBeSentToDLQ' &&
        a.Properties.Namespace === 'AWS/Events',
    );
    const names = alarms.map((a) => String(a.Properties.AlarmName));
    expect(names).toContain('WhatsAppPipeline-MediaArchiveDeadLettersLost');
  });

  test('the publisher may put events on its bus only, and send to its undelivered-events queue', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('EventsPublisher'),
    );
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Action: 'events:PutEvents',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventsBus/), 'Arn'] },
    });
    const puts = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('events:')));
    expect(puts).toHaveLength(1);
    const sends = statements.filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(sends.flatMap((s) => [s.Resource].flat())).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [expect.stringMatching(/^EventsUndeliveredEvents/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^EventsStreamFailures/), 'Arn'] },
      ]),
    );
  });

  test('the publisher is told its bus, its undelivered-events queue and the pipeline name', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^EventsBus') },
          UNDELIVERED_EVENTS_QUEUE_URL: { Ref: Match.stringLikeRegexp('^EventsUndeliveredEvents') },
          PIPELINE_NAME: 'WhatsAppPipeline',
        }),
      },
    });
  });

  test('exports the bus name and the undelivered-events queue', () => {
    template.hasOutput('EventBusName', { Value: { Ref: Match.stringLikeRegexp('^EventsBus') } });
    template.hasOutput('UndeliveredEventsQueueUrl', {
      Value: { Ref: Match.stringLikeRegexp('^EventsUndeliveredEvents') },
    });
  });
});

describe('the subscriber API', () => {
  test('onMessage makes a rule on the bus for Message Received of the given types and numbers', () => {
    const { stack, pipeline, fn } = pipelineStack();
    pipeline.onMessage('Bot', fn, { messageTypes: ['text'], businessPhoneNumberIds: ['574086085794038'] });
    const rule = ruleOf(Template.fromStack(stack), 'PipelineEventsBot');
    expect(rule.EventBusName).toEqual({ Ref: expect.stringMatching(/^PipelineEventsBus/) });
    expect(rule.EventPattern).toEqual({
      source: [CONVERSATION_EVENT_SOURCE],
      'detail-type': ['Message Received'],
      detail: { businessPhoneNumberId: ['574086085794038'], type: ['text'] },
    });
  });

  test('onStatus and onFailure match their detail-types', () => {
    const { stack, pipeline, fn } = pipelineStack();
    pipeline.onStatus('Analytics', fn, { statuses: ['read'] });
    pipeline.onFailure('Crm', (delivery) => new targets.LambdaFunction(fn, delivery));
    const template = Template.fromStack(stack);
    expect(ruleOf(template, 'PipelineEventsAnalytics').EventPattern).toEqual({
      source: [CONVERSATION_EVENT_SOURCE],
      'detail-type': ['Message Status Changed'],
      detail: { status: ['read'] },
    });
    expect(ruleOf(template, 'PipelineEventsCrm').EventPattern).toEqual({
      source: [CONVERSATION_EVENT_SOURCE],
      'detail-type': ['Message Failed'],
    });
  });

  test('a function subscriber gets retries, its own dead-letter queue, and its failed invocations there too', () => {
    const { stack, pipeline, fn } = pipelineStack();
    const subscription = pipeline.onMessage('Bot', fn, { retryAttempts: 4, maxEventAge: Duration.hours(2) });
    const template = Template.fromStack(stack);
    const dlq = stack.resolve(subscription.deadLetterQueue.queueArn);
    expect(ruleOf(template, 'PipelineEventsBot').Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^Subscriber/), 'Arn'] },
        DeadLetterConfig: { Arn: dlq },
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^Subscriber') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlq } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: stack.resolve(subscription.rule.ruleArn),
    });
  });

  test('the dead-letter queue is encrypted with a key EventBridge may use, and alarmed', () => {
    const { stack, pipeline, fn } = pipelineStack();
    const subscription = pipeline.onMessage('Bot', fn);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(pipeline.events?.deadLetterKey.keyArn),
      MessageRetentionPeriod: 1_209_600,
    });
    const key = template.findResources('AWS::KMS::Key');
    const keyId = stack.resolve(pipeline.events?.deadLetterKey.keyArn)['Fn::GetAtt'][0];
    expect(key[keyId]?.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' } }),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Bot-Pipeline-SubscriberDeadLetters-Bot',
      Threshold: 0,
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(subscription.deadLetterQueue.queueName) }],
    });
  });

  test('any other target is built from the delivery settings, so it gets the dead-letter queue too', () => {
    const { stack, pipeline } = pipelineStack();
    const sink = new sqs.Queue(stack, 'Sink', { enforceSSL: true });
    const subscription = pipeline.addSubscriber('Sink', (delivery) => new targets.SqsQueue(sink, delivery), {
      detailTypes: ['Message Received', 'Message Status Changed'],
    });
    const rule = ruleOf(Template.fromStack(stack), 'PipelineEventsSink');
    expect(rule.EventPattern['detail-type']).toEqual(['Message Received', 'Message Status Changed']);
    expect(rule.Targets[0].DeadLetterConfig).toEqual({
      Arn: stack.resolve(subscription.deadLetterQueue.queueArn),
    });
  });

  test('a function subscribed twice keeps its failed invocations in its first dead-letter queue, and says so', () => {
    const { stack, pipeline, fn } = pipelineStack();
    const first = pipeline.onMessage('Bot', fn);
    pipeline.onStatus('Statuses', fn);
    const template = Template.fromStack(stack);
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).filter((c) =>
      String(c.Properties.FunctionName.Ref).startsWith('Subscriber'),
    );
    expect(configs).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^Subscriber') },
      DestinationConfig: { OnFailure: { Destination: stack.resolve(first.deadLetterQueue.queueArn) } },
    });
    Annotations.fromStack(stack).hasWarning(
      '/Bot/Pipeline/Events/Statuses',
      Match.stringLikeRegexp('first subscription'),
    );
  });

  test('a subscription of no detail-type is refused', () => {
    const { pipeline, fn } = pipelineStack();
    expect(() => pipeline.addSubscriber('Nothing', fn, { detailTypes: [] })).toThrow(
      /at least one detail-type/,
    );
  });

  test('cdk-nag finds nothing unacknowledged with subscribers', () => {
    const { app, pipeline, fn } = pipelineStack();
    pipeline.onMessage('Bot', fn);
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    const findings = result.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => !String(r.constructPath).startsWith('Bot/Subscriber'))
        .map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
