import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CONFIG_CONTEXT_KEY } from '../lib/config';
import { ConversationReader } from '../ops/conversation-reader';
import { type CloudAssembly, cdkJsonContext, synthesizeAssembly } from './assembly';
import { localClientConfig } from './aws-env';
import { BundleHost, type InvocationResult } from './bundle-host';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { matchesPattern } from './event-pattern';
import { LOCAL_BUSINESS, snsEventOf } from './events';
import { LOCAL_PSEUDONYM_SECRET, SocialMessagingSimulator } from './socialmessaging-simulator';
import { createLocalTable } from './tables';

/** Where `npm start` synthesizes the stack. */
export const LOCAL_ASSEMBLY_DIR = join(__dirname, '..', '.cache', 'local-assembly');

/** Options of {@link LocalPipeline.start}. */
export interface LocalPipelineOptions {
  /** A synthesized assembly. @default - the stack is synthesized into .cache/local-assembly */
  readonly assembly?: CloudAssembly;
  /** An already running DynamoDB Local. @default - one is started (and stopped with the pipeline) */
  readonly dynamoDbEndpoint?: string;
  /** An already running simulator. @default - one is started (and stopped with the pipeline) */
  readonly simulator?: SocialMessagingSimulator;
  /** @default 'whatsapp-conversations-local' (a unique name when DynamoDB Local is shared) */
  readonly tableName?: string;
  /** Told each long step as it starts (synth, DynamoDB Local, handlers). @default - silent */
  readonly progress?: (step: string) => void;
}

/** What happened to an EventBridge event. */
export interface EventOutcome {
  /** Whether the stack's failed-message rule matched it. */
  readonly matched: boolean;
  /** The failure recorder's invocation. */
  readonly recorder?: InvocationResult;
}

/** The local alerts topic, where the digest publishes what people would receive. */
export const LOCAL_ALERTS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-AlertsTopic';

/**
 * Minutes of a digest window locally: one, so that a failure of a minute ago is in a closed window
 * and the digest reports it at once (deployed, the stack's `alertDigestMinutes` applies).
 */
export const LOCAL_DIGEST_WINDOW_MINUTES = 1;

/**
 * The pipeline on this machine: DynamoDB Local and the SocialMessaging simulator on 127.0.0.1, the
 * table as the synthesized stack defines it, and the stack's own bundled handlers (the esbuild
 * output `cdk deploy` ships) running with the environment the stack gives them, each in its own
 * process like a Lambda execution environment. Events go in the way AWS delivers them: SNS events
 * to the processor, EventBridge events through the deployed rule pattern to the recorder.
 */
export class LocalPipeline {
  public readonly reader: ConversationReader;

  private constructor(
    public readonly assembly: CloudAssembly,
    public readonly simulator: SocialMessagingSimulator,
    public readonly dynamoDbEndpoint: string,
    public readonly tableName: string,
    private readonly client: DynamoDBClient,
    private readonly processor: BundleHost,
    private readonly recorder: BundleHost,
    private readonly digest: BundleHost,
    private readonly owned: { dynamoDb?: DynamoDbLocal; simulator: boolean },
  ) {
    this.reader = new ConversationReader(client, tableName);
  }

  /** Starts every part; on any failure, stops what was started. */
  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const progress = options.progress ?? (() => undefined);
      if (options.assembly === undefined) progress('synthesizing the stack and bundling its functions');
      const assembly = options.assembly ?? synthesizeLocalAssembly();
      if (options.dynamoDbEndpoint === undefined) progress('starting DynamoDB Local');
      const dynamoDb = options.dynamoDbEndpoint === undefined ? await startDynamoDbLocal() : undefined;
      if (dynamoDb) cleanups.push(() => dynamoDb.stop());
      const dynamoDbEndpoint = options.dynamoDbEndpoint ?? dynamoDb?.endpoint ?? '';
      const simulator = options.simulator ?? (await SocialMessagingSimulator.start());
      if (options.simulator === undefined) cleanups.push(() => simulator.stop());

