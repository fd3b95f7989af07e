import type { Context } from 'aws-lambda';
import { DIMENSION, METRIC } from '../../contracts';
import type { ConversationEventEntry } from '../../events/schemas';
import type { EventBusPublisher } from '../adapters/event-bus';
import { ItemDecodeError } from '../adapters/items';
import { parseStreamEvent, type StreamChange, StreamImageError } from '../adapters/stream-records';
import type { UndeliveredEvents } from '../adapters/undelivered-events';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError } from '../shared/privacy';
import { eventsOfChange, UnmappableChangeError } from './changes';

/** What the publisher needs from the outside world. */
export interface EventPublisherDeps {
  readonly bus: Pick<EventBusPublisher, 'publish'>;
  readonly undelivered: Pick<UndeliveredEvents, 'keep'>;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /** The pipeline's name, carried by every event. */
  readonly pipeline: string;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => number;
}

/** The answer Lambda takes from a stream handler with `ReportBatchItemFailures`. */
export interface StreamBatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** Time kept back from the budget to keep undelivered events after the last PutEvents. */
const KEEP_RESERVE_MS = 3000;
const DEFAULT_BUDGET_MS = 30_000;

/**
 * Builds the stream handler: every committed change of the conversation table becomes its events
 * (see changes.ts), published in stream order. Events the bus refuses are retried entry by entry;
 * those still refused are kept whole in the undelivered-events queue, so none is dropped. If even
 * that fails, the batch fails from the first record concerned and Lambda retries it from there
 * (which may publish later events twice; consumers dedupe on `eventId`).
 *
 * A record the publisher cannot read (an item kind added later, a malformed image) is skipped and
 * counted: it must not hold up the stream.
 */
export function createEventPublisherHandler(deps: EventPublisherDeps) {
  const { logger, metrics } = deps;
  const clock = deps.clock ?? Date.now;
  return async (event: unknown, context?: Context): Promise<StreamBatchResponse> => {
    const deadline = clock() + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS) - KEEP_RESERVE_MS;
    try {
      const changes = parseStreamEvent(event);
      const planned: { entry: ConversationEventEntry; sequenceNumber: string }[] = [];
      for (const change of changes) {
        for (const entry of eventsOf(change, deps))
          planned.push({ entry, sequenceNumber: change.sequenceNumber });
      }
      if (planned.length === 0) return { batchItemFailures: [] };

      const outcome = await deps.bus.publish(
        planned.map((p) => p.entry),
        deadline,
      );
      const counts = new Map<string, number>();
      const undelivered = new Set(outcome.undelivered.map((u) => u.entry));
      for (const { entry } of planned) {
        if (!undelivered.has(entry)) counts.set(entry.detailType, (counts.get(entry.detailType) ?? 0) + 1);
      }
      for (const [detailType, n] of counts) {
        metrics.count(METRIC.eventsPublished, n, { name: DIMENSION.detailType, value: detailType });
      }
      metrics.count(METRIC.eventPublishRetries, outcome.retried);
      logger.info('Events published', {
        records: changes.length,
        events: planned.length,
        requests: outcome.requests,
        retried: outcome.retried,
        undelivered: outcome.undelivered.length,
      });
      if (outcome.undelivered.length === 0) return { batchItemFailures: [] };

      metrics.count(METRIC.eventsUndelivered, outcome.undelivered.length);
      logger.error('The bus refused events after every retry; keeping them for redrive', {
        undelivered: outcome.undelivered.length,
        errorCodes: [...new Set(outcome.undelivered.map((u) => u.errorCode))],
      });
      try {
        await deps.undelivered.keep(outcome.undelivered);
        return { batchItemFailures: [] };
      } catch (error) {
        const first = planned.find((p) => undelivered.has(p.entry));
        logger.error('Undelivered events could not be kept; the stream will deliver the batch again', {
          error: loggableError(error),
        });
        return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first.sequenceNumber }] };
      }
    } finally {
      metrics.flush();
    }
  };
}

/** The events of one stream record; none (counted) for a record the publisher cannot read. */
function eventsOf(change: StreamChange, deps: EventPublisherDeps): ConversationEventEntry[] {
  try {
    const written = change.read();
    return written === undefined ? [] : eventsOfChange(written, deps.pipeline);
  } catch (error) {
    if (
      !(error instanceof ItemDecodeError) &&
      !(error instanceof UnmappableChangeError) &&
      !(error instanceof StreamImageError)
    ) {
      throw error;
    }
    deps.metrics.count(METRIC.unmappableStreamRecords, 1);
    // The entity name only: the error's message names the item's key, which holds a wamid.
    deps.logger.warn('Stream record skipped: not an item this publisher knows', {
      entity: change.entity,
      eventName: change.eventName,
      reason: error.name,
    });
    return [];
  }
}
