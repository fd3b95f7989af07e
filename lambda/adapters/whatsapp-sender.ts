import { SendWhatsAppMessageCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';

/** Whether retrying a failed send can help. */
export type SendFailureKind = 'transient' | 'permanent';

/** A send that failed; `kind` says whether the event should be retried. */
export class SendFailedError extends Error {
  public override readonly name = 'SendFailedError';

  constructor(
    public readonly kind: SendFailureKind,
    /** The API's error name (e.g. `ThrottledRequestException`), or the network error's. */
    public readonly errorName: string,
    public readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(`SendWhatsAppMessage failed (${kind}) after ${attempts} attempt(s): ${errorName}`, options);
  }
}

/** Errors the SocialMessaging API documents as retryable, and generic throttling and timeouts. */
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

/**
 * Sorts a send error: throttling (429), server faults (5xx) and network failures (no HTTP status)
 * are transient; every other client error (InvalidParametersException, AccessDeniedException,
 * ResourceNotFoundException, ValidationException, …) is permanent.
 */
export function classifySendError(error: unknown): SendFailureKind {
  if (!(error instanceof Error)) return 'transient';
  if (TRANSIENT_ERRORS.has(error.name)) return 'transient';
  const status = httpStatusOf(error);
  if (status === undefined) return 'transient';
  return status === 429 || status >= 500 ? 'transient' : 'permanent';
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
}

/**
 * Calls `attempt` until it succeeds, retrying transient failures (see {@link classifySendError})
 * with exponential backoff and full jitter until `deadline` (epoch ms). Each attempt gets an abort
 * signal that fires at its request timeout or the deadline, whichever is first.
 *
 * @throws SendFailedError — `permanent` at once, `transient` when the deadline leaves no room to retry
 */
export async function withRetries<T>(
  attempt: (abortSignal: AbortSignal) => Promise<T>,
  deadline: number,
  options: RetryOptions = {},
): Promise<{ value: T; attempts: number }> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const base = options.baseBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 2000;
  const requestTimeout = options.requestTimeoutMs ?? 5000;
  for (let attempts = 1; ; attempts++) {
    const remaining = deadline - clock();
    try {
      const value = await attempt(AbortSignal.timeout(Math.max(1, Math.min(requestTimeout, remaining))));
      return { value, attempts };
    } catch (error) {
      const kind = classifySendError(error);
      const errorName = error instanceof Error ? error.name : 'UnknownError';
      const backoff = random() * Math.min(max, base * 2 ** (attempts - 1));
      if (kind === 'permanent' || clock() + backoff >= deadline) {
        throw new SendFailedError(kind, errorName, attempts, { cause: error });
      }
      await sleep(backoff);
    }
  }
}

/** Options of a {@link WhatsAppSender}. */
export interface WhatsAppSenderOptions extends RetryOptions {
  /** A client whose own retries are off (`maxAttempts: 1`): this sender retries within a deadline. */
  readonly client: SocialMessagingClient;
  readonly metaApiVersion: string;
}

/** Sends WhatsApp messages through End User Messaging Social's `SendWhatsAppMessage`. */
export class WhatsAppSender {
  constructor(private readonly options: WhatsAppSenderOptions) {}

  /**
   * Sends one message, retrying transient failures until `deadline` (epoch ms).
   *
   * @returns the AWS message id (EventBridge events refer to it), when the API returns one
   * @throws SendFailedError — `permanent` at once, `transient` when the deadline leaves no room to retry
   */
  async send(
    originationPhoneNumberId: string,
    message: Readonly<Record<string, unknown>>,
    deadline: number,
  ): Promise<{ messageId?: string; attempts: number }> {
    const command = new SendWhatsAppMessageCommand({
      originationPhoneNumberId,
      message: new TextEncoder().encode(JSON.stringify(message)),
      metaApiVersion: this.options.metaApiVersion,
    });
    const { value, attempts } = await withRetries(
      (abortSignal) => this.options.client.send(command, { abortSignal }),
      deadline,
      this.options,
    );
    return { messageId: value.messageId, attempts };
  }
}
