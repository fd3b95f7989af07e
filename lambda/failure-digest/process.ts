import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DIMENSION, METRIC, type RateCard, SPEND_WATCH } from '../../contracts';
import type { CostStore } from '../adapters/cost-store';
import type { DigestStore } from '../adapters/digest-store';
import type { EffectKey } from '../adapters/effect-store';
import type { SendItem } from '../adapters/items';
import type { TopicNotifier } from '../adapters/notifier';
import type { SendLedgerStore } from '../adapters/send-ledger-store';
import { dayBefore, median, spendByCategory } from '../domain/cost';
import {
  closedWindows,
  DIGEST_LOOKBACK_WINDOWS,
  type DigestLinks,
  digestNotification,
} from '../domain/failure-digest';
import { healthDigestNotification } from '../domain/health-digest';
import { isSettled } from '../domain/send-ledger';
import { stallNotification } from '../domain/stall-digest';
import type { EffectLedger } from '../shared/exactly-once';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError, scrub } from '../shared/privacy';

/** Budget when there is no Lambda context (local runs). */
const DEFAULT_BUDGET_MS = 60_000;

/** The key of the digest's run lease: one run at a time, whatever the schedule or a retry delivers. */
export const DIGEST_RUN_LEASE: EffectKey = { scope: 'DIGEST', effect: 'run' };

/** What the digest needs. */
export interface FailureDigestDeps {
  readonly store: Pick<DigestStore, 'pending' | 'markNotified'>;
  /**
   * Holds the run lease: a run that finds another live run's lease does nothing (the next
   * scheduled run reports what this one would have), so no reserved concurrency is needed.
   */
  readonly lease: Pick<EffectLedger<EffectKey>, 'claim' | 'release'>;
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
  /**
   * The send ledger's stall watch: sends accepted that nothing followed are reported once, in one
   * notification with a line per business number, then flagged (docs/send-ledger.md).
   * @default none: no stall watch
   */
  readonly stalls?: Pick<SendLedgerStore, 'dueForStallCheck' | 'flagStall'>;
  /**
   * The spend watch: each run publishes the UTC day's billable messages and, with rate cards, their
   * spend per category so far, and the median marketing spend of the days before, for the alarm on
   * a spike (docs/cost.md).
   * @default none: no spend metrics
   */
  readonly spend?: {
    readonly costs: Pick<CostStore, 'dayTotals'>;
    /** @default [] - counts only: the baseline is of billable marketing messages */
    readonly rateCards?: readonly RateCard[];
  };
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** Meta's price category the spend watch alarms on. */
const MARKETING = 'marketing';

/** What one run sent; `skipped` when another run held the lease. */
export interface DigestRun {
  readonly notifications: number;
  readonly skipped?: true;
}

/**
 * Builds the scheduled digest: for each recently closed window, one notification listing every
 * account-health change that needs a human, and one per business number and error code with
 * failures not yet reported; then the count each reported is recorded.
 * Publishing comes first: a crash between the two sends a notification twice rather than never
 * (the human channel prefers a repeat to a silence). One run at a time: a run holds a lease (a
 * conditional write) until it ends, so two runs never race, without reserved concurrency, which
 * new accounts' concurrency quota of 10 refuses.
 */
export function createDigestHandler(deps: FailureDigestDeps) {
  const clock = deps.clock ?? (() => new Date());
  return async (_event?: unknown, context?: Context): Promise<DigestRun> => {
    const now = clock().getTime();
    const claim = {
      owner: context?.awsRequestId ?? randomUUID(),
      token: randomUUID(),
      expiresAtMs: now + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS),
    };
    const lease = await deps.lease.claim(DIGEST_RUN_LEASE, claim, now, true);
    if (!lease.claimed) {
      deps.logger.info('Another digest run holds the lease; this one does nothing');
      return { notifications: 0, skipped: true };
    }
    try {
      return await run();
    } finally {
      await deps.lease.release(DIGEST_RUN_LEASE, claim.token).catch((error: unknown) =>
        // The lease then expires with this invocation; the next run waits for that at most.
        deps.logger.warn('Could not release the digest lease', { error: loggableError(error) }),
      );
    }
  };

