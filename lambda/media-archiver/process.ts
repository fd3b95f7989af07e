import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DIMENSION, METRIC, mediaKeyPrefix } from '../../contracts';
import { ConversationEventParseError, parseConversationEvent } from '../../events';
import type { MediaSkipReason } from '../adapters/items';
import {
  type MediaArchiveStore,
  type MediaFetched,
  MediaMessageMissingError,
} from '../adapters/media-archive-store';
import type { MediaFetcher } from '../adapters/media-fetcher';
import { isSupportedMediaMimeType } from '../domain/media';
import { EffectDeferredError, EffectInProgressError, runOnce } from '../shared/exactly-once';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError } from '../shared/privacy';

/** What the archiver needs. */
export interface MediaArchiverDeps {
  readonly store: Pick<MediaArchiveStore, 'claim' | 'settle' | 'release' | 'skip'>;
  readonly fetcher: Pick<MediaFetcher, 'fetch'>;
  readonly bucketName: string;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => number;
}

/** What the archiver did with an event. */
export type ArchiveOutcome =
  | 'ignored'
  | 'archived'
  | 'failed'
  | 'already-handled'
  | 'missing-message'
  | `skipped: ${MediaSkipReason}`;

/** Another invocation is fetching this media right now; the event is retried later. */
export class MediaArchiveInProgressError extends Error {
  public override readonly name = 'MediaArchiveInProgressError';
}

/** A fetch failed transiently after every retry; the event is retried (then dead-lettered). */
export class MediaFetchDeferredError extends Error {
  public override readonly name = 'MediaFetchDeferredError';
}

/** Time kept back from the budget to record the outcome. */
const RECORDING_RESERVE_MS = 3000;
const DEFAULT_BUDGET_MS = 120_000;

/**
 * Target of the pipeline's `Message Received` events of media messages: fetches each message's
 * media into the media bucket exactly once, off the processor's hot path. A claim on the message
 * item comes first, so duplicates, redeliveries and concurrent deliveries never fetch twice. A
 * transient failure releases the claim and fails the invocation (Lambda retries, then the
 * subscription's dead-letter queue keeps the event for redrive); a permanent one is recorded on
 * the message and counted, not retried.
 */
export function createMediaArchiverHandler(deps: MediaArchiverDeps) {
  const { logger, metrics } = deps;
  const clock = deps.clock ?? Date.now;
  return async (raw: unknown, context?: Context): Promise<ArchiveOutcome> => {
    try {
      let event: ReturnType<typeof parseConversationEvent>;
      try {
        event = parseConversationEvent(raw);
      } catch (error) {
        if (!(error instanceof ConversationEventParseError)) throw error;
        logger.error('Not a conversation event this archiver reads; ignored', { reason: error.message });
        return 'ignored';
      }
      if (event.detailType !== 'Message Received' || event.detail.content.kind !== 'media') return 'ignored';
      const message = event.detail;
      const content = message.content.kind === 'media' ? message.content : undefined;
      if (content === undefined) return 'ignored';
      const skip = async (reason: MediaSkipReason): Promise<ArchiveOutcome> => {
        const result = await deps.store.skip(message.wamid, reason);
        if (result.kind === 'missing') return missing();
        metrics.count(METRIC.mediaArchiveSkipped, 1, { name: DIMENSION.reason, value: reason });
        logger.info('Media not fetched', { reason, eventId: message.eventId });
        return `skipped: ${reason}`;
      };
      const missing = (): ArchiveOutcome => {
        metrics.count(METRIC.mediaArchiveMissingMessage, 1);
        logger.warn('The message of this media no longer exists (TTL); skipped', {
          eventId: message.eventId,
        });
        return 'missing-message';
      };
      const origination = message.routing.originationPhoneNumberId;
      if (message.routing.kind !== 'routed' || origination === undefined) return skip('unrouted');
      if (content.mediaId === undefined) return skip('no-media-id');
      if (content.mimeType === undefined || !isSupportedMediaMimeType(content.mimeType)) {
        return skip('unknown-mime-type');
      }

      const now = clock();
      const end = now + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS);
      const invocation = { id: context?.awsRequestId ?? randomUUID(), end };
      const keyPrefix = mediaKeyPrefix(
        message.businessPhoneNumberId,
        new Date(message.occurredAt),
        message.wamid,
      );
      const { mediaId, mimeType, mediaType } = content;
      let result: Awaited<ReturnType<typeof runOnce<string, MediaFetched>>>;
      try {
        // A fetch writes the same object again: idempotent, so a stale claim is taken over and an
        // ambiguous failure retried (lambda/shared/exactly-once.ts).
        result = await runOnce(
          deps.store,
          message.wamid,
          invocation,
          { idempotent: true, clock },
          async () => {
            const fetched = await deps.fetcher.fetch(
              { mediaId, originationPhoneNumberId: origination, bucket: deps.bucketName, keyPrefix },
              Math.max(now, end - RECORDING_RESERVE_MS),
            );
            return {
              bucket: deps.bucketName,
              keyPrefix,
              mimeType: fetched.mimeType ?? mimeType,
              fileSizeKb: fetched.fileSizeKb,
              attempts: fetched.attempts,
            };
          },
        );
      } catch (error) {
        if (error instanceof MediaMessageMissingError) return missing();
        if (error instanceof EffectInProgressError) {
          throw new MediaArchiveInProgressError('Another invocation is fetching this media; will retry', {
            cause: error,
          });
        }
        if (error instanceof EffectDeferredError) {
          logger.warn('Media fetch failed for now; the event will be retried', {
            error: loggableError(error.cause),
          });
          throw new MediaFetchDeferredError('The media fetch failed transiently; retry', {
            cause: error.cause,
          });
        }
        throw error;
      }
      const { record } = result;
      if (!result.fresh) return 'already-handled';
      if (record.state === 'done') {
        metrics.count(METRIC.mediaArchived, 1, { name: DIMENSION.type, value: mediaType });
        logger.info('Media archived', { eventId: message.eventId, mediaType, attempts: record.attempts });
        return 'archived';
      }
      metrics.count(METRIC.mediaArchiveFailed, 1, { name: DIMENSION.reason, value: record.error.name });
      logger.error('Media could not be fetched; recorded, not retried', {
        eventId: message.eventId,
        errorName: record.error.name,
      });
      return 'failed';
    } finally {
      metrics.flush();
    }
  };
}
