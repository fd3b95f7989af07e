/**
 * The send ledger: what became of each `SendWhatsAppMessage` the pipeline made. End User Messaging
 * Social accepting a send is not Meta delivering it. The ledger follows a send from the API's
 * answer through EUM's hand-off to Meta and Meta's statuses, each reported by a different source,
 * in any order and any number of times (docs/send-ledger.md). This module decides; the
 * SendLedgerStore writes.
 */

/** The steps a send goes through, in order. `requested` is the claim before the call. */
export const SEND_STEPS = ['requested', 'accepted', 'handed-over', 'sent', 'delivered', 'read'] as const;

/** One step of a send. */
export type SendStep = (typeof SEND_STEPS)[number];

/** A step something other than the sender reports: everything after the API's answer. */
export type ReportedStep = Exclude<SendStep, 'requested' | 'accepted'>;

/** Where a failure came from: the API refused it, EUM could not hand it over, or Meta failed it. */
export type SendFailureOrigin = 'api' | 'handover' | 'meta';

/** What a send is, as far as the ledger tells them apart. */
export type SendKind = 'receipt' | 'reaction' | 'text' | 'template' | 'other';

/** Where a send's state ends when it does not reach `read`. */
export type SendState = SendStep | 'failed' | 'unknown';

/** A failure of a send. */
export interface SendFailure {
  readonly origin: SendFailureOrigin;
  readonly at: string;
  readonly code?: string;
  readonly title?: string;
}

/** When a send reached each step, as first reported: the earliest time wins. */
export interface SendProgress {
  readonly acceptedAt?: string;
  readonly handedOverAt?: string;
  readonly sentAt?: string;
  readonly deliveredAt?: string;
  readonly readAt?: string;
  readonly failure?: SendFailure;
  /** The API's answer was lost (a timeout): it may have been delivered, and is never resent. */
  readonly unknownAt?: string;
}

/** One report about a send. */
export type SendObservation =
  | { readonly kind: 'step'; readonly step: Exclude<SendStep, 'requested'>; readonly at: string }
  | ({ readonly kind: 'failed' } & SendFailure)
  | { readonly kind: 'unknown'; readonly at: string };

/** The attribute of {@link SendProgress} that records each step. */
export const STEP_ATTRIBUTE = {
  accepted: 'acceptedAt',
  'handed-over': 'handedOverAt',
  sent: 'sentAt',
  delivered: 'deliveredAt',
  read: 'readAt',
} as const satisfies Record<Exclude<SendStep, 'requested'>, keyof SendProgress>;

const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);

/**
 * The order failures are kept in: the earliest, then by origin and code, so that whichever order
 * two failures of one send are reported in, the same one is kept.
 */
export function failureRank(failure: SendFailure): string {
  return [failure.at, failure.origin, failure.code ?? '', failure.title ?? ''].join('|');
}

function keeps(a: SendFailure, b: SendFailure): boolean {
  return failureRank(a) <= failureRank(b);
}

/**
 * The progress after one more report. Commutative and idempotent: any order and any repetition
 * of the same reports give the same progress, which is what the store's conditional writes do.
 */
export function observe(progress: SendProgress, observation: SendObservation): SendProgress {
  switch (observation.kind) {
    case 'step': {
      const attribute = STEP_ATTRIBUTE[observation.step];
      return { ...progress, [attribute]: earlier(progress[attribute], observation.at) };
    }
    case 'failed': {
      const { kind: _kind, ...failure } = observation;
      const current = progress.failure;
      return { ...progress, failure: current === undefined || !keeps(current, failure) ? failure : current };
    }
    case 'unknown':
      return { ...progress, unknownAt: earlier(progress.unknownAt, observation.at) };
    default:
      return assertNever(observation);
  }
}

/**
 * Where a send stands: `failed` once any source failed it (a status of `sent` before a failure
 * does not undo it), else the furthest step reported, else `unknown` when the API's answer was
 * lost, else `requested`. A later step implies the earlier ones: `delivered` without a hand-off
 * report was handed over.
 */
export function stateOf(progress: SendProgress): SendState {
  if (progress.failure !== undefined) return 'failed';
  for (const step of [...SEND_STEPS].reverse()) {
    if (step !== 'requested' && progress[STEP_ATTRIBUTE[step]] !== undefined) return step;
  }
  return progress.unknownAt === undefined ? 'requested' : 'unknown';
}

/**
 * The step after which a send is no longer watched for a stall. Meta reports statuses for
 * messages it shows (a reaction, a text, a template), so those wait for `sent`; a read receipt
 * gets no status, so EUM's hand-off is the last thing anyone reports about it.
 */
export function settlingStep(kind: SendKind): ReportedStep {
  return kind === 'receipt' ? 'handed-over' : 'sent';
}

/** Whether a send has settled: failed, or reached its settling step or any later one. */
export function isSettled(progress: SendProgress, kind: SendKind): boolean {
  const state = stateOf(progress);
  if (state === 'failed') return true;
  if (state === 'unknown') return false;
  return SEND_STEPS.indexOf(state) >= SEND_STEPS.indexOf(settlingStep(kind));
}

function assertNever(value: never): never {
  throw new Error(`Unexpected send observation ${JSON.stringify(value)}`);
}
