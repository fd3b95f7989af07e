/**
 * Redrives the failure queues of the conversation events:
 *
 *   npm run redrive -- --events --stack <stack>                     undelivered events → the bus
 *   npm run redrive -- --stream-failures --stack <stack>            failed stream batches → the publisher
 *   npm run redrive -- --subscriber --queue-url <dlq> --function <f> a subscriber's dead letters → it
 *
 * Each SQS message is deleted only once its events were taken (by the bus, or by the function with
 * no failure). Redriving twice is harmless: every event carries its stable `detail.eventId`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvocationType, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { CONVERSATION_EVENT_SOURCE, OUTPUT } from '../contracts';
import { isConversationEventType } from '../events';
import { numberFlag, parseFlags, UsageError } from './cli';
import { endpointClientConfig, regionOfQueueUrl } from './endpoint';
import { drainQueue } from './queue-drain';
import { lambdaStreamRecord } from './stream-records';

/** The clients redrive uses: SDK clients, or stand-ins in tests. */
export interface EventRedriveClients {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly events?: Pick<EventBridgeClient, 'send'>;
  readonly lambda?: Pick<LambdaClient, 'send'>;
  readonly streams?: Pick<DynamoDBStreamsClient, 'send'>;
}

/** What one run did. */
export interface EventRedriveReport {
  readonly redriven: number;
  /** Messages left in the queue: unreadable, refused again, or no longer in the stream. */
  readonly left: number;
}

const undeliveredSchema = z.object({
  detailType: z.string().refine(isConversationEventType, 'not a detail-type of the bus'),
  detail: z.record(z.string(), z.unknown()),
  errorCode: z.string(),
});

const busEventSchema = z.looseObject({
  source: z.literal(CONVERSATION_EVENT_SOURCE),
  'detail-type': z.string(),
});
const destinationSchema = z.looseObject({ requestPayload: busEventSchema });

const streamFailureSchema = z.looseObject({
  DDBStreamBatchInfo: z.looseObject({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    streamArn: z.string(),
  }),
});

interface DrainOptions {
  readonly queueUrl: string;
  readonly max: number;
  readonly dryRun: boolean;
  readonly log: (line: string) => void;
}

/**
 * Drains a queue through `handle`, which returns why a message stays, or nothing when it was taken.
 * A failing call leaves its message in the queue and the redrive goes on with the next.
 */
async function drain(
  sqs: Pick<SQSClient, 'send'>,
  options: DrainOptions,
  handle: (body: string, id: string) => Promise<string | undefined>,
): Promise<EventRedriveReport> {
  const { taken, left } = await drainQueue(sqs, options, async (body, id) => {
    const problem = await handle(body, id).catch((error: unknown) =>
      error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    );
    if (problem === undefined) return 'taken';
    options.log(`left in queue: ${id}: ${problem}`);
    return 'left';
  });
  return { redriven: taken, left };
}

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Puts the events the publisher kept back on the bus. */
export function redriveUndeliveredEvents(
  clients: EventRedriveClients,
  options: DrainOptions & { readonly eventBusName: string },
): Promise<EventRedriveReport> {
  const events = clients.events;
  if (events === undefined) throw new Error('redriving undelivered events needs an EventBridge client');
  return drain(clients.sqs, options, async (body, id) => {
    const parsed = undeliveredSchema.safeParse(json(body));
    if (!parsed.success) return 'not an undelivered conversation event';
    options.log(
      `${options.dryRun ? 'would put' : 'putting'} ${id} (${parsed.data.detailType}, kept after ${parsed.data.errorCode})`,
    );
    if (options.dryRun) return undefined;
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: options.eventBusName,
            Source: CONVERSATION_EVENT_SOURCE,
            DetailType: parsed.data.detailType,
            Detail: JSON.stringify(parsed.data.detail),
          },
        ],
      }),
    );
    const code = result.Entries?.[0]?.ErrorCode;
    return code === undefined && (result.FailedEntryCount ?? 0) === 0
      ? undefined
      : `the bus refused it again (${code})`;
  });
}

