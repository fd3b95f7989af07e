import { DescribeTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBusPublisher } from '../../lambda/adapters/event-bus';
import { toItem } from '../../lambda/adapters/items';
import { UndeliveredEvents } from '../../lambda/adapters/undelivered-events';
import { eventsOfChange } from '../../lambda/event-publisher/changes';
import { createEventPublisherHandler } from '../../lambda/event-publisher/process';
import { localClientConfig } from '../../local/aws-env';
import type { SocialMessagingSimulator } from '../../local/socialmessaging-simulator';
import {
  eventRedriveCommand,
  redriveStreamFailures,
  redriveSubscriberQueue,
  redriveUndeliveredEvents,
} from '../../ops/redrive-events';
import { createConversationTable, localDynamoDbClient } from '../support/assembly';
import { webhookErrorItem } from '../support/conversation-events';
import { RecordingLogger, RecordingMetrics } from '../support/recording-observability';
import { startSimulator } from '../support/simulator';

let simulator: SocialMessagingSimulator;
let dynamo: DynamoDBClient;
let sqs: SQSClient;
let events: EventBridgeClient;
let lambda: LambdaClient;
const log: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  dynamo = localDynamoDbClient();
  const config = localClientConfig(simulator.endpoint);
  sqs = new SQSClient(config);
  events = new EventBridgeClient(config);
  lambda = new LambdaClient(config);
});
afterEach(() => {
  simulator.reset();
  log.length = 0;
});
afterAll(async () => {
  for (const client of [sqs, events, lambda, dynamo]) client.destroy();
  await simulator.stop();
});

const queueUrl = () => `${simulator.endpoint}/123456789012/dlq`;
const options = () => ({
  queueUrl: queueUrl(),
  max: 100,
  dryRun: false,
  log: (line: string) => log.push(line),
});

async function enqueue(bodies: unknown[]) {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl(),
      Entries: bodies.map((b, i) => ({
        Id: String(i),
        MessageBody: typeof b === 'string' ? b : JSON.stringify(b),
      })),
    }),
  );
}

describe('redrive of undelivered events', () => {
  test('puts what the publisher kept on the bus, whole, and empties the queue', async () => {
    const [entry] = eventsOfChange({ new: webhookErrorItem('131042') }, 'WhatsAppPipeline');
    if (entry === undefined) throw new Error('no event');
    // Kept exactly as the publisher keeps it.
    await new UndeliveredEvents({ client: sqs, queueUrl: queueUrl() }).keep([
      { entry, errorCode: 'ThrottlingException' },
    ]);
    const report = await redriveUndeliveredEvents({ sqs, events }, { ...options(), eventBusName: 'bus' });
    expect(report).toEqual({ redriven: 1, left: 0 });
    expect(simulator.eventBridge.events).toEqual([
      expect.objectContaining({
        eventBusName: 'bus',
        source: 'whatsapp-pipeline',
        'detail-type': 'Webhook Error',
        detail: entry.detail,
      }),
    ]);
    expect(simulator.sqs.bodies(queueUrl())).toEqual([]);
  });

  test('leaves what the bus refuses again, and what it cannot read', async () => {
    const [entry] = eventsOfChange({ new: webhookErrorItem('1') }, 'p');
    await enqueue([{ detailType: entry?.detailType, detail: entry?.detail, errorCode: 'X' }, 'not json']);
    simulator.eventBridge.failNextEntries(1, { code: 'AccessDeniedException' });
    const report = await redriveUndeliveredEvents({ sqs, events }, { ...options(), eventBusName: 'bus' });
    expect(report).toEqual({ redriven: 0, left: 2 });
    expect(simulator.sqs.queues.get(queueUrl())).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('left in queue'))).toEqual([
      expect.stringContaining('the bus refused it again (AccessDeniedException)'),
      expect.stringContaining('not an undelivered conversation event'),
    ]);
  });

  test('a dry run changes nothing', async () => {
    const [entry] = eventsOfChange({ new: webhookErrorItem('2') }, 'p');
    await enqueue([{ detailType: entry?.detailType, detail: entry?.detail, errorCode: 'X' }]);
    await redriveUndeliveredEvents({ sqs, events }, { ...options(), dryRun: true, eventBusName: 'bus' });
    expect(simulator.eventBridge.events).toEqual([]);
    expect(simulator.sqs.bodies(queueUrl())).toHaveLength(1);
  });
});

