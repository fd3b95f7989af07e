import { DIMENSION, failureOriginOf, METRIC } from '../../contracts';
import type { FailureStore } from '../adapters/failure-store';
import type { SendLedgerStore } from '../adapters/send-ledger-store';
import { EventDecodeError } from '../domain/errors';
import { decodeFailureEvent } from '../domain/failure-event';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError, scrub } from '../shared/privacy';

/** What the failure recorder needs. */
export interface FailureRecorderDeps {
  readonly store: Pick<
    FailureStore,
    'findByAwsMessageId' | 'recordOnMessage' | 'recordOrphan' | 'countInDigest'
  >;
  /**
   * The send ledger: each failure, hand-off and status EUM reports joins its send by AWS message id.
   * @default none: failures are recorded on messages only
   */
  readonly ledger?: Pick<SendLedgerStore, 'observe'>;
  /** Minutes of a digest window (see domain/failure-digest.ts). */
  readonly digestWindowMinutes: number;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
}

/** What the recorder did with an event. */
export type FailureOutcome = 'recorded' | 'orphan' | 'missing-message-id' | 'ignored' | 'progress';

/**
 * Builds the EventBridge target that records WhatsApp message failures on the conversation store:
 * on the message whose auto-response got that AWS message id; as an orphan when no message of this
 * pipeline has it; flagged with the raw event when the event has no message id. Every write is
 * keyed by the EventBridge event id, so redeliveries change nothing. Storage errors throw, so
 * EventBridge and Lambda retry and finally dead-letter the event.
 */
export function createFailureHandler(deps: FailureRecorderDeps) {
  const { store, logger, metrics } = deps;
  return async (event: unknown): Promise<FailureOutcome> => {
    try {
      let decoded: ReturnType<typeof decodeFailureEvent>;
      try {
        decoded = decodeFailureEvent(event);
      } catch (error) {
        if (error instanceof EventDecodeError) {
          metrics.count(METRIC.undecodableEvents, 1, { name: DIMENSION.reason, value: error.reason });
          logger.error('Event rejected: not an EventBridge event', {
            reason: error.reason,
            error: loggableError(error),
          });
        }
        throw error;
      }
      if (decoded.kind === 'unrelated') {
        logger.info('Event ignored: not a message failure', {
          source: decoded.source,
          detailType: decoded.detailType,
        });
        return 'ignored';
      }
      if (decoded.kind === 'progress') {
        const { awsMessageId, step } = decoded;
        if (awsMessageId === undefined || deps.ledger === undefined) return 'ignored';
        const { changed } = await deps.ledger.observe(awsMessageId, {
          kind: 'step',
          step,
          at: decoded.occurredAt ?? new Date().toISOString(),
        });
        metrics.count(METRIC.sendProgressReports, 1, { name: DIMENSION.step, value: step });
        logger.debug('Send progress recorded in the ledger', { awsMessageId, step, changed });
        return 'progress';
      }

      const errorCode = decoded.errors[0]?.code ?? 'none';
      metrics.count(METRIC.messageFailures, 1);
      metrics.count(METRIC.messageFailuresByErrorCode, 1, { name: DIMENSION.errorCode, value: errorCode });
      const details = {
        eventId: decoded.eventId,
        awsMessageId: decoded.awsMessageId,
        detailType: decoded.detailType,
        errorCode,
        errorTitle: decoded.errors[0]?.title === undefined ? undefined : scrub(decoded.errors[0].title),
      };
      // The digest counts a failure once: only when this event is recorded for the first time.
      const counted = async (outcome: 'recorded' | 'already-recorded') => {
        if (outcome === 'recorded') await store.countInDigest(decoded, deps.digestWindowMinutes);
      };
      if (decoded.awsMessageId !== undefined) {
        await deps.ledger?.observe(decoded.awsMessageId, {
          kind: 'failed',
          origin: failureOriginOf(decoded.detailType) === 'handover' ? 'handover' : 'meta',
          at: decoded.occurredAt ?? new Date().toISOString(),
          code: decoded.errors[0]?.code,
          title: details.errorTitle,
        });
      }
      if (decoded.awsMessageId === undefined) {
        await counted(await store.recordOrphan(decoded, 'missing-message-id'));
        metrics.count(METRIC.orphanFailures, 1);
        logger.warn('Message failure without message id: kept raw and flagged', details);
        return 'missing-message-id';
      }
      const match = await store.findByAwsMessageId(decoded.awsMessageId);
      const onMessage = match === undefined ? 'missing' : await store.recordOnMessage(match, decoded);
      if (match !== undefined && onMessage !== 'missing') {
        await counted(onMessage);
        logger.warn('Message failure recorded on its message', { ...details, action: match.action });
        return 'recorded';
      }
      await counted(await store.recordOrphan(decoded, 'unknown-message-id'));
      metrics.count(METRIC.orphanFailures, 1);
      logger.warn('Message failure for a message this pipeline did not send: kept as an orphan', details);
      return 'orphan';
    } finally {
      metrics.flush();
    }
  };
}
