import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { WhatsAppPipeline, WhatsAppPipelinePropsError } from '../../lib';

function pipeline(props: ConstructorParameters<typeof WhatsAppPipeline>[2] = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Api');
  return { stack, pipeline: new WhatsAppPipeline(stack, 'Default', props) };
}

/** The alarm name suffixes of the queue alarms, by queue. */
function queueAlarmNames(stack: Stack): string[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => String(alarm.Properties.AlarmName))
    .flatMap((name) => /-(\w+)NotEmpty$/.exec(name)?.slice(1) ?? []);
}

/** The actions of the policy attached to `role`, sorted. */
function actionsOf(stack: Stack, role: iam.Role): string[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] },
  });
  const statements: { Action: string | string[] }[] = Object.values(policies).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
  return statements.flatMap((s) => [s.Action].flat()).sort();
}

describe("the pipeline's construct API", () => {
  test('failureQueues lists every queue the pipeline alarms on, by the name its alarms carry', () => {
    const { stack, pipeline: p } = pipeline();
    expect(Object.keys(p.failureQueues).sort()).toEqual(queueAlarmNames(stack).sort());
    expect(Object.keys(p.failureQueues)).toHaveLength(5);
  });

  test('without the event bus, failureQueues lists the three queues that remain', () => {
    const { stack, pipeline: p } = pipeline({ events: false });
    expect(Object.keys(p.failureQueues).sort()).toEqual(queueAlarmNames(stack).sort());
    expect(Object.keys(p.failureQueues)).toHaveLength(3);
  });

  test('one hop to each function and the table', () => {
    const { pipeline: p } = pipeline();
    expect(p.processorFunction).toBe(p.processor.function.function);
    expect(p.digestFunction).toBe(p.alerts.digest.function);
    expect(p.publisherFunction).toBe(p.events?.publisher.function);
    expect(p.archiverFunction).toBe(p.media?.archiver.function);
    expect(p.table).toBe(p.conversations.table);
  });

  test('grantReadConversations lets a principal get and query the table and its indexes, and decrypt', () => {
    const { stack, pipeline: p } = pipeline();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    p.conversations.grantReadConversations(role);
    expect(actionsOf(stack, role)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'kms:Decrypt',
    ]);
  });

  test('grantWriteConversations allows PutItem and UpdateItem, and the key use DynamoDB needs', () => {
    const { stack, pipeline: p } = pipeline();
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    p.conversations.grantWriteConversations(role);
    expect(actionsOf(stack, role).filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  test('metricAutoResponsesFailed is what the AutoResponsesRejected alarm watches', () => {
    const { stack, pipeline: p } = pipeline();
    new cloudwatch.Alarm(stack, 'Mine', {
      metric: p.metricAutoResponsesFailed(),
      threshold: 0,
      evaluationPeriods: 1,
    });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    const metricsOf = (match: (id: string) => boolean) =>
      Object.entries(alarms).find(([id]) => match(id))?.[1].Properties.Metrics;
    const theirs = metricsOf((id) => id.includes('AutoResponsesRejected'));
    expect(theirs).toBeDefined();
    expect(metricsOf((id) => id.startsWith('Mine'))).toEqual(theirs);
  });

  test("the graph helpers search the pipeline's own service only", () => {
    const { pipeline: p } = pipeline({ namePrefix: 'support' });
    for (const metric of [
      p.metricMessagesRecorded(),
      p.metricAutoResponsesSent(),
      p.metricUndecodableEvents(),
    ]) {
      expect(metric).toBeInstanceOf(cloudwatch.MathExpression);
      expect((metric as cloudwatch.MathExpression).expression).toContain('service="support"');
    }
  });

  test("metricPublisherIteratorAge is the publisher's, and refused when the bus is off", () => {
    expect(pipeline().pipeline.metricPublisherIteratorAge().toMetricConfig().metricStat?.metricName).toBe(
      'IteratorAge',
    );
    expect(() => pipeline({ events: false }).pipeline.metricPublisherIteratorAge()).toThrow(
      WhatsAppPipelinePropsError,
    );
  });

  test('processorMaxConcurrency caps the processor, and nothing else; by default nothing is reserved', () => {
    const reserved = (props: ConstructorParameters<typeof WhatsAppPipeline>[2]) =>
      Object.values(Template.fromStack(pipeline(props).stack).findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.ReservedConcurrentExecutions)
        .filter((value) => value !== undefined);
    expect(reserved({})).toEqual([]);
    expect(reserved({ processorMaxConcurrency: 50 })).toEqual([50]);
    expect(() => pipeline({ processorMaxConcurrency: 0 })).toThrow(
      /processorMaxConcurrency 0: expected a whole number of executions from 1 to 10000/,
    );
  });
});
