import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** What a visit decided for one message: taken (deleted unless a dry run) or left in the queue. */
export type Visit = 'taken' | 'left';

/**
 * Receives up to `max` messages of a queue, each once, and hands each to `visit`; a message it takes
 * is deleted afterwards (not in a dry run), one it leaves becomes visible again after the visibility
 * timeout. An error of `visit` stops the drain. The loop of every redrive.
 */
export async function drainQueue(
  sqs: Pick<SQSClient, 'send'>,
  options: { readonly queueUrl: string; readonly max: number; readonly dryRun: boolean },
  visit: (body: string, id: string) => Promise<Visit>,
): Promise<{ taken: number; left: number }> {
  let taken = 0;
  let left = 0;
  const seen = new Set<string>();
  while (taken + left < options.max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.max - taken - left),
        WaitTimeSeconds: 1,
        // Long enough to invoke and delete; a message we leave becomes visible again afterwards.
        VisibilityTimeout: 60,
      }),
    );
    const fresh = Messages.filter((m: Message) => m.MessageId !== undefined && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const id = message.MessageId ?? 'unknown';
      seen.add(id);
      if ((await visit(message.Body ?? '', id)) === 'left') {
        left++;
        continue;
      }
      if (!options.dryRun) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      taken++;
    }
  }
  return { taken, left };
}
