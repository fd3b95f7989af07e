/**
 * How a WhatsApp call ended, from what its webhooks said in any order: the connect, the
 * terminate (status, start, end, duration) and, for calls the business placed, their statuses.
 */
import type { CallDirection } from './model';

/** How a call ended. */
export type CallOutcome =
  /** Connected and talked. */
  | 'completed'
  /** The customer called and nobody took the call (or it failed before it was taken). */
  | 'missed'
  /** The business called and the customer declined. */
  | 'rejected'
  /** The business called and the call did not connect. */
  | 'failed'
  /** No terminate yet. */
  | 'in-progress';

/** What the outcome is decided from. */
export interface CallFacts {
  readonly direction?: CallDirection;
  /** Meta's status of the terminate (`COMPLETED`, `FAILED`), absent before it. */
  readonly terminateStatus?: string;
  readonly durationSeconds?: number;
  /** Statuses of a call the business placed (`RINGING`, `ACCEPTED`, `REJECTED`). */
  readonly statuses: readonly string[];
}

/**
 * The outcome of a call. A terminate `COMPLETED` with time on the line is completed; otherwise a
 * call the customer placed was missed, and one the business placed was rejected (if the customer
 * declined it) or failed.
 */
export function callOutcome(call: CallFacts): CallOutcome {
  if (call.terminateStatus === undefined) return 'in-progress';
  const talked = call.terminateStatus.toUpperCase() === 'COMPLETED' && (call.durationSeconds ?? 1) > 0;
  if (talked) return 'completed';
  if (call.direction === 'outbound') {
    return call.statuses.some((s) => s.toUpperCase() === 'REJECTED') ? 'rejected' : 'failed';
  }
  return 'missed';
}
