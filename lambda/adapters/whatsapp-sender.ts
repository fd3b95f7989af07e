import { SendWhatsAppMessageCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { OutboundPayload } from '../domain/outbound';
import type { SendKind } from '../domain/send-ledger';
import { CallFailedError, type RetryOptions, withRetries } from '../shared/retry';
import type { SendLedgerStore, SendRecord } from './send-ledger-store';

/** Where every send is recorded (docs/send-ledger.md). */
export interface SendLedgerPort {
  readonly store: Pick<SendLedgerStore, 'recordSend'>;
  /**
   * Told when a send could not be recorded. The send stands (it may have reached the customer, so
   * failing it could send it twice); the caller logs and counts it.
   */
  readonly onWriteError: (error: unknown) => void;
}

/** Options of a {@link WhatsAppSender}. */
export interface WhatsAppSenderOptions extends RetryOptions {
  /** A client whose own retries are off (`maxAttempts: 1`): this sender retries within a deadline. */
  readonly client: SocialMessagingClient;
  readonly metaApiVersion: string;
  /**
   * Records every send, accepted, refused or unanswered, in the send ledger.
   * @default no ledger: sends are not followed after the API's answer
   */
  readonly ledger?: SendLedgerPort;
}

/** What a send is for, as the ledger records it. */
export interface SendContext {
  /** `auto-response`, `hook:<name>`, or a fork's own name. */
  readonly sentBy: string;
  readonly businessPhoneNumberId?: string;
  readonly conversationKey?: string;
  /** The wamid of the message it answers, reacts to or marks read. */
  readonly inReplyTo?: string;
}

/** A send nobody named: recorded all the same. */
const UNNAMED: SendContext = { sentBy: 'unnamed' };

const KIND_OF_PAYLOAD = {
  'read-receipt': 'receipt',
  reaction: 'reaction',
  text: 'text',
} as const satisfies Record<OutboundPayload['kind'], SendKind>;

/** What a successful send returns. */
export interface SendResult {
  /** The AWS message id (EventBridge events refer to it), when the API returns one. */
  readonly messageId?: string;
  readonly attempts: number;
}

/**
 * Sends WhatsApp messages through End User Messaging Social's `SendWhatsAppMessage`, which has no
 * idempotency token. Each payload says whether it is idempotent on the customer's screen (a read
 * receipt, the same reaction): only those are repeated after a failure that may have been
 * delivered. A text or a template is never sent twice blindly.
 */
export class WhatsAppSender {
  constructor(private readonly options: WhatsAppSenderOptions) {}

  private now(): string {
    return new Date(this.options.clock?.() ?? Date.now()).toISOString();
  }

  /**
   * Sends one message, retrying transient failures until `deadline` (epoch ms), and records the
   * outcome in the send ledger.
   *
   * @param context - what the send is for, as the ledger records it
   * @throws CallFailedError — `permanent` at once; `transient` when the deadline leaves no room to
   *   retry, or with `ambiguous` set when a non-idempotent payload may have been delivered
   */
  async send(
    originationPhoneNumberId: string,
    payload: OutboundPayload,
    deadline: number,
    context: SendContext = UNNAMED,
  ): Promise<SendResult> {
    const command = new SendWhatsAppMessageCommand({
      originationPhoneNumberId,
      message: new TextEncoder().encode(JSON.stringify(payload.body)),
      metaApiVersion: this.options.metaApiVersion,
    });
    const requestedAt = this.now();
    const base = { kind: KIND_OF_PAYLOAD[payload.kind], originationPhoneNumberId, requestedAt, ...context };
    let result: SendResult;
    try {
      const { value, attempts } = await withRetries(
        (abortSignal) => this.options.client.send(command, { abortSignal }),
        deadline,
        { idempotent: payload.idempotent },
        this.options,
      );
      result = { messageId: value.messageId, attempts };
    } catch (error) {
      await this.record({ ...base, outcome: failureOutcome(error, this.now()) });
      throw error;
    }
    const at = this.now();
    await this.record({
      ...base,
      outcome:
        result.messageId === undefined
          ? {
              kind: 'unknown',
              at,
              error: { name: 'NoMessageId', message: 'The API answered without a message id' },
            }
          : { kind: 'accepted', awsMessageId: result.messageId, at },
    });
    return result;
  }

  private async record(record: SendRecord): Promise<void> {
    const ledger = this.options.ledger;
    if (ledger === undefined) return;
    try {
      await ledger.store.recordSend(record);
    } catch (error) {
      ledger.onWriteError(error);
    }
  }
}

/** How a send that threw ends in the ledger: unknown when it may have been applied, else refused. */
function failureOutcome(error: unknown, at: string): SendRecord['outcome'] {
  const name =
    error instanceof CallFailedError ? error.errorName : error instanceof Error ? error.name : 'Error';
  const recorded = { name, message: error instanceof Error ? error.message : String(error) };
  return error instanceof CallFailedError && error.ambiguous
    ? { kind: 'unknown', at, error: recorded }
    : { kind: 'failed', at, error: recorded, code: name };
}