/** Invokes a subscriber again with the events of its dead-letter queue (raw events, or Lambda destination records). */
export function redriveSubscriberQueue(
  clients: EventRedriveClients,
  options: DrainOptions & { readonly functionName: string },
): Promise<EventRedriveReport> {
  const lambda = clients.lambda;
  if (lambda === undefined) throw new Error('redriving a subscriber needs a Lambda client');
  return drain(clients.sqs, options, async (body, id) => {
    const value = json(body);
    const raw = busEventSchema.safeParse(value);
    const record = destinationSchema.safeParse(value);
    const event = raw.success ? raw.data : record.success ? record.data.requestPayload : undefined;
    if (event === undefined) return 'neither a conversation event nor a Lambda destination record of one';
    options.log(`${options.dryRun ? 'would redrive' : 'redriving'} ${id} (${event['detail-type']})`);
    if (options.dryRun) return undefined;
    await lambda.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: InvocationType.Event,
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    return undefined;
  });
}

/**
 * Publishes failed stream batches again: reads each batch's records from the stream (they stay 24
 * hours) and invokes the publisher with them, as the event source mapping would.
 */
export function redriveStreamFailures(
  clients: EventRedriveClients,
  options: DrainOptions & { readonly functionName: string },
): Promise<EventRedriveReport> {
  const { lambda, streams } = clients;
  if (lambda === undefined || streams === undefined) {
    throw new Error('redriving stream failures needs Lambda and DynamoDB Streams clients');
  }
  return drain(clients.sqs, options, async (body, id) => {
    const parsed = streamFailureSchema.safeParse(json(body));
    if (!parsed.success) return 'not a stream on-failure record';
    const batch = parsed.data.DDBStreamBatchInfo;
    const records = await readRange(streams, batch);
    if (records.length === 0) return 'its records are no longer in the stream (older than 24 hours)';
    options.log(
      `${options.dryRun ? 'would republish' : 'republishing'} ${id} (${records.length} records of ${batch.shardId})`,
    );
    if (options.dryRun) return undefined;
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: InvocationType.RequestResponse,
        Payload: Buffer.from(
          JSON.stringify({ Records: records.map((r) => lambdaStreamRecord(r, batch.streamArn)) }),
        ),
      }),
    );
    if (result.FunctionError !== undefined) return `the publisher failed again (${result.FunctionError})`;
    const answer = z
      .object({ batchItemFailures: z.array(z.unknown()) })
      .safeParse(json(Buffer.from(result.Payload ?? new Uint8Array()).toString()));
    return answer.success && answer.data.batchItemFailures.length > 0
      ? 'the publisher reported failures again'
      : undefined;
  });
}

