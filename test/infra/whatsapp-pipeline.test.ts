import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ConversationTable,
  FailureAlerts,
  InboundProcessor,
  InboundTopic,
  PipelineMonitoring,
  PseudonymKey,
  WhatsAppPipeline,
  WhatsAppPipelinePropsError,
} from '../../lib';

/** An app that synthesizes without bundling: these tests look at templates, not code. */
function appWithoutBundling(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

function namesOf(template: Template, type: string, property: string): string[] {
  return Object.values(template.findResources(type)).map((r) => String(r.Properties[property]));
}

function nagFindings(app: App): string[] {
  app.synth();
  const result = new AwsSolutionsChecks(app).validateScope(app);
  return result.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
  );
}

const STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:123456789012:table/conversations-prod/stream/2026-01-01T00:00:00.000';

describe('WhatsAppPipeline embedded in a stack of its own', () => {
  test('two instances beside unrelated resources synthesize with distinct names and no cdk-nag finding', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Shared');
    new s3.Bucket(stack, 'UnrelatedBucket', {
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsPrefix: 'logs/',
    });
    const dev = new WhatsAppPipeline(stack, 'Dev', { phoneNumberIds: ['phone-number-id-dev'] });
    const prod = new WhatsAppPipeline(stack, 'Prod', { phoneNumberIds: ['phone-number-id-prod'] });
    const template = Template.fromStack(stack);

    expect(dev.namePrefix).toBe('Shared-Dev');
    expect(prod.namePrefix).toBe('Shared-Prod');
    const alarms = namesOf(template, 'AWS::CloudWatch::Alarm', 'AlarmName');
    expect(alarms.length).toBe(2 * dev.alarms.length);
    expect(new Set(alarms).size).toBe(alarms.length);
    expect(namesOf(template, 'AWS::CloudWatch::Dashboard', 'DashboardName').sort()).toEqual([
      'Shared-Dev-whatsapp',
      'Shared-Prod-whatsapp',
    ]);
    expect(nagFindings(app)).toEqual([]);
  });

  test("each instance's functions log and count under its own service name", () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Shared');
    new WhatsAppPipeline(stack, 'Dev', { phoneNumberIds: ['phone-number-id-dev'] });
    new WhatsAppPipeline(stack, 'Prod', { phoneNumberIds: ['phone-number-id-prod'] });
    const services = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
    );
    expect(new Set(services)).toEqual(new Set(['Shared-Dev', 'Shared-Prod']));
  });

  test('a dev and a prod stack in one app synthesize side by side with distinct names', () => {
    const app = appWithoutBundling();
    const dev = new Stack(app, 'WhatsAppPipeline-dev');
    const prod = new Stack(app, 'WhatsAppPipeline-prod');
    new WhatsAppPipeline(dev, 'Default', { phoneNumberIds: ['phone-number-id-dev'] });
    new WhatsAppPipeline(prod, 'Default', { phoneNumberIds: ['phone-number-id-prod'] });
    const devAlarms = namesOf(Template.fromStack(dev), 'AWS::CloudWatch::Alarm', 'AlarmName');
    const prodAlarms = namesOf(Template.fromStack(prod), 'AWS::CloudWatch::Alarm', 'AlarmName');
    expect(devAlarms.every((name) => name.startsWith('WhatsAppPipeline-dev-'))).toBe(true);
    expect(prodAlarms.every((name) => name.startsWith('WhatsAppPipeline-prod-'))).toBe(true);
    expect(devAlarms.filter((name) => prodAlarms.includes(name))).toEqual([]);
    expect(nagFindings(app)).toEqual([]);
  });

  test('an explicit namePrefix names the alarms and the dashboard', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Any');
    const pipeline = new WhatsAppPipeline(stack, 'Pipeline', { namePrefix: 'support-bot' });
    const template = Template.fromStack(stack);
    expect(namesOf(template, 'AWS::CloudWatch::Dashboard', 'DashboardName')).toEqual([
      'support-bot-whatsapp',
    ]);
    expect(pipeline.alarms.length).toBeGreaterThan(0);
    expect(
      namesOf(template, 'AWS::CloudWatch::Alarm', 'AlarmName').every((n) => n.startsWith('support-bot-')),
    ).toBe(true);
  });

  test('uses an existing topic instead of creating one', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Any');
    const key = new kms.Key(stack, 'ExistingKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'ExistingTopic', { masterKey: key, enforceSSL: true });
    const pipeline = new WhatsAppPipeline(stack, 'Pipeline', { topic });
    const template = Template.fromStack(stack);
    expect(pipeline.topic).toBe(topic);
    expect(pipeline.inbound).toBeUndefined();
    // The given one, the alerts topic and the failure events topic.
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toHaveLength(3);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
    });
  });

  test('uses an imported conversation table instead of creating one', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Any');
    const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
    const table = ConversationTable.fromTableAttributes(stack, 'Existing', {
      tableName: 'conversations-prod',
      tableStreamArn: STREAM_ARN,
      encryptionKey: key,
    });
    new WhatsAppPipeline(stack, 'Pipeline', { table });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toEqual([]);
    const envs = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => {
      const name = fn.Properties.Environment.Variables.CONVERSATION_TABLE_NAME;
      return name === undefined ? [] : [name];
    });
    expect(envs).toEqual([
      'conversations-prod',
      'conversations-prod',
      'conversations-prod',
      'conversations-prod',
    ]);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: STREAM_ARN });
  });

  test('rejects an imported table without a stream while events are on, and names the way out', () => {
    const stack = new Stack(appWithoutBundling(), 'Any');
    const table = ConversationTable.fromTableAttributes(stack, 'Existing', { tableName: 'old' });
    expect(() => new WhatsAppPipeline(stack, 'Pipeline', { table })).toThrow(
      /table has no stream.*tableStreamArn.*events: false/,
    );
  });

  test('takes an imported table without a stream when events are off, and creates no bus', () => {
    const stack = new Stack(appWithoutBundling(), 'Any');
    const table = ConversationTable.fromTableAttributes(stack, 'Existing', { tableName: 'old' });
    const pipeline = new WhatsAppPipeline(stack, 'Pipeline', { table, events: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(() => pipeline.eventBus).toThrow(/event bus is off \(events: false\)/);
  });

  test('rejects invalid props with one message naming each problem', () => {
    const stack = new Stack(appWithoutBundling(), 'Any');
    expect(
      () =>
        new WhatsAppPipeline(stack, 'Pipeline', {
          namePrefix: 'has space',
          dataRetentionDays: 0,
          phoneNumberIds: ['+4915112345678'],
        }),
    ).toThrow(WhatsAppPipelinePropsError);
    expect(() => new WhatsAppPipeline(stack, 'Again', { dataRetentionDays: 0, namePrefix: 'x y' })).toThrow(
      /namePrefix "x y".*\n.*dataRetentionDays 0/,
    );
  });
});

