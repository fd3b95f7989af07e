import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SocialMessagingSimulator } from '../../local/socialmessaging-simulator';
import { endpointClientConfig } from '../../ops/endpoint';
import { checksOf, type DeployedPipeline, type VerifyClients, verifyCommand } from '../../ops/verify';
import { socialMessagingClient, startSimulator } from '../support/simulator';
import { synthStack } from '../support/synth';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-InboundTopic';
const PROCESSOR = 'arn:aws:lambda:us-east-1:123456789012:function:WhatsAppPipeline-Processor';

/** The policies exactly as the synthesized template defines them. */
function templatePolicies() {
  const resources = synthStack().toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const of = (type: string, id: RegExp) =>
    Object.entries(resources).find(([logicalId, r]) => r.Type === type && id.test(logicalId))?.[1];
  return {
    topicPolicy: JSON.stringify(
      of('AWS::SNS::TopicPolicy', /^InboundTopicPolicy/)?.Properties.PolicyDocument,
    ),
    keyPolicy: JSON.stringify(of('AWS::KMS::Key', /^InboundKey/)?.Properties.KeyPolicy),
  };
}

function deployed(overrides: Partial<DeployedPipeline> = {}): DeployedPipeline {
  const { topicPolicy, keyPolicy } = templatePolicies();
  return {
    outputs: new Map([['InboundTopicArn', TOPIC]]),
    topicPolicy,
    topicKeyPolicy: keyPolicy,
    lambdaSubscriptions: [PROCESSOR],
    processorArn: PROCESSOR,
    wabas: [{ wabaId: 'waba-a', destinations: [TOPIC] }],
    alarms: ['WhatsAppPipeline-InboundProcessorErrors'],
    ...overrides,
  };
}

describe('verify: the checks', () => {
  test('the policies the stack deploys pass', () => {
    expect(checksOf(deployed()).filter((c) => !c.ok)).toEqual([]);
  });

  test('a topic policy without the source conditions fails', () => {
    const weakened = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'social-messaging.amazonaws.com' }, Action: 'sns:Publish' },
      ],
    });
    const failed = checksOf(deployed({ topicPolicy: weakened })).filter((c) => !c.ok);
    expect(failed.map((c) => c.what)).toEqual([expect.stringContaining('topic policy')]);
  });

  test('a WABA pointing elsewhere, a missing subscription and no alarms each fail', () => {
    const failed = checksOf(
      deployed({
        wabas: [{ wabaId: 'waba-a', destinations: ['arn:aws:sns:us-east-1:123456789012:other'] }],
        lambdaSubscriptions: [],
        alarms: [],
      }),
    ).filter((c) => !c.ok);
    expect(failed.map((c) => c.what)).toEqual([
      'the processor is subscribed to the topic',
      'waba-a sends its events to the topic',
      'the alarms exist',
    ]);
    expect(failed[1]?.detail).toContain('arn:aws:sns:us-east-1:123456789012:other');
  });
});

/** A client that answers every command with `outputs[command]`, as the service would: read-only fakes. */
function answering<C extends { middlewareStack: { add: (...args: never[]) => void } }>(
  client: C,
  outputs: Record<string, unknown>,
): C {
  (client.middlewareStack.add as (m: unknown, o: unknown) => void)(
    (_next: unknown, context: { commandName?: string }) => async () => ({
      output: { $metadata: {}, ...(outputs[context.commandName ?? ''] as object) },
      response: {},
    }),
    { step: 'initialize', name: 'answering' },
  );
  return client;
}

describe('npm run verify, against the simulator for the WABA', () => {
  let simulator: SocialMessagingSimulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(() => simulator.stop());

  function clients(): VerifyClients {
    const { topicPolicy, keyPolicy } = templatePolicies();
    const config = endpointClientConfig('http://127.0.0.1:1');
    return {
      cloudFormation: answering(new CloudFormationClient(config), {
        DescribeStacksCommand: {
          Stacks: [
            {
              Outputs: [
                { OutputKey: 'InboundTopicArn', OutputValue: TOPIC },
                { OutputKey: 'InboundTopicKeyArn', OutputValue: 'arn:aws:kms:us-east-1:123456789012:key/k' },
                { OutputKey: 'ProcessorFunctionName', OutputValue: 'WhatsAppPipeline-Processor' },
              ],
            },
          ],
        },
        ListStackResourcesCommand: {
          StackResourceSummaries: [
            {
              ResourceType: 'Custom::WhatsAppEventDestination',
              LogicalResourceId: 'WabaLinkswabaa',
              PhysicalResourceId: 'waba-event-destination|waba-a|W10',
            },
          ],
        },
      }),
      sns: answering(new SNSClient(config), {
        GetTopicAttributesCommand: { Attributes: { Policy: topicPolicy } },
        ListSubscriptionsByTopicCommand: { Subscriptions: [{ Protocol: 'lambda', Endpoint: PROCESSOR }] },
      }),
      kms: answering(new KMSClient(config), { GetKeyPolicyCommand: { Policy: keyPolicy } }),
      socialMessaging: socialMessagingClient(),
      cloudWatch: answering(new CloudWatchClient(config), {
        DescribeAlarmsCommand: { MetricAlarms: [{ AlarmName: 'WhatsAppPipeline-InboundProcessorErrors' }] },
      }),
    };
  }

  test('passes, exit 0, when the WABA points at the topic', async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: TOPIC }]);
    const lines: string[] = [];
    await expect(
      verifyCommand(['--stack', 'WhatsAppPipeline'], (l) => lines.push(l), clients()),
    ).resolves.toBe(0);
    expect(lines.at(-1)).toBe('All 6 checks passed.');
    expect(lines).toContain('✓ waba-a sends its events to the topic');
    expect(simulator.requests.map((r) => r.operation)).toEqual(['GetLinkedWhatsAppBusinessAccount']);
  });

  test('fails, exit 1, naming the WABA that points elsewhere', async () => {
    simulator.reset();
    simulator.addWaba('waba-a', [{ eventDestinationArn: 'arn:aws:sns:us-east-1:123456789012:console' }]);
    const lines: string[] = [];
    await expect(
      verifyCommand(['--stack', 'WhatsAppPipeline'], (l) => lines.push(l), clients()),
    ).resolves.toBe(1);
    expect(lines).toContain(
      '✗ waba-a sends its events to the topic (it points at arn:aws:sns:us-east-1:123456789012:console)',
    );
  });

  test('--stack is required', async () => {
    await expect(verifyCommand([], () => undefined, clients())).rejects.toThrow(
      '--stack <stack name> is required',
    );
  });
});
