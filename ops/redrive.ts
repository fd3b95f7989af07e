/**
 * Redrives the pipeline's failure queues into the inbound processor.
 *
 *   npm run redrive -- --queue-url <url> --function <name or ARN> [--max 100] [--dry-run]
 *   npm run redrive -- --stack <stack name> [--queue <failure | subscription>] [--max 100] [--dry-run]
 *
 * Works for both queues: the on-failure queue holds Lambda destination records (the original SNS
 * event is their `requestPayload`); the subscription dead-letter queue holds SNS notifications. Each
 * is turned back into the SNS event the function expects and invoked asynchronously, so a failure
 * again goes through Lambda's retries and back to the on-failure queue; the SQS message is deleted
 * only once the invocation was accepted. Redriving is safe to repeat: the processor is idempotent.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvocationType, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { OUTPUT } from '../contracts';
import { numberFlag, parseFlags, UsageError } from './cli';
import { endpointClientConfig, regionOfQueueUrl } from './endpoint';
import { drainQueue } from './queue-drain';
import { EVENT_REDRIVE_USAGE, eventRedriveCommand, isEventRedrive } from './redrive-events';
import { snsEventOf } from './sns-event';

const snsEventSchema = z.looseObject({
  Records: z
    .array(z.looseObject({ Sns: z.looseObject({ MessageId: z.string(), Message: z.string() }) }))
    .min(1),
});
const destinationRecordSchema = z.looseObject({
  requestContext: z.looseObject({
    condition: z.string().optional(),
    approximateInvokeCount: z.number().optional(),
  }),
  requestPayload: snsEventSchema,
  responsePayload: z
    .looseObject({ errorType: z.string().optional(), errorMessage: z.string().optional() })
    .nullish(),
});
const snsNotificationSchema = z.looseObject({
  Type: z.literal('Notification'),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  Subject: z.string().nullish(),
  Timestamp: z.string(),
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
  MessageAttributes: z.record(z.string(), z.looseObject({ Type: z.string(), Value: z.string() })).optional(),
});

/** A failure-queue message turned back into the event the processor takes. */
export interface RedriveItem {
  readonly event: SNSEvent | z.infer<typeof snsEventSchema>;
  /** Which kind of failure it was. */
  readonly source: 'lambda-on-failure' | 'sns-dead-letter';
  /** Why it failed, when the record says. */
  readonly failure?: string;
}

/**
 * Reads a message body of either failure queue.
 *
 * @throws Error when the body is neither a Lambda destination record nor an SNS message
 */
export function redriveItemFromBody(body: string, sqsMessageId: string, topicArn = 'unknown'): RedriveItem {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const record = destinationRecordSchema.safeParse(json);
  if (record.success) {
    const { responsePayload, requestContext } = record.data;
    return {
      event: record.data.requestPayload,
      source: 'lambda-on-failure',
      failure: [requestContext.condition, responsePayload?.errorType, responsePayload?.errorMessage]
        .filter(Boolean)
        .join(': '),
    };
  }
  const notification = snsNotificationSchema.safeParse(json);
  if (notification.success) {
    const n = notification.data;
    return {
      event: snsEventOf(n.Message, n.MessageId, {
        topicArn: n.TopicArn,
        timestamp: n.Timestamp,
        subject: n.Subject,
      }),
      source: 'sns-dead-letter',
    };
  }
  const looksLikeEnvelope =
    typeof json === 'object' &&
    json !== null &&
    ('whatsAppWebhookEntry' in json || 'whatsappWebhookEntry' in json);
  if (looksLikeEnvelope) {
    // With raw delivery the dead letter is the published message itself (the envelope).
    return {
      event: snsEventOf(body, sqsMessageId, { topicArn }),
      source: 'sns-dead-letter',
    };
  }
  throw new Error(`SQS message ${sqsMessageId} is neither a Lambda destination record nor an SNS message`);
}

/** The clients the redrive uses; any SDK v3 client (or a test double) fits. */
export interface RedriveClients {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
}

/** Options of {@link redrive}. */
export interface RedriveOptions {
  readonly queueUrl: string;
  readonly functionName: string;
  /** Stop after this many messages. @default 100 */
  readonly max?: number;
  /** Only read and report; invoke and delete nothing. @default false */
  readonly dryRun?: boolean;
  /** Topic ARN to put on events rebuilt from raw dead letters. @default 'unknown' */
  readonly topicArn?: string;
  readonly log?: (line: string) => void;
}

/** What a redrive did. */
export interface RedriveReport {
  readonly redriven: number;
  /** Messages left in the queue because they could not be read (see the log). */
  readonly unreadable: number;
}

