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

/** Options of a {@link WhatsAppSender}. */
export interface WhatsAppSenderOptions {
  /** A client whose own retries are off (`maxAttempts: 1`): this sender retries within a deadline. */
  readonly client: SocialMessagingClient;
  readonly metaApiVersion: string;
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

/** Sends WhatsApp messages through End User Messaging Social's `SendWhatsAppMessage`. */
export class WhatsAppSender {
  private readonly options: Required<Omit<WhatsAppSenderOptions, 'client' | 'metaApiVersion'>>;

  constructor(private readonly settings: WhatsAppSenderOptions) {
    this.options = {
      baseBackoffMs: settings.baseBackoffMs ?? 100,
      maxBackoffMs: settings.maxBackoffMs ?? 2000,
      requestTimeoutMs: settings.requestTimeoutMs ?? 5000,
      clock: settings.clock ?? Date.now,
      sleep: settings.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: settings.random ?? Math.random,
    };
  }

  /**
   * Sends one message, retrying transient failures with exponential backoff until `deadline`
   * (epoch ms).
   *
   * @returns the AWS message id (EventBridge events refer to it), when the API returns one
   * @throws SendFailedError — `permanent` at once, `transient` when the deadline leaves no room to retry
   */
  async send(
    originationPhoneNumberId: string,
    message: Readonly<Record<string, unknown>>,
    deadline: number,
  ): Promise<{ messageId?: string; attempts: number }> {
    const { clock, sleep, random, baseBackoffMs, maxBackoffMs, requestTimeoutMs } = this.options;
    const command = new SendWhatsAppMessageCommand({
      originationPhoneNumberId,
      message: new TextEncoder().encode(JSON.stringify(message)),
      metaApiVersion: this.settings.metaApiVersion,
    });
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - clock();
      try {
        const output = await this.settings.client.send(command, {
          abortSignal: AbortSignal.timeout(Math.max(1, Math.min(requestTimeoutMs, remaining))),
        });
        return { messageId: output.messageId, attempts: attempt };
      } catch (error) {
        const kind = classifySendError(error);
        const errorName = error instanceof Error ? error.name : 'UnknownError';
        const backoff = random() * Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
        if (kind === 'permanent' || clock() + backoff >= deadline) {
          throw new SendFailedError(kind, errorName, attempt, { cause: error });
        }
        await sleep(backoff);
      }
    }
  }
}
