import { createHash, randomUUID } from 'node:crypto';
import { jsonError as error, fieldOf, type JsonAnswer, parseJson as parse } from './eventbridge-api';

/**
 * The SQS calls of the publisher and the redrive tool (awsJson1_0, `AmazonSQS.*`): SendMessageBatch,
 * ReceiveMessage and DeleteMessage, on queues that exist as soon as they are named. Answers carry
 * the MD5 digests the SDK checks.
 */
export class SqsApi {
  /** Messages of each queue URL, oldest first. */
  public readonly queues = new Map<string, { id: string; receiptHandle: string; body: string }[]>();
  private failSends = 0;

  /** Refuses the next `count` SendMessageBatch calls (500). */
  failNextSends(count: number): void {
    this.failSends += count;
  }

  /** The bodies of a queue's messages, parsed. */
  bodies(queueUrl: string): unknown[] {
    return (this.queues.get(queueUrl) ?? []).map((m) => JSON.parse(m.body));
  }

  reset(): void {
    this.queues.clear();
    this.failSends = 0;
  }

  handle(target: string, body: string): JsonAnswer {
    const input = parse(body);
    const queueUrl = fieldOf(input, 'QueueUrl');
    if (typeof queueUrl !== 'string') return error(400, 'MissingParameter', 'QueueUrl is required');
    const queue = this.queues.get(queueUrl) ?? [];
    this.queues.set(queueUrl, queue);
    switch (target) {
      case 'AmazonSQS.SendMessageBatch': {
        if (this.failSends > 0) {
          this.failSends--;
          return error(500, 'InternalError', 'The simulator failed this call');
        }
        const entries = fieldOf(input, 'Entries');
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
          return error(
            400,
            'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
            'Entries must hold 1 to 10',
          );
        }
        const successful = entries.map((entry: unknown) => {
          const messageBody = String(fieldOf(entry, 'MessageBody'));
          const message = { id: randomUUID(), receiptHandle: randomUUID(), body: messageBody };
          queue.push(message);
          return {
            Id: String(fieldOf(entry, 'Id')),
            MessageId: message.id,
            MD5OfMessageBody: md5(messageBody),
          };
        });
        return { status: 200, body: { Successful: successful, Failed: [] } };
      }
      case 'AmazonSQS.ReceiveMessage': {
        const max = Number(fieldOf(input, 'MaxNumberOfMessages') ?? 1);
        const messages = queue.slice(0, max).map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receiptHandle,
          Body: m.body,
          MD5OfBody: md5(m.body),
        }));
        return { status: 200, body: messages.length === 0 ? {} : { Messages: messages } };
      }
      case 'AmazonSQS.DeleteMessage': {
        const handle = fieldOf(input, 'ReceiptHandle');
        const index = queue.findIndex((m) => m.receiptHandle === handle);
        if (index >= 0) queue.splice(index, 1);
        return { status: 200, body: {} };
      }
      default:
        return error(400, 'UnsupportedOperation', `The simulator does not implement ${target}`);
    }
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
