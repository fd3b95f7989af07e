import {
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { CONVERSATION_EVENT_SOURCE, PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from '../../contracts';
import type { ConversationEventEntry } from '../../events/schemas';
import { classifyCallError, type RetryOptions } from '../shared/retry';

/** The one call the publisher makes: an EventBridgeClient, or a stand-in in tests. */
export interface PutEventsClient {
  send(command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutEventsCommandOutput>;
}

/** Options of an {@link EventBusPublisher}. */
export interface EventBusPublisherOptions
  extends Pick<RetryOptions, 'baseBackoffMs' | 'maxBackoffMs' | 'clock' | 'sleep' | 'random'> {
  /** A client whose own retries are off (`maxAttempts: 1`): the publisher retries failed entries only. */
  readonly client: PutEventsClient;
  readonly eventBusName: string;
  /** Requests per batch before its failed entries are given up. @default 5 */
  readonly maxAttempts?: number;
}

/** An event the bus did not take, with the bus's reason. */
export interface UndeliveredEvent {
  readonly entry: ConversationEventEntry;
  readonly errorCode: string;
  readonly errorMessage?: string;
}

/** What publishing did. */
export interface PublishOutcome {
  readonly published: number;
  /** PutEvents requests made. */
  readonly requests: number;
  /** Entries sent again after the bus refused them. */
  readonly retried: number;
  /** Events still refused after every retry, or refused for good. */
  readonly undelivered: readonly UndeliveredEvent[];
}

/** Entry error codes worth another request; every other code is final (a malformed or refused entry). */
const RETRYABLE_ENTRY_ERRORS = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

/**
 * Puts conversation events on the bus: in requests of at most 10 entries and 256 KB, in order,
 * retrying only the entries the bus refused for a transient reason (or the whole request after a
 * transient failure of the call), with exponential backoff and full jitter, within a deadline.
 * PutEvents is not idempotent, so a retried entry may arrive twice; every event carries its
 * stable `eventId` for consumers to dedupe.
 */
export class EventBusPublisher {
  private readonly maxAttempts: number;

  constructor(private readonly options: EventBusPublisherOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async publish(events: readonly ConversationEventEntry[], deadline: number): Promise<PublishOutcome> {
    let published = 0;
    let requests = 0;
    let retried = 0;
    const undelivered: UndeliveredEvent[] = [];
    const { batches, oversized } = batchesOf(
      events.map((event) => this.entryOf(event)),
      events,
    );
    for (const event of oversized) {
      undelivered.push({ entry: event, errorCode: 'EntryTooLarge', errorMessage: 'Over 256 KB' });
    }
    for (const batch of batches) {
      const outcome = await this.publishBatch(batch, deadline);
      published += outcome.published;
      requests += outcome.requests;
      retried += outcome.retried;
      undelivered.push(...outcome.undelivered);
    }
    return { published, requests, retried, undelivered };
  }

  private async publishBatch(batch: readonly Pending[], deadline: number): Promise<PublishOutcome> {
    const clock = this.options.clock ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.options.random ?? Math.random;
    let pending = batch;
    let published = 0;
    let retried = 0;
    const undelivered: UndeliveredEvent[] = [];
    let requests = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      requests++;
      let failed: { item: Pending; code: string; message?: string }[];
      try {
        const result = await this.options.client.send(
          new PutEventsCommand({ Entries: pending.map((p) => p.request) }),
          { abortSignal: AbortSignal.timeout(Math.max(1, Math.min(5000, deadline - clock()))) },
        );
        const entries = result.Entries ?? [];
        failed = pending.flatMap((item, i) => {
          const code = entries[i]?.ErrorCode;
          // No result entry for a request entry would mean the bus did not take it.
          if (entries[i] === undefined) return [{ item, code: 'MissingResultEntry' }];
          return code === undefined ? [] : [{ item, code, message: entries[i]?.ErrorMessage }];
        });
      } catch (error) {
        const { kind } = classifyCallError(error);
        const code = error instanceof Error ? error.name : 'UnknownError';
        const message = error instanceof Error ? error.message : undefined;
        // A transient failure of the whole call is retried like a refusal of every entry.
        failed = pending.map((item) => ({
          item,
          code: kind === 'transient' ? 'InternalFailure' : code,
          message,
        }));
        if (kind === 'permanent') {
          undelivered.push(
            ...failed.map((f) => ({ entry: f.item.event, errorCode: code, errorMessage: message })),
          );
          return { published, requests, retried, undelivered };
        }
      }
      published += pending.length - failed.length;
      const retryable = failed.filter((f) => RETRYABLE_ENTRY_ERRORS.has(f.code));
      for (const f of failed.filter((x) => !RETRYABLE_ENTRY_ERRORS.has(x.code))) {
        undelivered.push({ entry: f.item.event, errorCode: f.code, errorMessage: f.message });
      }
      const backoff =
        random() *
        Math.min(this.options.maxBackoffMs ?? 2000, (this.options.baseBackoffMs ?? 100) * 2 ** (attempt - 1));
      if (retryable.length === 0) break;
      if (attempt >= this.maxAttempts || clock() + backoff >= deadline) {
        undelivered.push(
          ...retryable.map((f) => ({ entry: f.item.event, errorCode: f.code, errorMessage: f.message })),
        );
        break;
      }
      retried += retryable.length;
      pending = retryable.map((f) => f.item);
      await sleep(backoff);
    }
    return { published, requests, retried, undelivered };
  }

  private entryOf(event: ConversationEventEntry): PutEventsRequestEntry {
    return {
      EventBusName: this.options.eventBusName,
      Source: CONVERSATION_EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    };
  }
}

interface Pending {
  readonly event: ConversationEventEntry;
  readonly request: PutEventsRequestEntry;
  readonly bytes: number;
}

/** The size PutEvents counts for an entry (docs: "Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Groups entries, in order, into requests within PutEvents' limits; an entry over them alone is set apart. */
export function batchesOf(
  requests: readonly PutEventsRequestEntry[],
  events: readonly ConversationEventEntry[],
): { batches: Pending[][]; oversized: ConversationEventEntry[] } {
  const batches: Pending[][] = [];
  const oversized: ConversationEventEntry[] = [];
  let current: Pending[] = [];
  let size = 0;
  requests.forEach((request, i) => {
    const event = events[i];
    if (event === undefined) return;
    const bytes = entrySize(request);
    if (bytes > PUT_EVENTS_MAX_BYTES) {
      oversized.push(event);
      return;
    }
    if (current.length === PUT_EVENTS_MAX_ENTRIES || size + bytes > PUT_EVENTS_MAX_BYTES) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ event, request, bytes });
    size += bytes;
  });
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