/** Moves messages from a failure queue back into the processor, one by one. */
export async function redrive(clients: RedriveClients, options: RedriveOptions): Promise<RedriveReport> {
  const log = options.log ?? (() => undefined);
  const dryRun = options.dryRun ?? false;
  const { taken, left } = await drainQueue(
    clients.sqs,
    { queueUrl: options.queueUrl, max: options.max ?? 100, dryRun },
    async (body, id) => {
      let item: RedriveItem;
      try {
        item = redriveItemFromBody(body, id, options.topicArn);
      } catch (error) {
        log(`left in queue: ${error instanceof Error ? error.message : String(error)}`);
        return 'left';
      }
      const snsIds = item.event.Records.map((r) => r.Sns.MessageId).join(',');
      log(
        `${dryRun ? 'would redrive' : 'redriving'} ${id} (${item.source}, SNS ${snsIds})${item.failure ? ` after: ${item.failure}` : ''}`,
      );
      if (dryRun) return 'taken';
      await clients.lambda.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: InvocationType.Event,
          Payload: Buffer.from(JSON.stringify(item.event)),
        }),
      );
      return 'taken';
    },
  );
  return { redriven: taken, unreadable: left };
}

export const REDRIVE_USAGE = `usage: npm run redrive -- (--queue-url <url> --function <name or ARN> | --stack <name> [--queue failure|subscription]) [--max 100] [--dry-run] [--endpoint <url>]

  --queue-url, --function  the queue to drain and the processor to invoke
  --stack                  take both from the stack's outputs (FailureQueueUrl or
                           SubscriptionDeadLetterQueueUrl, and ProcessorFunctionName)
  --max                    at most this many messages (1 to 10000)
  --dry-run                show what would be redriven, change nothing
  --endpoint               a local stand-in for SQS, Lambda and CloudFormation
The region is taken from the queue URL.

${EVENT_REDRIVE_USAGE}`;

export { regionOfQueueUrl };

/** What redrive works on, from the flags or the stack's outputs. */
export interface RedriveTarget {
  readonly queueUrl: string;
  readonly functionName: string;
}

/** Reads the queue and the function from a stack's outputs. */
export async function targetFromStack(
  client: CloudFormationClient,
  stackName: string,
  queue: 'failure' | 'subscription',
): Promise<RedriveTarget> {
  const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const queueUrl = outputs.get(
    queue === 'failure' ? OUTPUT.failureQueueUrl : OUTPUT.subscriptionDeadLetterQueueUrl,
  );
  const functionName = outputs.get(OUTPUT.processorFunctionName);
  if (queueUrl === undefined || functionName === undefined) {
    throw new UsageError(
      `Stack ${stackName} has no ${queue} queue or processor output: deploy this version first`,
    );
  }
  return { queueUrl, functionName };
}

/**
 * Runs redrive for command-line arguments; returns the exit code.
 *
 * @throws UsageError for a bad command line, before any request
 */
export async function redriveCommand(
  argv: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  if (isEventRedrive(argv)) return eventRedriveCommand(argv, print);
  const { values } = parseFlags(argv, {
    'queue-url': { type: 'string' },
    function: { type: 'string' },
    stack: { type: 'string' },
    queue: { type: 'string', default: 'failure' },
    'topic-arn': { type: 'string' },
    max: { type: 'string', default: '100' },
    'dry-run': { type: 'boolean', default: false },
    endpoint: { type: 'string' },
  });
  const max = numberFlag('max', values.max, { min: 1, max: 10_000, integer: true }) ?? 100;
  const queue = values.queue;
  if (queue !== 'failure' && queue !== 'subscription') {
    throw new UsageError(`--queue must be "failure" or "subscription", got "${queue}"`);
  }
  const byFlags = values['queue-url'] !== undefined || values.function !== undefined;
  if (values.stack !== undefined && byFlags)
    throw new UsageError('give --stack, or --queue-url and --function, not both');
  if (values.stack === undefined && (values['queue-url'] === undefined || values.function === undefined)) {
    throw new UsageError('give --queue-url and --function, or --stack');
  }
  const local = values.endpoint === undefined ? undefined : endpointClientConfig(values.endpoint);
  const target =
    values.stack === undefined
      ? { queueUrl: String(values['queue-url']), functionName: String(values.function) }
      : await targetFromStack(new CloudFormationClient(local ?? {}), values.stack, queue);
  const region = local?.region ?? regionOfQueueUrl(target.queueUrl);
  const config = local ?? (region === undefined ? {} : { region });
  const report = await redrive(
    { sqs: new SQSClient(config), lambda: new LambdaClient(config) },
    { ...target, topicArn: values['topic-arn'], max, dryRun: values['dry-run'], log: print },
  );
  print(`${report.redriven} redriven, ${report.unreadable} left in the queue as unreadable`);
  return 0;
}
