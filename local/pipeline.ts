import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { readWabaHealth } from '../lambda/adapters/health-store';
import type { SubjectHealthItem } from '../lambda/adapters/items';
import { CONFIG_CONTEXT_KEY } from '../lib/config';
import { ConversationReader } from '../ops/conversation-reader';
import { type CloudAssembly, cdkJsonContext, type StackRule, synthesizeAssembly } from './assembly';
import { localClientConfig } from './aws-env';
import { BundleHost, type InvocationResult } from './bundle-host';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { matchesPattern } from './event-pattern';
import type { BusEvent } from './eventbridge-api';
import { handoverEvent, LOCAL_BUSINESS, snsEventOf } from './events';
import { LOCAL_PSEUDONYM_SECRET, SocialMessagingSimulator } from './socialmessaging-simulator';
import { type LambdaStreamRecord, StreamPoller } from './stream-poller';
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
  /** Context added to cdk.json's for the synth (e.g. an example enabled). @default {} */
  readonly extraContext?: Readonly<Record<string, unknown>>;
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

/** The media bucket of local runs: GetWhatsAppMessageMedia's writes into it are recorded by the simulator. */
export const LOCAL_MEDIA_BUCKET = 'whatsapp-media-local';

/** The conversation bus and the undelivered-events queue of local runs. */
export const LOCAL_EVENT_BUS_NAME = 'WhatsAppPipeline-conversations';
/** The undelivered-events queue of local runs: on the simulator, since SQS clients send to the queue URL's host. */
export function localUndeliveredEventsQueueUrl(simulatorEndpoint: string): string {
  return `${simulatorEndpoint}/123456789012/WhatsAppPipeline-undelivered-events`;
}

