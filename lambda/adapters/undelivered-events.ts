import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { UndeliveredEvent } from './event-bus';

/** Most messages one SendMessageBatch takes. */
const SEND_BATCH_MAX = 10;

/** What the undelivered-events queue holds per event: enough to put it on the bus again. */
export interface UndeliveredEventMessage {
  readonly detailType: string;
  readonly detail: unknown;
  readonly errorCode: string;
  readonly errorMessage?: string;
  /** When the publisher gave it up (ISO). */
  readonly keptAt: string;
}

/** A keep that SQS did not take in full; the publisher fails the batch so the stream retries it. */
export class KeepFailedError extends Error {
  public override readonly name = 'KeepFailedError';
}

/**
 * Keeps events the bus would not take in the undelivered-events queue, whole, for an operator to
 * redrive (`npm run redrive -- --events`). The last stop of the publishing path.
 */
export class UndeliveredEvents {
  constructor(private readonly options: { client: SQSClient; queueUrl: string; clock?: () => Date }) {}

  /** @throws KeepFailedError when SQS refused any of them */
  async keep(events: readonly UndeliveredEvent[]): Promise<void> {
    const keptAt = (this.options.clock?.() ?? new Date()).toISOString();
    for (let start = 0; start < events.length; start += SEND_BATCH_MAX) {
      const chunk = events.slice(start, start + SEND_BATCH_MAX);
      const result = await this.options.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((event, i) => {
            const body: UndeliveredEventMessage = {
              detailType: event.entry.detailType,
              detail: event.entry.detail,
              errorCode: event.errorCode,
              errorMessage: event.errorMessage,
              keptAt,
            };
            return { Id: String(i), MessageBody: JSON.stringify(body) };
          }),
        }),
      );
      const refused = result.Failed ?? [];
      if (refused.length > 0) {
        throw new KeepFailedError(
          `SQS refused ${refused.length} of ${chunk.length} undelivered events: ${refused[0]?.Code ?? 'unknown'}`,
        );
      }
    }
  }
}
