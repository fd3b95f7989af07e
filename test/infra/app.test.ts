import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, configFromContext, stackNameOf } from '../../lib/app';
import { ConfigValidationError } from '../../lib/config';

const ROOT = join(__dirname, '..', '..');
const noBundling = { 'aws:cdk:bundling-stacks': [] };

describe('configuration from the command line', () => {
  test('a -c whatsappPipeline string is read as JSON', () => {
    const { config } = configFromContext({
      whatsappPipeline: '{"alarmEmail":"ops@example.com","dataRetentionDays":30}',
    });
    expect(config).toMatchObject({ alarmEmail: 'ops@example.com', dataRetentionDays: 30 });
  });

  test('a string that is not JSON is a ConfigValidationError saying so, and where', () => {
    expect(() => configFromContext({ whatsappPipeline: '{"alarmEmail" "x"}' })).toThrow(
      ConfigValidationError,
    );
    expect(() => configFromContext({ whatsappPipeline: '{"alarmEmail" "x"}' })).toThrow(
      /is a string that is not JSON \(.*position \d+/,
    );
  });

  test('-c whatsappPipeline.<key>=<value> sets one key over the object, with JSON values typed', () => {
    const { config } = configFromContext({
      whatsappPipeline: { alarmEmail: 'a@example.com', dataRetentionDays: 90 },
      'whatsappPipeline.dataRetentionDays': '30',
      'whatsappPipeline.alarmEmail': 'ops@example.com',
      'whatsappPipeline.autoResponse.typingIndicator': 'true',
      'whatsappPipeline.linkedWabas': '["waba-a1"]',
    });
    expect(config).toMatchObject({
      alarmEmail: 'ops@example.com',
      dataRetentionDays: 30,
      linkedWabas: ['waba-a1'],
      autoResponse: { typingIndicator: true },
    });
  });

  test('a per-key value of the wrong type gets the usual one-message error', () => {
    expect(() => configFromContext({ 'whatsappPipeline.dataRetentionDays': 'thirty' })).toThrow(
      '"dataRetentionDays" is "thirty": expected a whole number of days from 1 to 3650',
    );
  });
});

describe('stages', () => {
  const context = {
    whatsappPipeline: {
      dataRetentionDays: 365,
      stages: {
        dev: { dataRetentionDays: 7, removalPolicy: 'destroy' },
        prod: { alarmEmail: 'ops@example.com', account: '111122223333', region: 'eu-west-1' },
      },
    },
  };

  test('without a stage, the stack is WhatsAppPipeline and the stages are left out', () => {
    expect(stackNameOf(undefined)).toBe('WhatsAppPipeline');
    expect(configFromContext(context).config.dataRetentionDays).toBe(365);
  });

  test("a stage's settings merge over the rest", () => {
    expect(configFromContext({ ...context, stage: 'dev' }).config).toMatchObject({
      dataRetentionDays: 7,
      removalPolicy: 'destroy',
    });
  });

  test('a stage may pin an account and region', () => {
    expect(configFromContext({ ...context, stage: 'prod' }).environment).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
    });
  });

  test('two stages in one app give two stacks with distinct names throughout', () => {
    const dev = buildApp({ context: { ...context, ...noBundling, stage: 'dev' } }).stack;
    const prod = buildApp({ context: { ...context, ...noBundling, stage: 'prod' } }).stack;
    expect([dev.stackName, prod.stackName]).toEqual(['WhatsAppPipeline-dev', 'WhatsAppPipeline-prod']);
    const alarmNames = (stack: typeof dev) =>
      Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties.AlarmName,
      );
    expect(alarmNames(dev).every((n: string) => n.startsWith('WhatsAppPipeline-dev-'))).toBe(true);
    expect(alarmNames(prod).every((n: string) => n.startsWith('WhatsAppPipeline-prod-'))).toBe(true);
    expect(prod.account).toBe('111122223333');
    expect(prod.region).toBe('eu-west-1');
  });

  test('a WABA ARN of another region than the stage is a config error', () => {
    expect(() =>
      buildApp({
        context: {
          ...context,
          ...noBundling,
          stage: 'prod',
          'whatsappPipeline.linkedWabas': '["arn:aws:social-messaging:us-east-1:111122223333:waba/abc"]',
        },
      }),
    ).toThrow('is in region us-east-1, but the stack deploys to eu-west-1');
  });

  test('an invalid stage name is refused', () => {
    expect(() => configFromContext({ stage: 'has space' })).toThrow('Invalid stage "has space"');
  });

  test('a bad account is refused with the stage named', () => {
    expect(() =>
      configFromContext({ whatsappPipeline: { stages: { x: { account: '12' } } }, stage: 'x' }),
    ).toThrow('"stages.x.account" is "12": expected a 12-digit account id');
  });
});

describe('linkedWabas', () => {
  test('the same WABA as id and as ARN is a config error naming both entries', () => {
    expect(() =>
      configFromContext({
        whatsappPipeline: {
          linkedWabas: ['waba-abc', 'arn:aws:social-messaging:us-east-1:123456789012:waba/abc'],
        },
      }),
    ).toThrow('"waba-abc" and "arn:aws:social-messaging:us-east-1:123456789012:waba/abc" are both waba-abc');
  });

  test('id and ARN forms synthesize the same link: switching between them changes nothing', () => {
    const template = (entry: string) =>
      Template.fromStack(
        buildApp({ context: { ...noBundling, whatsappPipeline: { linkedWabas: [entry] } } }).stack,
      ).findResources('Custom::WhatsAppEventDestination');
    expect(template('arn:aws:social-messaging:us-east-1:123456789012:waba/abc')).toEqual(
      template('waba-abc'),
    );
  });

  test('the link waits for the topic and key policies', () => {
    const resources = Template.fromStack(
      buildApp({ context: { ...noBundling, whatsappPipeline: { linkedWabas: ['waba-abc'] } } }).stack,
    ).toJSON().Resources;
    const typed = resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const [link] = Object.values(typed).filter((r) => r.Type === 'Custom::WhatsAppEventDestination');
    const policyIds = Object.keys(typed).filter((id) => /^Inbound(Key|TopicPolicy)/.test(id));
    expect(policyIds.length).toBeGreaterThanOrEqual(2);
    for (const id of policyIds) expect(link?.DependsOn).toContain(id);
  });
});

describe('cdk synth with a bad configuration', () => {
  test('prints the message alone, without a stack trace or code frame, and exits non-zero', () => {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/app.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          CDK_CONTEXT_JSON: JSON.stringify({ 'whatsappPipeline.dataRetentionDays': '0' }),
        },
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('"dataRetentionDays" is 0: expected a whole number of days from 1 to 3650');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
