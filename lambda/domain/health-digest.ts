/**
 * The account-health part of the alerts digest: every change that needs a human in one window goes
 * out as one notification, so a storm of template pauses is one e-mail, not fifty.
 */

/** One change that needs a human, as the digest reports it. */
export interface HealthDigestLine {
  readonly wabaId: string;
  /** The template's name and language, the number, or the account. */
  readonly subject: string;
  readonly severity: 'critical' | 'warning';
  readonly headline: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly at: string;
  /** Changes of this subject and aspect in the window (the newest is shown). */
  readonly count: number;
  readonly runbookSection: string;
}

/** Most lines one notification lists; the rest are counted. */
export const HEALTH_DIGEST_MAX_LINES = 50;

/**
 * The subject and text of the health digest of one window. Critical lines come first; each names
 * the subject, what happened, the reason Meta gave, and the runbook section that says what to do.
 */
export function healthDigestNotification(
  lines: readonly HealthDigestLine[],
  window: { readonly start: string; readonly end: string },
  runbook: string,
): { subject: string; message: string } {
  const sorted = [...lines].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1) || a.at.localeCompare(b.at),
  );
  const critical = lines.filter((l) => l.severity === 'critical').length;
  const subject = `WhatsApp account health: ${lines.length} change(s) need attention${
    critical > 0 ? ` (${critical} critical)` : ''
  }`.slice(0, 99);
  const shown = sorted.slice(0, HEALTH_DIGEST_MAX_LINES);
  const body = shown.map((line) => {
    const times = line.count > 1 ? ` (${line.count} changes in the window; the newest shown)` : '';
    return [
      `[${line.severity.toUpperCase()}] ${line.subject}, account ${line.wabaId}: ${line.headline}${times}`,
      `  at ${line.at}${line.reason === undefined ? '' : `; reason given by Meta: ${line.reason}`}${
        line.detail === undefined ? '' : `; ${line.detail}`
      }`,
      `  What to do: ${runbook}#${line.runbookSection}`,
    ].join('\n');
  });
  const more = sorted.length - shown.length;
  const message = [
    `Account-health changes recorded between ${window.start} and ${window.end}:`,
    '',
    ...body,
    ...(more > 0 ? [`…and ${more} more: npm run inspect -- --health <wabaId>`] : []),
  ].join('\n');
  return { subject, message };
}