async function readRange(
  streams: Pick<DynamoDBStreamsClient, 'send'>,
  batch: z.infer<typeof streamFailureSchema>['DDBStreamBatchInfo'],
): Promise<StreamRecord[]> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: batch.startSequenceNumber,
    }),
  );
  const end = BigInt(batch.endSequenceNumber);
  const records: StreamRecord[] = [];
  let iterator = ShardIterator;
  while (iterator !== undefined) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    const inRange = (page.Records ?? []).filter((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0') <= end);
    records.push(...inRange);
    if ((page.Records ?? []).length === 0 || inRange.length < (page.Records ?? []).length) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

export const EVENT_REDRIVE_USAGE = `usage:
  npm run redrive -- --events (--stack <name> | --queue-url <url> --bus <name>) [--max 100] [--dry-run]
  npm run redrive -- --stream-failures (--stack <name> | --queue-url <url> --function <publisher>) [--max 100] [--dry-run]
  npm run redrive -- --subscriber --queue-url <dlq> --function <subscriber> [--max 100] [--dry-run]
  [--endpoint <url>]: a local stand-in for SQS, EventBridge, Lambda, DynamoDB Streams and CloudFormation`;

/** Whether a command line asks for an event redrive. */
export function isEventRedrive(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--events' || a === '--stream-failures' || a === '--subscriber');
}

/**
 * Runs an event redrive for command-line arguments; returns the exit code.
 *
 * @throws UsageError for a bad command line, before any request
 */
export async function eventRedriveCommand(
  argv: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const { values } = parseFlags(argv, {
    events: { type: 'boolean', default: false },
    'stream-failures': { type: 'boolean', default: false },
    subscriber: { type: 'boolean', default: false },
    stack: { type: 'string' },
    'queue-url': { type: 'string' },
    bus: { type: 'string' },
    function: { type: 'string' },
    max: { type: 'string', default: '100' },
    'dry-run': { type: 'boolean', default: false },
    endpoint: { type: 'string' },
  });
  const modes = [values.events, values['stream-failures'], values.subscriber].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('choose one of --events, --stream-failures and --subscriber');
  if (values.subscriber && values.stack !== undefined) {
    throw new UsageError('--subscriber takes --queue-url and --function: each subscriber has its own queue');
  }
  const max = numberFlag('max', values.max, { min: 1, max: 10_000, integer: true }) ?? 100;
  const local = values.endpoint === undefined ? undefined : endpointClientConfig(values.endpoint);
  const outputs =
    values.stack === undefined ? new Map<string, string>() : await stackOutputs(local ?? {}, values.stack);
  const need = (flag: string | undefined, output: string, name: string): string => {
    const value = flag ?? outputs.get(output);
    if (value === undefined) {
      throw new UsageError(
        values.stack === undefined
          ? `give --${name}, or --stack`
          : `Stack ${values.stack} has no ${output} output: deploy this version first`,
      );
    }
    return value;
  };
  const common = { max, dryRun: values['dry-run'], log: print };
  let report: EventRedriveReport;
  if (values.events) {
    const queueUrl = need(values['queue-url'], OUTPUT.undeliveredEventsQueueUrl, 'queue-url');
    const config = clientConfig(local, queueUrl);
    report = await redriveUndeliveredEvents(
      { sqs: new SQSClient(config), events: new EventBridgeClient(config) },
      { ...common, queueUrl, eventBusName: need(values.bus, OUTPUT.eventBusName, 'bus') },
    );
  } else if (values['stream-failures']) {
    const queueUrl = need(values['queue-url'], OUTPUT.streamFailureQueueUrl, 'queue-url');
    const config = clientConfig(local, queueUrl);
    report = await redriveStreamFailures(
      {
        sqs: new SQSClient(config),
        lambda: new LambdaClient(config),
        streams: new DynamoDBStreamsClient(config),
      },
      {
        ...common,
        queueUrl,
        functionName: need(values.function, OUTPUT.eventPublisherFunctionName, 'function'),
      },
    );
  } else {
    const queueUrl = need(values['queue-url'], '', 'queue-url');
    const config = clientConfig(local, queueUrl);
    report = await redriveSubscriberQueue(
      { sqs: new SQSClient(config), lambda: new LambdaClient(config) },
      { ...common, queueUrl, functionName: need(values.function, '', 'function') },
    );
  }
  print(`${report.redriven} redriven, ${report.left} left in the queue`);
  return report.left === 0 ? 0 : 1;
}

function clientConfig(local: ReturnType<typeof endpointClientConfig> | undefined, queueUrl: string) {
  if (local !== undefined) return local;
  const region = regionOfQueueUrl(queueUrl);
  return region === undefined ? {} : { region };
}

async function stackOutputs(config: object, stackName: string): Promise<Map<string, string>> {
  const { Stacks = [] } = await new CloudFormationClient(config).send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  return new Map(
    (Stacks[0]?.Outputs ?? []).flatMap((o) =>
      o.OutputKey === undefined || o.OutputValue === undefined ? [] : [[o.OutputKey, o.OutputValue]],
    ),
  );
}
