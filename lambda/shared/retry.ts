/**
 * Bounded retries for AWS API calls, shared by every adapter that calls an API from a function
 * with a time budget (the WhatsApp sender, the WABA linker).
 */

/** Whether retrying a failed call can help. */
export type FailureKind = 'transient' | 'permanent';

/** A call that failed for good: at once (permanent), or when the deadline left no room to retry. */
export class CallFailedError extends Error {
  public override readonly name = 'CallFailedError';

  constructor(
    public readonly kind: FailureKind,
    /** The API's error name (e.g. `ThrottledRequestException`), or the network error's. */
    public readonly errorName: string,
    public readonly attempts: number,
    /**
     * The last attempt may have reached the service and been applied although no answer came back
     * (a timeout, a lost connection, a server fault). Only idempotent calls may be repeated then.
     */
    public readonly ambiguous: boolean,
    options: ErrorOptions,
  ) {
    const detail =
      options.cause instanceof Error && options.cause.message !== '' ? `: ${options.cause.message}` : '';
    super(
      `${errorName}${detail} (${kind}${ambiguous ? ', possibly applied' : ''}, after ${attempts} attempt(s))`,
      options,
    );
  }
}

/** Errors AWS APIs document as retryable, and generic throttling and timeouts. */
const TRANSIENT_ERRORS = new Set([
  'ThrottledRequestException',
  'InternalServiceException',
  'DependencyException',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Errors that say the request was refused before it was applied: repeating them is always safe. */
const REFUSED_ERRORS = new Set([
  'ThrottledRequestException',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** How a failed call is to be treated. */
export interface FailureClass {
  readonly kind: FailureKind;
  /** The request may have been applied (see {@link CallFailedError.ambiguous}). */
  readonly ambiguous: boolean;
}

/**
 * Sorts a call error: throttling (429), server faults (5xx) and network failures (no HTTP status)
 * are transient; every other client error (InvalidParametersException, AccessDeniedException,
 * ResourceNotFoundException, ValidationException, …) is permanent. Throttling is refused before
 * anything happens; server faults and failures without an answer are ambiguous.
 */
export function classifyCallError(error: unknown): FailureClass {
  if (!(error instanceof Error)) return { kind: 'transient', ambiguous: true };
  const status = httpStatusOf(error);
  if (REFUSED_ERRORS.has(error.name) || status === 429) return { kind: 'transient', ambiguous: false };
  if (TRANSIENT_ERRORS.has(error.name)) return { kind: 'transient', ambiguous: true };
  if (status === undefined || status >= 500) return { kind: 'transient', ambiguous: true };
  return { kind: 'permanent', ambiguous: false };
}

function httpStatusOf(error: Error): number | undefined {
  const metadata = '$metadata' in error ? error.$metadata : undefined;
  const status =
    typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata
      ? metadata.httpStatusCode
      : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** How a call is retried. */
export interface RetryOptions {
  /** First backoff, doubled each attempt (with full jitter). @default 100 */
  readonly baseBackoffMs?: number;
  /** Longest backoff. @default 2000 */
  readonly maxBackoffMs?: number;
  /** Longest single request. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Injectable for tests. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Overrides {@link classifyCallError}, e.g. to retry an error that is transient for one caller only. */
  readonly classify?: (error: unknown, attempt: number) => FailureClass;
  /** Stops the calls: no attempt starts once it is aborted, and the one in flight is cancelled. */
  readonly signal?: AbortSignal;
  /** Told of every failed attempt (the caller may report the last one). */
  readonly onFailure?: (error: unknown) => void;
}

/** What one call of {@link withRetries} may do. */
export interface CallSafety {
  /**
   * Whether repeating the call after an ambiguous failure is harmless (a read receipt, the same
   * reaction, a Put of the same value). When false, an ambiguous failure ends the call at once.
   */
  readonly idempotent: boolean;
}

/**
 * Calls `attempt` until it succeeds, retrying transient failures with exponential backoff and full
 * jitter until `deadline` (epoch ms). Each attempt gets an abort signal that fires at its request
 * timeout or the deadline, whichever is first. A call that is not idempotent is never repeated
 * after an ambiguous failure.
 *
 * @throws CallFailedError — `permanent` at once; `transient` when the deadline leaves no room to
 *   retry, or at once when the call is not idempotent and the failure is ambiguous. Its `cause` is
 *   the last real error, never the abort that ended the wait.
 */
export async function withRetries<T>(
  attempt: (abortSignal: AbortSignal) => Promise<T>,
  deadline: number,
  safety: CallSafety,
  options: RetryOptions = {},
): Promise<{ value: T; attempts: number }> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const classify = options.classify ?? classifyCallError;
  const base = options.baseBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 2000;
  const requestTimeout = options.requestTimeoutMs ?? 5000;
  let previous: unknown;
  for (let attempts = 1; ; attempts++) {
    if (options.signal?.aborted) {
      throw new CallFailedError('transient', 'Aborted', attempts - 1, false, {
        cause: previous ?? options.signal.reason,
      });
    }
    const remaining = deadline - clock();
    const timeoutSignal = AbortSignal.timeout(Math.max(1, Math.min(requestTimeout, remaining)));
    const signal =
      options.signal === undefined ? timeoutSignal : AbortSignal.any([timeoutSignal, options.signal]);
    try {
      const value = await attempt(signal);
      return { value, attempts };
    } catch (caught) {
      options.onFailure?.(caught);
      // An attempt cut short by the deadline says nothing new: report the error that kept failing.
      const error = signal.aborted && previous !== undefined && clock() >= deadline ? previous : caught;
      const { kind, ambiguous } = classify(caught, attempts);
      const errorName = error instanceof Error ? error.name : 'UnknownError';
      const backoff = random() * Math.min(max, base * 2 ** (attempts - 1));
      const unsafeToRepeat = ambiguous && !safety.idempotent;
      if (kind === 'permanent' || unsafeToRepeat || clock() + backoff >= deadline) {
        throw new CallFailedError(kind, errorName, attempts, ambiguous, { cause: error });
      }
      previous = caught;
      await sleep(backoff);
    }
  }
}