      const client = new DynamoDBClient(localClientConfig(dynamoDbEndpoint));
      cleanups.push(async () => client.destroy());
      const tableName =
        options.tableName ??
        (options.dynamoDbEndpoint === undefined
          ? 'whatsapp-conversations-local'
          : `conversations-${randomUUID()}`);
      await createLocalTable(client, assembly.table(), tableName);
      progress("starting the bundled handlers on the Lambda runtime's Node");

      // The environment the stack gives each function, plus local endpoints and fake credentials.
      const host = (pathFragment: string) => {
        const bundle = BundleHost.forFunction(assembly.function(pathFragment), {
          CONVERSATION_TABLE_NAME: tableName,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
          AWS_ENDPOINT_URL_SOCIALMESSAGING: simulator.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: simulator.endpoint,
          PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
          AWS_ENDPOINT_URL_SNS: simulator.endpoint,
          ALERTS_TOPIC_ARN: LOCAL_ALERTS_TOPIC_ARN,
          DIGEST_WINDOW_MINUTES: String(LOCAL_DIGEST_WINDOW_MINUTES),
          AWS_LAMBDA_FUNCTION_NAME: pathFragment.replace(/\W/g, '-'),
        });
        cleanups.push(() => bundle.stop());
        return bundle;
      };
      const processor = host('InboundProcessor/Processor');
      const recorder = host('Alerts/Recorder');
      const digest = host('Alerts/Digest');
      await Promise.all([processor.start(), recorder.start(), digest.start()]);
      return new LocalPipeline(
        assembly,
        simulator,
        dynamoDbEndpoint,
        tableName,
        client,
        processor,
        recorder,
        digest,
        {
          dynamoDb,
          simulator: options.simulator === undefined,
        },
      );
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      throw error;
    }
  }

  /** Publishes an SNS message to the inbound topic: the processor gets the SNS event Lambda would. */
  async publish(message: string, snsMessageId: string = randomUUID()): Promise<InvocationResult> {
    return this.invokeProcessor(snsEventOf(message, snsMessageId));
  }

  /** Invokes the processor with a Lambda SNS event as is (e.g. one replayed from a file). */
  async invokeProcessor(event: unknown): Promise<InvocationResult> {
    return this.processor.invoke(event);
  }

  /** Puts an event on the default bus: if the failed-message rule matches, its targets get it. */
  async putEvent(event: unknown): Promise<EventOutcome> {
    const rule = this.assembly.rule('Alerts/FailedMessages');
    if (!matchesPattern(rule.pattern, event)) return { matched: false };
    return { matched: true, recorder: await this.recorder.invoke(event) };
  }

  /**
   * Runs the failure digest as its schedule would, and returns what it published to the alerts
   * topic: the notifications people would receive.
   */
  async runDigest(): Promise<{ result: InvocationResult; notifications: readonly string[] }> {
    const before = this.simulator.notifications.length;
    const result = await this.digest.invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    const notifications = this.simulator.notifications
      .slice(before)
      .map((n) => `${n.subject ?? ''}\n${n.message}`);
    return { result, notifications };
  }

  /** Log lines the functions wrote. */
  functionLogs(): { processor: readonly string[]; recorder: readonly string[] } {
    return { processor: this.processor.output, recorder: this.recorder.output };
  }

  /** Stops every part this pipeline started. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.processor.stop(), this.recorder.stop(), this.digest.stop()]);
    this.client.destroy();
    if (this.owned.simulator) await this.simulator.stop().catch(() => undefined);
    await this.owned.dynamoDb?.stop();
  }
}

/**
 * Synthesizes the stack as configured in cdk.json, serving the local business number (so the send
 * permission is scoped to it, as it should be in a real deployment).
 */
export function synthesizeLocalAssembly(): CloudAssembly {
  const configured = cdkJsonContext()[CONFIG_CONTEXT_KEY];
  const config = typeof configured === 'object' && configured !== null ? { ...configured } : {};
  return synthesizeAssembly(LOCAL_ASSEMBLY_DIR, {
    ...config,
    phoneNumberIds: [LOCAL_BUSINESS.originationPhoneNumberId],
  });
}
