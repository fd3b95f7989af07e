import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DIMENSION, METRIC, mediaKeyPrefix } from '../../contracts';
import { ConversationEventParseError, parseConversationEvent } from '../../events';
import type { MediaSkipReason } from '../adapters/items';
import type { MediaArchiveStore } from '../adapters/media-archive-store';
import type { MediaFetcher } from '../adapters/media-fetcher';
import { isSupportedMediaMimeType } from '../domain/media';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError } from '../shared/privacy';
import { CallFailedError } from '../shared/retry';

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
      const owner = context?.awsRequestId ?? randomUUID();
      const claim = await deps.store.claim(message.wamid, owner, end, now);
      if (claim.kind === 'missing') return missing();
      if (claim.kind === 'taken') {
        if (claim.existing?.state === 'fetching') {
          throw new MediaArchiveInProgressError('Another invocation is fetching this media; will retry');
        }
        return 'already-handled';
      }

      const keyPrefix = mediaKeyPrefix(
        message.businessPhoneNumberId,
        new Date(message.occurredAt),
        message.wamid,
      );
      try {
        const fetched = await deps.fetcher.fetch(
          {
            mediaId: content.mediaId,
            originationPhoneNumberId: origination,
            bucket: deps.bucketName,
            keyPrefix,
          },
          Math.max(now, end - RECORDING_RESERVE_MS),
        );
        await deps.store.settle(message.wamid, owner, {
          state: 'archived',
          bucket: deps.bucketName,
          keyPrefix,
          mimeType: fetched.mimeType ?? content.mimeType,
          fileSizeKb: fetched.fileSizeKb,
          archivedAt: new Date(clock()).toISOString(),
          attempts: fetched.attempts,
        });
        metrics.count(METRIC.mediaArchived, 1, { name: DIMENSION.type, value: content.mediaType });
        logger.info('Media archived', {
          eventId: message.eventId,
          mediaType: content.mediaType,
          attempts: fetched.attempts,
        });
        return 'archived';
      } catch (error) {
        if (error instanceof CallFailedError && error.kind === 'permanent') {
          await deps.store.settle(message.wamid, owner, {
            state: 'failed',
            error: {
              name: error.errorName,
              message: error.cause instanceof Error ? error.cause.message : error.message,
            },
            at: new Date(clock()).toISOString(),
          });
          metrics.count(METRIC.mediaArchiveFailed, 1, { name: DIMENSION.reason, value: error.errorName });
          logger.error('Media could not be fetched; recorded, not retried', {
            eventId: message.eventId,
            errorName: error.errorName,
          });
          return 'failed';
        }
        await deps.store.release(message.wamid, owner);
        logger.warn('Media fetch failed for now; the event will be retried', { error: loggableError(error) });
        throw new MediaFetchDeferredError('The media fetch failed transiently; retry', { cause: error });
      }
    } finally {
      metrics.flush();
    }
  };
}
