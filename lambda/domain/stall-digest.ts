/**
 * The stall watch's notification: sends EUM accepted that nothing followed within `stallMinutes`
 * (no hand-off for a read receipt, no status for anything else), one line per business number.
 * Accepted is not delivered: this is the alert for a send that went silent (docs/send-ledger.md).
 */
import type { SendKind } from './send-ledger';

/** What the notification needs of one stalled send: nothing that names a customer. */
export interface StalledSend {
  readonly businessPhoneNumberId?: string;
  readonly kind?: SendKind;
  readonly sentBy?: string;
  readonly acceptedAt?: string;
  /** Whether EUM reported handing it to Meta (then Meta is silent, else EUM is). */
  readonly handedOver: boolean;
}

const countsOf = (values: readonly string[]) =>
  [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>())]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');

/**
 * The subject and text of one stall notification: one line per business number with how many of
 * its sends stalled, of which kinds, from whom, whether EUM or Meta went silent, and since when.
 */
export function stallNotification(
  sends: readonly StalledSend[],
  stallMinutes: number,
  runbook: string,
): { subject: string; message: string } {
  const byNumber = new Map<string, StalledSend[]>();
  for (const send of sends) {
    const number = send.businessPhoneNumberId ?? 'an unnamed number';
    byNumber.set(number, [...(byNumber.get(number) ?? []), send]);
  }
  const lines = [...byNumber]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([number, stalled]) => {
      const oldest = stalled.map((s) => s.acceptedAt ?? '').sort()[0] || 'an unknown time';
      const handedOver = stalled.filter((s) => s.handedOver).length;
      return `- ${number}: ${stalled.length} send(s) (${countsOf(stalled.map((s) => s.kind ?? 'other'))}; from ${countsOf(stalled.map((s) => s.sentBy ?? 'unnamed'))}); ${handedOver} handed to Meta with no status since, ${stalled.length - handedOver} never handed over; oldest accepted ${oldest}`;
    });
  return {
    subject: `WhatsApp: ${sends.length} send(s) stalled on ${byNumber.size} number(s)`.slice(0, 99),
    message: [
      `End User Messaging Social accepted these sends more than ${stallMinutes} minutes ago, and nothing followed:`,
      ...lines,
      `What to do: ${runbook}`,
    ].join('\n'),
  };
}
