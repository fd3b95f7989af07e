/**
 * Failure digests: the human channel gets at most one notification per business number and error
 * code per window, saying how many messages failed, instead of one e-mail per failure.
 */

/**
 * How many closed windows each digest run looks back at: what is recorded into a window at most
 * this many windows old is still reported.
 */
export const DIGEST_LOOKBACK_WINDOWS = 4;

/**
 * The window an alert recorded at `now` for a change that happened `at` goes into: the change's
 * own window, so it is reported as soon as that window closes, but never older than the digest
 * looks back (a late change would never be reported) and never in the future (clock skew).
 */
export function alertWindowOf(at: string, now: Date, minutes: number): { start: string; end: string } {
  const oldest = now.getTime() - (DIGEST_LOOKBACK_WINDOWS - 1) * minutes * 60_000;
  const time = Date.parse(at);
  const clamped = Number.isNaN(time) ? now.getTime() : Math.min(now.getTime(), Math.max(oldest, time));
  return windowOf(new Date(clamped), minutes);
}

/** The window a time falls into: windows of `minutes` aligned to the Unix epoch (so to the hour for 15). */
export function windowOf(at: Date, minutes: number): { start: string; end: string } {
  const length = minutes * 60_000;
  const start = Math.floor(at.getTime() / length) * length;
  return { start: new Date(start).toISOString(), end: new Date(start + length).toISOString() };
}

/** The windows that have closed by `now`, newest first, up to `count` of them. */
export function closedWindows(now: Date, minutes: number, count: number): string[] {
  const current = Date.parse(windowOf(now, minutes).start);
  return Array.from({ length: count }, (_, i) =>
    new Date(current - (i + 1) * minutes * 60_000).toISOString(),
  );
}

/** What a digest notification says. */
export interface DigestSummary {
  readonly businessPhoneNumberId: string;
  readonly displayPhoneNumber?: string;
  readonly code: string;
  readonly title?: string;
  /** Failures in the window. */
  readonly count: number;
  /** Failures this notification reports: all of them, or those after an earlier notification. */
  readonly newCount: number;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly windowStart: string;
  readonly windowEnd: string;
}

/** Where a person goes next. */
export interface DigestLinks {
  readonly runbook: string;
  /** The runbook page whose sections the health digest links to. @default - {@link runbook} */
  readonly healthRunbook?: string;
  /** The runbook section on stalled sends. @default - {@link runbook} */
  readonly stallRunbook?: string;
  readonly console?: string;
}

/** The subject and text of one digest notification. Names the business number, never a customer. */
export function digestNotification(
  summary: DigestSummary,
  links: DigestLinks,
): { subject: string; message: string } {
  const number = summary.displayPhoneNumber ?? summary.businessPhoneNumberId;
  const title = summary.title === undefined ? '' : ` (${summary.title})`;
  const more = summary.newCount < summary.count ? `${summary.newCount} more, ` : '';
  const subject = `WhatsApp: ${summary.count} failed with ${summary.code} on ${number}`.slice(0, 99);
  const message = [
    `${more}${summary.count} WhatsApp message(s) sent from ${number} (Meta phone-number id ${summary.businessPhoneNumberId}) failed with error ${summary.code}${title}`,
    `between ${summary.firstAt} and ${summary.lastAt} (window ${summary.windowStart} to ${summary.windowEnd}).`,
    `What to do: ${links.runbook}`,
    ...(links.console === undefined ? [] : [`Dashboard: ${links.console}`]),
  ].join('\n');
  return { subject, message };
}