describe('names every resource accepts', () => {
  test('a namePrefix with a "." is refused at synth: CloudWatch dashboard names would refuse it at deploy', () => {
    const stack = new Stack(appWithoutBundling(), 'Names');
    expect(() => new WhatsAppPipeline(stack, 'Default', { namePrefix: 'team.support' })).toThrow(
      /namePrefix "team.support": expected 1 to 200 letters, digits, "_" or "-"/,
    );
  });

  test('a construct id with a "." gives a default prefix every name accepts', () => {
    const stack = new Stack(appWithoutBundling(), 'Names');
    const pipeline = new WhatsAppPipeline(stack, 'team.support');
    expect(pipeline.namePrefix).toBe('Names-team-support');
  });
});

describe('each construct on its own', () => {
  const stack = () => new Stack(appWithoutBundling(), 'Alone');

  test('InboundTopic', () => {
    const s = stack();
    new InboundTopic(s, 'Topic');
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('ConversationTable', () => {
    const s = stack();
    const table = new ConversationTable(s, 'Table');
    Template.fromStack(s).resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(table.encryptionKey).toBeDefined();
  });

  test('InboundProcessor subscribes to any topic and writes to any conversation table', () => {
    const s = stack();
    const topic = sns.Topic.fromTopicArn(s, 'Topic', 'arn:aws:sns:us-east-1:123456789012:events');
    const conversations = ConversationTable.fromTableAttributes(s, 'Table', { tableName: 'existing' });
    new InboundProcessor(s, 'Processor', {
      topic,
      conversations,
      dataRetentionDays: 30,
      logRetentionDays: 7,
      serviceName: 'alone',
      pseudonymKey: new PseudonymKey(s, 'Pseudonyms'),
    });
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:events',
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('FailureAlerts records into any conversation table', () => {
    const s = stack();
    const conversations = ConversationTable.fromTableAttributes(s, 'Table', { tableName: 'existing' });
    new FailureAlerts(s, 'Alerts', {
      conversations,
      dataRetentionDays: 30,
      logRetentionDays: 7,
      serviceName: 'alone',
    });
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::Events::Rule', 3); // failed messages, sends' progress, and the digest's schedule
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { CONVERSATION_TABLE_NAME: 'existing', POWERTOOLS_SERVICE_NAME: 'alone' } },
    });
  });

  test('PipelineMonitoring names alarms with the given prefix', () => {
    const s = stack();
    const topic = new sns.Topic(s, 'Alerts');
    const table = ConversationTable.fromTableAttributes(s, 'Table', { tableName: 'existing' });
    const monitoring = new PipelineMonitoring(s, 'Monitoring', {
      alertsTopic: topic,
      inboundTopic: topic,
      functions: {},
      deadLetterQueues: {},
      table: table.table,
      namePrefix: 'solo',
      serviceName: 'solo',
    });
    expect(monitoring.alarms.map((a) => a.node.id)).toContain('TableThrottles');
    expect(namesOf(Template.fromStack(s), 'AWS::CloudWatch::Alarm', 'AlarmName')).toContain(
      'solo-TableThrottles',
    );
  });
});

describe('tracing', () => {
  test('is off by default: no function has a tracing configuration', () => {
    const stack = new Stack(appWithoutBundling(), 'Any');
    new WhatsAppPipeline(stack, 'Pipeline', { linkedWabas: ['waba-a'] });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.map((fn) => fn.Properties.TracingConfig)).toEqual(functions.map(() => undefined));
  });

  test('on, every function traces actively and cdk-nag stays clean', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Any');
    new WhatsAppPipeline(stack, 'Pipeline', { tracing: true, phoneNumberIds: ['phone-number-id-a'] });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.map((fn) => fn.Properties.TracingConfig)).toEqual(
      functions.map(() => ({ Mode: 'Active' })),
    );
    // Lambda refuses active tracing at create unless the role may already write traces.
    for (const fn of functions) {
      expect(fn.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/TracingPolicy/)]));
    }
    expect(nagFindings(app)).toEqual([]);
  });
});