/** What {@link LocalPipeline.settle} did: the events published, and their deliveries to the stack's rules. */
export interface SettleOutcome {
  readonly published: readonly BusEvent[];
  readonly deliveries: readonly {
    readonly rule: string;
    readonly event: BusEvent;
    readonly result: InvocationResult;
  }[];
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
    private readonly events: LocalEvents | undefined,
  ) {
    this.reader = new ConversationReader(client, tableName);
  }

  /** Where the publisher keeps the events the bus refused. */
  get undeliveredEventsQueueUrl(): string {
    return localUndeliveredEventsQueueUrl(this.simulator.endpoint);
  }

  /** Stream records handed to the publisher, and records the mapping's filter dropped. */
  get streamStats(): { delivered: number; filtered: number } {
    return { delivered: this.events?.poller.delivered ?? 0, filtered: this.events?.poller.filtered ?? 0 };
  }

  /** Whether the stack has the conversation event bus (its publisher runs here too). */
  get hasEvents(): boolean {
    return this.events !== undefined;
  }

  /**
   * Lets the asynchronous parts catch up, as they would within a second in AWS: the publisher reads
   * every record committed to the table's stream and puts its events on the bus, and each event is
   * delivered to the stack's rules on that bus (by their real patterns) and their functions. Repeats
   * until nothing new happens, since a subscriber may write again.
   */
  async settle(): Promise<SettleOutcome> {
    const events = this.events;
    if (events === undefined) return { published: [], deliveries: [] };
    const published: BusEvent[] = [];
    const deliveries: { rule: string; event: BusEvent; result: InvocationResult }[] = [];
    for (let round = 0; round < 10; round++) {
      const before = this.simulator.eventBridge.events.length;
      await events.poller.drain(async (batch) => {
        const result = await events.publisher.invoke(batch);
        return { failedSequence: failedSequenceOf(result, batch.Records) };
      });
      const fresh = this.simulator.eventBridge.events
        .slice(before)
        .filter((e) => e.eventBusName === LOCAL_EVENT_BUS_NAME);
      if (fresh.length === 0) break;
      published.push(...fresh);
      for (const event of fresh) {
        for (const rule of events.rules) {
          if (!matchesPattern(rule.pattern, event)) continue;
          for (const target of rule.functionTargets) {
            deliveries.push({ rule: rule.path, event, result: await this.subscriber(target).invoke(event) });
          }
        }
      }
    }
    return { published, deliveries };
  }

  private subscriber(logicalId: string): BundleHost {
    const events = this.events;
    if (events === undefined) throw new Error('The stack has no event bus');
    const existing = events.subscribers.get(logicalId);
    if (existing !== undefined) return existing;
    const fn = this.assembly.functionByLogicalId(logicalId);
    const host = BundleHost.forFunction(fn, {
      ...events.environment,
      ...events.resolve(fn.references),
      AWS_LAMBDA_FUNCTION_NAME: logicalId,
    });
    events.subscribers.set(logicalId, host);
    return host;
  }

  /** Starts every part; on any failure, stops what was started. */
  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const progress = options.progress ?? (() => undefined);
      if (options.assembly === undefined) progress('synthesizing the stack and bundling its functions');
      const assembly = options.assembly ?? synthesizeLocalAssembly(options.extraContext);
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
      const localEnvironment = {
        CONVERSATION_TABLE_NAME: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
        AWS_ENDPOINT_URL_SOCIALMESSAGING: simulator.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: simulator.endpoint,
        PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
        AWS_ENDPOINT_URL_SNS: simulator.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: simulator.endpoint,
        AWS_ENDPOINT_URL_SQS: simulator.endpoint,
        ALERTS_TOPIC_ARN: LOCAL_ALERTS_TOPIC_ARN,
        EVENT_BUS_NAME: LOCAL_EVENT_BUS_NAME,
        UNDELIVERED_EVENTS_QUEUE_URL: localUndeliveredEventsQueueUrl(simulator.endpoint),
        DIGEST_WINDOW_MINUTES: String(LOCAL_DIGEST_WINDOW_MINUTES),
      };
      const host = (pathFragment: string) => {
        const bundle = BundleHost.forFunction(assembly.function(pathFragment), {
          ...localEnvironment,
          AWS_LAMBDA_FUNCTION_NAME: pathFragment.replace(/\W/g, '-'),
        });
        cleanups.push(() => bundle.stop());
        return bundle;
      };
      const processor = host('InboundProcessor/Processor');
      const recorder = host('Alerts/Recorder');
      const digest = host('Alerts/Digest');
      await Promise.all([processor.start(), recorder.start(), digest.start()]);
      let events: LocalEvents | undefined;
      if (assembly.hasFunction('Events/Publisher')) {
        const publisherFn = assembly.function('Events/Publisher');
        const publisher = host('Events/Publisher');
        await publisher.start();
        const poller = new StreamPoller({
          dynamoDb: client,
          endpoint: dynamoDbEndpoint,
          tableName,
          filters: assembly.eventSourceFilters(publisherFn.logicalId),
        });
        cleanups.push(async () => poller.stop());
        const busId = assembly.logicalIdOf('AWS::Events::EventBus', 'Events/Bus');
        const tableId = assembly.logicalIdOf('AWS::DynamoDB::Table', 'Conversations/Table');
        const bucketId = assembly.logicalIdOf('AWS::S3::Bucket', 'Media/Bucket');
        const known: Record<string, string> = {
          ...(busId === undefined ? {} : { [busId]: LOCAL_EVENT_BUS_NAME }),
          ...(tableId === undefined ? {} : { [tableId]: tableName }),
          // GetWhatsAppMessageMedia writes into it; the simulator records the writes.
          ...(bucketId === undefined ? {} : { [bucketId]: LOCAL_MEDIA_BUCKET }),
        };
        // The tables of subscribers, under names of their own in this DynamoDB Local.
        for (const table of assembly.otherTables()) {
          const name = `${table.logicalId}-${randomUUID()}`;
          await createLocalTable(client, table, name);
          known[table.logicalId] = name;
        }
        const subscribers = new Map<string, BundleHost>();
        cleanups.push(async () => {
          await Promise.allSettled([...subscribers.values()].map((h) => h.stop()));
        });
        events = {
          publisher,
          poller,
          rules: assembly.rules().filter((r) => r.busLogicalId !== undefined && r.busLogicalId === busId),
          subscribers,
          environment: localEnvironment,
          resolve: (references) =>
            Object.fromEntries(
              Object.entries(references).flatMap(([name, id]) =>
                known[id] === undefined ? [] : [[name, known[id]]],
              ),
            ),
        };
      }
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
        events,
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

  /**
   * Invokes the processor with a Lambda SNS event as is (e.g. one replayed from a file), then puts
   * EUM's hand-off report of each send it made on the bus, as EUM would (the simulator's
   * `handoffs` decide which succeed, fail or never come).
   */
  async invokeProcessor(event: unknown): Promise<InvocationResult> {
    const result = await this.processor.invoke(event);
    for (const { awsMessageId, outcome } of this.simulator.takeHandoffs()) {
      await this.putEvent(handoverEvent(awsMessageId, new Date(), outcome));
    }
    return result;
  }

  /**
   * Puts an event on the default bus: if the failed-message rule or the send-progress rule matches,
   * the recorder gets it (both target it), once.
   */
  async putEvent(event: unknown): Promise<EventOutcome> {
    const rules = ['Alerts/FailedMessages', 'Alerts/SendProgress'].map((path) => this.assembly.rule(path));
    if (!rules.some((rule) => matchesPattern(rule.pattern, event))) return { matched: false };
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

  /** The local WABA's health records, as `npm run inspect -- --health` shows them. */
  wabaHealth(): Promise<SubjectHealthItem[]> {
    return readWabaHealth(this.client, this.tableName, LOCAL_BUSINESS.wabaId);
  }

  /** Log lines the functions wrote. */
  functionLogs(): {
    processor: readonly string[];
    recorder: readonly string[];
    publisher: readonly string[];
    subscribers: readonly string[];
  } {
    return {
      processor: this.processor.output,
      recorder: this.recorder.output,
      publisher: this.events?.publisher.output ?? [],
      subscribers: [...(this.events?.subscribers.values() ?? [])].flatMap((h) => h.output),
    };
  }

  /**
   * Each function's output and invocation durations so far, by function: the processor, recorder,
   * digest and publisher, and each subscriber by its logical id.
   */
  functionRuns(): Record<
    string,
    { readonly output: readonly string[]; readonly durationsMs: readonly number[] }
  > {
    const run = (host: BundleHost) => ({ output: host.output, durationsMs: host.durationsMs });
    return {
      processor: run(this.processor),
      recorder: run(this.recorder),
      digest: run(this.digest),
      ...(this.events === undefined ? {} : { publisher: run(this.events.publisher) }),
      ...Object.fromEntries(
        [...(this.events?.subscribers ?? new Map<string, BundleHost>())].map(([id, host]) => [id, run(host)]),
      ),
    };
  }

  /** Stops every part this pipeline started. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.allSettled([
      this.processor.stop(),
      this.recorder.stop(),
      this.digest.stop(),
      this.events?.publisher.stop(),
      ...[...(this.events?.subscribers.values() ?? [])].map((h) => h.stop()),
    ]);
    this.events?.poller.stop();
    this.client.destroy();
    if (this.owned.simulator) await this.simulator.stop().catch(() => undefined);
    await this.owned.dynamoDb?.stop();
  }
}

/**
 * Synthesizes the stack as configured in cdk.json, serving the local business number (so the send
 * permission is scoped to it, as it should be in a real deployment).
 */
export function synthesizeLocalAssembly(extraContext: Readonly<Record<string, unknown>> = {}): CloudAssembly {
  const configured = cdkJsonContext()[CONFIG_CONTEXT_KEY];
  const config = typeof configured === 'object' && configured !== null ? { ...configured } : {};
  return synthesizeAssembly(
    LOCAL_ASSEMBLY_DIR,
    { ...config, phoneNumberIds: [LOCAL_BUSINESS.originationPhoneNumberId] },
    { ...extraContext },
  );
}

/** The conversation-event parts of a local pipeline. */
interface LocalEvents {
  readonly publisher: BundleHost;
  readonly poller: StreamPoller;
  /** The stack's rules on the conversation bus. */
  readonly rules: readonly StackRule[];
  /** Subscriber functions, by logical id, started on their first event. */
  readonly subscribers: Map<string, BundleHost>;
  readonly environment: Readonly<Record<string, string>>;
  /** Local values of environment variables that refer to the stack's bus or table. */
  readonly resolve: (references: Readonly<Record<string, string>>) => Record<string, string>;
}

/** The first failed record a stream handler reported, or the first of the batch when it threw. */
function failedSequenceOf(
  result: InvocationResult,
  records: readonly LambdaStreamRecord[],
): string | undefined {
  if (!result.ok) return records[0]?.dynamodb.SequenceNumber;
  const response = z
    .object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) })
    .safeParse(result.result);
  return response.success ? response.data.batchItemFailures[0]?.itemIdentifier : undefined;
}
