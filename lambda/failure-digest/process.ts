import { METRIC } from '../../contracts';
import type { DigestStore } from '../adapters/digest-store';
import type { TopicNotifier } from '../adapters/notifier';
import {
  closedWindows,
  DIGEST_LOOKBACK_WINDOWS,
  type DigestLinks,
  digestNotification,
} from '../domain/failure-digest';
import { healthDigestNotification } from '../domain/health-digest';
import type { LoggerPort, MetricsPort } from '../shared/observability';

/** What the digest needs. */
export interface FailureDigestDeps {
  readonly store: Pick<DigestStore, 'pending' | 'markNotified'>;
  readonly notifier: Pick<TopicNotifier, 'publish'>;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  readonly windowMinutes: number;
  /**
   * How many closed windows each run looks back at: failures recorded late, into a window that was
   * already notified, are reported by a later run as "N more".
   * @default 4
   */
  readonly lookbackWindows?: number;
  readonly links: DigestLinks;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** What one run sent. */
export interface DigestRun {
  readonly notifications: number;
}

/**
 * Builds the scheduled digest: for each recently closed window, one notification listing every
 * account-health change that needs a human, and one per business number and error code with
 * failures not yet reported; then the count each reported is recorded.
 * Publishing comes first: a crash between the two sends a notification twice rather than never
 * (the human channel prefers a repeat to a silence). The function runs one at a time (reserved
 * concurrency 1), so two runs never race.
 */
export function createDigestHandler(deps: FailureDigestDeps) {
  const clock = deps.clock ?? (() => new Date());
  return async (): Promise<DigestRun> => {
    let notifications = 0;
    try {
      for (const windowStart of closedWindows(
        clock(),
        deps.windowMinutes,
        deps.lookbackWindows ?? DIGEST_LOOKBACK_WINDOWS,
      )) {
        const pending = await deps.store.pending(windowStart);
        if (pending.health.length > 0) {
          const first = pending.health[0];
          const { subject, message } = healthDigestNotification(
            pending.health,
            { start: first?.windowStart ?? windowStart, end: first?.windowEnd ?? windowStart },
            deps.links.healthRunbook ?? deps.links.runbook,
          );
          await deps.notifier.publish(subject, message);
          for (const alert of pending.health) await deps.store.markNotified(alert, alert.count);
          notifications++;
        }
        for (const digest of pending.failures) {
          const reported = digest.notifiedCount ?? 0;
          const { subject, message } = digestNotification(
            { ...digest, newCount: digest.count - reported },
            deps.links,
          );
          await deps.notifier.publish(subject, message);
          await deps.store.markNotified(digest, digest.count);
          notifications++;
        }
      }
      deps.metrics.count(METRIC.digestNotifications, notifications);
      if (notifications > 0) deps.logger.info('Failure digest sent', { notifications });
      return { notifications };
    } finally {
      deps.metrics.flush();
    }
  };
}