  /**
   * Reports the sends that stalled since the last run, then flags them: a crash between the two
   * reports them again (a repeat, never a silence). A send that settled is only taken off the watch.
   */
  async function reportStalls(): Promise<number> {
    if (deps.stalls === undefined) return 0;
    const now = clock();
    const due = await deps.stalls.dueForStallCheck(now);
    const settled = (s: SendItem) => s.kind === undefined || isSettled(s, s.kind);
    await Promise.all(due.filter(settled).map((s) => deps.stalls?.flagStall(s, now.toISOString())));
    const stalled = due.filter((s) => !settled(s));
    if (stalled.length === 0) return 0;
    const first = stalled[0];
    const minutes =
      first?.stallAt === undefined || first.acceptedAt === undefined
        ? 0
        : Math.round((Date.parse(first.stallAt) - Date.parse(first.acceptedAt)) / 60_000);
    const { subject, message } = stallNotification(
      stalled.map((s) => ({
        businessPhoneNumberId: s.businessPhoneNumberId,
        kind: s.kind,
        sentBy: s.sentBy,
        acceptedAt: s.acceptedAt,
        handedOver: s.handedOverAt !== undefined,
      })),
      minutes,
      deps.links.stallRunbook ?? deps.links.runbook,
    );
    await deps.notifier.publish(subject, message);
    await Promise.all(stalled.map((s) => deps.stalls?.flagStall(s, now.toISOString())));
    deps.metrics.count(METRIC.stalledSends, stalled.length);
    deps.logger.warn('Stalled sends reported', { stalled: stalled.length });
    return 1;
  }

  /**
   * Publishes the day's spend so far and the baseline it is compared with. Levels, not deltas: a
   * repeated run publishes the same values again, and the alarm reads the maximum.
   */
  async function publishSpend(): Promise<void> {
    if (deps.spend === undefined) return;
    const cards = deps.spend.rateCards ?? [];
    const today = clock().toISOString().slice(0, 10);
    const days = [
      today,
      ...Array.from({ length: SPEND_WATCH.baselineDays }, (_, i) => dayBefore(today, i + 1)),
    ];
    const perDay = await Promise.all(days.map((day) => deps.spend?.costs.dayTotals(day) ?? []));
    const [todays = [], ...before] = perDay.map((totals) => spendByCategory(totals, cards));
    for (const c of todays) {
      const dimension = { name: DIMENSION.category, value: c.category };
      deps.metrics.gauge(METRIC.billableMessagesToday, c.billableMessages, dimension);
      if (c.amount !== undefined) deps.metrics.gauge(METRIC.spendToday, c.amount, dimension);
    }
    const marketing = (spend: typeof todays) => {
      const line = spend.find((c) => c.category === MARKETING);
      return (cards.length > 0 ? line?.amount : line?.billableMessages) ?? 0;
    };
    deps.metrics.gauge(METRIC.marketingSpendBaseline, median(before.map(marketing)));
  }

  async function run(): Promise<DigestRun> {
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
          // Meta's words can quote a phone number or a wamid; people get them as the logs do.
          const { subject, message } = digestNotification(
            {
              ...digest,
              title: digest.title === undefined ? undefined : scrub(digest.title),
              newCount: digest.count - reported,
            },
            deps.links,
          );
          await deps.notifier.publish(subject, message);
          await deps.store.markNotified(digest, digest.count);
          notifications++;
        }
      }
      notifications += await reportStalls();
      await publishSpend();
      deps.metrics.count(METRIC.digestNotifications, notifications);
      if (notifications > 0) deps.logger.info('Failure digest sent', { notifications });
      return { notifications };
    } finally {
      deps.metrics.flush();
    }
  }
}
