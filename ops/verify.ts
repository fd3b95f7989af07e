/**
 * The step after `cdk deploy`: checks, with read-only calls only, that a deployed pipeline can
 * receive events. Nothing is published or changed.
 *
 *   npm run verify -- --stack <stack name> [--endpoint <url>]
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetLinkedWhatsAppBusinessAccountCommand,
  SocialMessagingClient,
} from '@aws-sdk/client-socialmessaging';
import { OUTPUT } from '../contracts';
import { parseFlags, UsageError } from './cli';
import { endpointClientConfig } from './endpoint';

export const VERIFY_USAGE = 'usage: npm run verify -- --stack <stack name> [--endpoint <url>]';

/** The service that publishes WhatsApp events. */
const SOCIAL_MESSAGING = 'social-messaging.amazonaws.com';

/** What the read-only calls found about a deployed pipeline. */
export interface DeployedPipeline {
  readonly outputs: ReadonlyMap<string, string>;
  /** The inbound topic's policy document, as JSON. */
  readonly topicPolicy?: string;
  /** The key of the inbound topic (its ARN or id), and that key's policy as JSON. */
  readonly topicKeyPolicy?: string;
  /** Endpoints of the topic's Lambda subscriptions. */
  readonly lambdaSubscriptions: readonly string[];
  /** The processor's ARN, if the stack has one. */
  readonly processorArn?: string;
  /** Each linked WABA with the destinations it points at now, or why they could not be read. */
  readonly wabas: readonly {
    readonly wabaId: string;
    readonly destinations?: readonly string[];
    readonly error?: string;
  }[];
  /** Names of the alarms whose names start with the stack name. */
  readonly alarms: readonly string[];
}

/** One check's outcome. */
export interface Check {
  readonly ok: boolean;
  readonly what: string;
  readonly detail?: string;
}

interface Statement {
  readonly Effect?: string;
  readonly Principal?: { readonly Service?: string | readonly string[] };
  readonly Action?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function statements(policy: string | undefined): Statement[] {
  if (policy === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(policy);
    const list = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'Statement') : undefined;
    return Array.isArray(list) ? list.filter((s): s is Statement => typeof s === 'object' && s !== null) : [];
  } catch {
    return [];
  }
}

/** Whether a policy lets End User Messaging Social do `action`, bound to an account and a source ARN. */
function admitsSocialMessaging(policy: string | undefined, action: string): boolean {
  return statements(policy).some((s) => {
    const services = [s.Principal?.Service ?? []].flat();
    const actions = [s.Action ?? []].flat();
    const conditions = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
    return (
      s.Effect === 'Allow' &&
      services.includes(SOCIAL_MESSAGING) &&
      actions.includes(action) &&
      conditions.includes('aws:SourceAccount') &&
      conditions.includes('aws:SourceArn')
    );
  });
}

/** The checks, each pass or fail, from what was read. Pure: tested without any AWS call. */
export function checksOf(deployed: DeployedPipeline): Check[] {
  const topicArn = deployed.outputs.get(OUTPUT.inboundTopicArn);
  const checks: Check[] = [
    {
      ok: topicArn !== undefined,
      what: 'the stack has an inbound topic',
      detail: topicArn ?? `no ${OUTPUT.inboundTopicArn} output: is this a WhatsApp pipeline stack?`,
    },
    {
      ok: admitsSocialMessaging(deployed.topicPolicy, 'sns:Publish'),
      what: `the topic policy lets ${SOCIAL_MESSAGING} publish, for this account and its resources only`,
    },
    {
      ok: admitsSocialMessaging(deployed.topicKeyPolicy, 'kms:GenerateDataKey*'),
      what: `the topic's key lets ${SOCIAL_MESSAGING} encrypt, for this account and its resources only`,
    },
    {
      ok: deployed.processorArn !== undefined && deployed.lambdaSubscriptions.includes(deployed.processorArn),
      what: 'the processor is subscribed to the topic',
      detail: deployed.processorArn === undefined ? 'no processor in the stack' : undefined,
    },
  ];
  for (const waba of deployed.wabas) {
    const points = topicArn !== undefined && (waba.destinations ?? []).includes(topicArn);
    checks.push({
      ok: points,
      what: `${waba.wabaId} sends its events to the topic`,
      detail:
        waba.error ??
        (points ? undefined : `it points at ${(waba.destinations ?? []).join(', ') || 'nothing'}`),
    });
  }
  checks.push({
    ok: deployed.alarms.length > 0,
    what: 'the alarms exist',
    detail: `${deployed.alarms.length} alarm(s)`,
  });
  return checks;
}