describe('redrive of a subscriber dead-letter queue', () => {
  test('invokes the subscriber with each event, from a raw dead letter or a Lambda destination record', async () => {
    const received: unknown[] = [];
    simulator.registerFunction('bot', async (event) => {
      received.push(event);
    });
    const event = {
      id: 'e1',
      source: 'whatsapp-pipeline',
      'detail-type': 'Message Received',
      detail: { a: 1 },
    };
    await enqueue([
      event,
      { requestContext: { condition: 'RetriesExhausted' }, requestPayload: event },
      { source: 'aws.s3' },
    ]);
    const report = await redriveSubscriberQueue({ sqs, lambda }, { ...options(), functionName: 'bot' });
    expect(report).toEqual({ redriven: 2, left: 1 });
    expect(simulator.invocations.map((i) => [i.functionName, i.invocationType])).toEqual([
      ['bot', 'Event'],
      ['bot', 'Event'],
    ]);
    expect(received).toEqual([event, event]);
  });
});

describe('redrive of failed stream batches', () => {
  test("reads the batch's records from the stream and publishes their events through the publisher", async () => {
    const tableName = await createConversationTable(dynamo);
    for (const code of ['1', '2']) {
      await dynamo.send(new PutItemCommand({ TableName: tableName, Item: toItem(webhookErrorItem(code)) }));
    }
    const endpoint = String(process.env.AWS_ENDPOINT_URL_DYNAMODB);
    const streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = String(Table?.LatestStreamArn);
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = String(StreamDescription?.Shards?.[0]?.ShardId);
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records).toHaveLength(2);

    simulator.registerFunction(
      'publisher',
      createEventPublisherHandler({
        bus: new EventBusPublisher({ client: events, eventBusName: 'bus' }),
        undelivered: new UndeliveredEvents({
          client: sqs,
          queueUrl: `${simulator.endpoint}/123456789012/undelivered`,
        }),
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
        pipeline: 'WhatsAppPipeline',
      }),
    );
    // What Lambda writes to the on-failure queue for a stream batch it gave up on.
    await enqueue([
      {
        requestContext: {
          requestId: 'r',
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:publisher',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 11,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: '2026-12-01T10:01:00.000Z',
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: Records[0]?.dynamodb?.SequenceNumber,
          endSequenceNumber: Records[1]?.dynamodb?.SequenceNumber,
          approximateArrivalOfFirstRecord: '2026-12-01T10:00:00Z',
          approximateArrivalOfLastRecord: '2026-12-01T10:00:00Z',
          batchSize: 2,
          streamArn,
        },
      },
    ]);
    const report = await redriveStreamFailures(
      { sqs, lambda, streams },
      { ...options(), functionName: 'publisher' },
    );
    streams.destroy();
    expect(report).toEqual({ redriven: 1, left: 0 });
    expect(simulator.eventBridge.events.map((e) => (e.detail as { code: string }).code)).toEqual(['1', '2']);
  });
});

describe('the command line', () => {
  test('--events without a queue or a stack is a usage error, before any request', async () => {
    await expect(eventRedriveCommand(['--events'], () => undefined)).rejects.toThrow(
      /give --queue-url, or --stack/,
    );
  });

  test('choosing two modes is a usage error', async () => {
    await expect(eventRedriveCommand(['--events', '--subscriber'], () => undefined)).rejects.toThrow(
      /choose one of/,
    );
  });

  test('--events with the queue and bus given redrives through the endpoint', async () => {
    const [entry] = eventsOfChange({ new: webhookErrorItem('9') }, 'p');
    await enqueue([{ detailType: entry?.detailType, detail: entry?.detail, errorCode: 'X' }]);
    const lines: string[] = [];
    const code = await eventRedriveCommand(
      ['--events', '--queue-url', queueUrl(), '--bus', 'bus', '--endpoint', simulator.endpoint],
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('1 redriven, 0 left in the queue');
  });
});
