import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { createInboundHandler } from '../../lambda/inbound-processor/process';
import { ConversationReader } from '../../ops/conversation-reader';
import { redrive, redriveItemFromBody } from '../../ops/redrive';
import { fixtureEvent, fixtureMessage } from '../fixtures';
import { createConversationTable, localDynamoDbClient } from '../support/assembly';
import { testPseudonyms } from '../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../support/recording-observability';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-InboundTopic';

/** A Lambda on-failure destination record, as Lambda writes it to the failure queue. */
function destinationRecord(event: unknown): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-01-01T00:10:00.000Z',
    requestContext: {
      requestId: 'c0e7c1a2-5b7e-4b0e-9a35-2c1f8e0d4f11',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:WhatsAppPipeline-Processor:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'ProcessingError',
      errorMessage: '1 of 1 items could not be stored',
      trace: [],
    },
  });
}

/** An SNS notification, as SNS writes it to a subscription dead-letter queue. */
function deadLetter(message: string, messageId: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: '2026-01-01T00:00:01.500Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

/** An in-memory SQS queue and Lambda that invokes a handler, behind the SDK clients' `send`. */
function fakes(bodies: string[], handler: (event: unknown) => Promise<void>) {
  const queue = bodies.map((Body, i) => ({ MessageId: `sqs-${i}`, ReceiptHandle: `rh-${i}`, Body }));
  const deleted: string[] = [];
  const invocations: unknown[] = [];
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        return {
          Messages: queue
            .filter((m) => !deleted.includes(m.ReceiptHandle))
            .slice(0, command.input.MaxNumberOfMessages),
        };
      }
      if (command instanceof DeleteMessageCommand) {
        deleted.push(String(command.input.ReceiptHandle));
        return {};
      }
      throw new Error('unexpected SQS command');
    },
  } as unknown as Pick<SQSClient, 'send'>;
  const lambda = {
    send: async (command: unknown) => {
      if (!(command instanceof InvokeCommand)) throw new Error('unexpected Lambda command');
      expect(command.input.InvocationType).toBe('Event');
      const payload = command.input.Payload;
      if (!(payload instanceof Uint8Array)) throw new Error('expected a byte payload');
      const event: unknown = JSON.parse(Buffer.from(payload).toString());
      invocations.push(event);
      await handler(event);
      return { StatusCode: 202 };
    },
  } as unknown as Pick<LambdaClient, 'send'>;
  return { sqs, lambda, deleted, invocations };
}

describe('redriveItemFromBody', () => {
  test('a Lambda destination record gives back the original SNS event and why it failed', () => {
    const event = fixtureEvent('message-text', 'sns-original');
    const item = redriveItemFromBody(destinationRecord(event), 'sqs-1');
    expect(item).toEqual({
      event,
      source: 'lambda-on-failure',
      failure: 'RetriesExhausted: ProcessingError: 1 of 1 items could not be stored',
    });
  });

  test('an SNS dead letter becomes the SNS event Lambda would have received, keeping the SNS MessageId', () => {
    const item = redriveItemFromBody(deadLetter(fixtureMessage('message-text'), 'sns-dead'), 'sqs-1');
    expect(item.source).toBe('sns-dead-letter');
    expect(item.event.Records[0]?.Sns).toMatchObject({
      MessageId: 'sns-dead',
      TopicArn: TOPIC_ARN,
      Message: fixtureMessage('message-text'),
    });
  });

  test('a raw dead letter (the envelope itself) is wrapped as an SNS event', () => {
    const item = redriveItemFromBody(fixtureMessage('message-text'), 'sqs-raw', TOPIC_ARN);
    expect(item.event.Records[0]?.Sns).toMatchObject({
      MessageId: 'sqs-raw',
      Message: fixtureMessage('message-text'),
    });
  });

  test.each(['not json', '[1,2]', '{"requestPayload":{"nope":true}}', '{"hello":"world"}'])(
    'rejects %s',
    (body) => {
      expect(() => redriveItemFromBody(body, 'sqs-x')).toThrow(
        'SQS message sqs-x is neither a Lambda destination record nor an SNS message',
      );
    },
  );
});

describe('redrive', () => {
  async function processor() {
    const client = localDynamoDbClient();
    const tableName = await createConversationTable(client);
    const store = new ConversationStore({ client, tableName, retentionDays: 30 });
    const handler = createInboundHandler({
      pseudonyms: testPseudonyms,
      store,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    return { handler, reader: new ConversationReader(client, tableName), client };
  }

  test('moves both kinds of failures into the processor, which records them, and empties the queue', async () => {
    const { handler, reader, client } = await processor();
    const f = fakes(
      [
        destinationRecord(fixtureEvent('message-text', 'sns-a')),
        deadLetter(fixtureMessage('message-image'), 'sns-b'),
      ],
      handler,
    );
    const report = await redrive(f, { queueUrl: 'q', functionName: 'fn' });
    expect(report).toEqual({ redriven: 2, unreadable: 0 });
    expect(f.deleted).toEqual(['rh-0', 'rh-1']);
    expect(
      (await reader.getMessage('wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0001'))?.type,
    ).toBe('text');
    expect(
      (await reader.getMessage('wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0002'))?.type,
    ).toBe('image');
    client.destroy();
  });

  test('leaves an unreadable message in the queue and goes on with the rest', async () => {
    const { handler, client } = await processor();
    const f = fakes(['garbage', deadLetter(fixtureMessage('message-text'), 'sns-c')], handler);
    const lines: string[] = [];
    const report = await redrive(f, { queueUrl: 'q', functionName: 'fn', log: (l) => lines.push(l) });
    expect(report).toEqual({ redriven: 1, unreadable: 1 });
    expect(f.deleted).toEqual(['rh-1']);
    expect(lines[0]).toContain('left in queue: SQS message sqs-0 is neither');
    client.destroy();
  });

  test('a dry run invokes and deletes nothing', async () => {
    const f = fakes([destinationRecord(fixtureEvent('message-text'))], async () => undefined);
    const report = await redrive(f, { queueUrl: 'q', functionName: 'fn', dryRun: true });
    expect(report).toEqual({ redriven: 1, unreadable: 0 });
    expect(f.invocations).toEqual([]);
    expect(f.deleted).toEqual([]);
  });

  test('redriving the same failure twice records it once', async () => {
    const { handler, reader, client } = await processor();
    const body = destinationRecord(fixtureEvent('message-text', 'sns-twice'));
    await redrive(fakes([body], handler), { queueUrl: 'q', functionName: 'fn' });
    await redrive(fakes([body], handler), { queueUrl: 'q', functionName: 'fn' });
    expect((await reader.getConversation('574086085794038', 'US.13491208655302741918'))?.inboundCount).toBe(
      1,
    );
    client.destroy();
  });
});