/** The clients verify reads with. */
export interface VerifyClients {
  readonly cloudFormation: CloudFormationClient;
  readonly sns: SNSClient;
  readonly kms: KMSClient;
  readonly socialMessaging: SocialMessagingClient;
  readonly cloudWatch: CloudWatchClient;
}

/** Reads what {@link checksOf} needs, with read-only calls. */
export async function readDeployed(clients: VerifyClients, stackName: string): Promise<DeployedPipeline> {
  const { Stacks = [] } = await clients.cloudFormation.send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const outputs = new Map(
    (Stacks[0]?.Outputs ?? []).flatMap((o) =>
      o.OutputKey === undefined || o.OutputValue === undefined ? [] : [[o.OutputKey, o.OutputValue] as const],
    ),
  );
  const { StackResourceSummaries = [] } = await clients.cloudFormation.send(
    new ListStackResourcesCommand({ StackName: stackName }),
  );
  const topicArn = outputs.get(OUTPUT.inboundTopicArn);
  const keyArn = outputs.get(OUTPUT.inboundTopicKeyArn);
  const attributes = topicArn
    ? (await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes
    : undefined;
  const keyPolicy = keyArn
    ? (await clients.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy
    : undefined;
  const subscriptions = topicArn
    ? ((await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ??
      [])
    : [];
  const processorName = outputs.get(OUTPUT.processorFunctionName);
  const processorArn = subscriptions
    .map((s) => s.Endpoint ?? '')
    .find((endpoint) => processorName !== undefined && endpoint.endsWith(`:function:${processorName}`));
  const wabas = await Promise.all(
    StackResourceSummaries.filter((r) => r.ResourceType === 'Custom::WhatsAppEventDestination').map(
      async (r) => {
        const wabaId = r.PhysicalResourceId?.split('|')[1] ?? r.LogicalResourceId ?? 'unknown';
        try {
          const { account } = await clients.socialMessaging.send(
            new GetLinkedWhatsAppBusinessAccountCommand({ id: wabaId }),
          );
          return {
            wabaId,
            destinations: (account?.eventDestinations ?? []).flatMap((d) => d.eventDestinationArn ?? []),
          };
        } catch (error) {
          return {
            wabaId,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          };
        }
      },
    ),
  );
  const { MetricAlarms = [] } = await clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `${stackName}-` }),
  );
  return {
    outputs,
    topicPolicy: attributes?.Policy,
    topicKeyPolicy: keyPolicy,
    lambdaSubscriptions: subscriptions.flatMap((s) =>
      s.Protocol === 'lambda' && s.Endpoint ? [s.Endpoint] : [],
    ),
    processorArn: processorArn ?? (processorName === undefined ? undefined : `(function ${processorName})`),
    wabas,
    alarms: MetricAlarms.flatMap((a) => (a.AlarmName === undefined ? [] : [a.AlarmName])),
  };
}

/** Runs verify for command-line arguments; returns 0 when every check passes, 1 otherwise. */
export async function verifyCommand(
  argv: readonly string[],
  print: (line: string) => void,
  clients?: VerifyClients,
): Promise<number> {
  const { values } = parseFlags(argv, { stack: { type: 'string' }, endpoint: { type: 'string' } });
  if (values.stack === undefined) throw new UsageError('--stack <stack name> is required');
  const config = values.endpoint === undefined ? {} : endpointClientConfig(values.endpoint);
  const checks = checksOf(
    await readDeployed(
      clients ?? {
        cloudFormation: new CloudFormationClient(config),
        sns: new SNSClient(config),
        kms: new KMSClient(config),
        socialMessaging: new SocialMessagingClient(config),
        cloudWatch: new CloudWatchClient(config),
      },
      values.stack,
    ),
  );
  for (const check of checks)
    print(`${check.ok ? '✓' : '✗'} ${check.what}${check.detail ? ` (${check.detail})` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  print(
    failed === 0 ? `All ${checks.length} checks passed.` : `${failed} of ${checks.length} checks failed.`,
  );
  return failed === 0 ? 0 : 1;
}
