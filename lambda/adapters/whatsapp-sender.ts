import { SendWhatsAppMessageCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { OutboundPayload } from '../domain/outbound';
import { type RetryOptions, withRetries } from '../shared/retry';

/** Options of a {@link WhatsAppSender}. */
export interface WhatsAppSenderOptions extends RetryOptions {
  /** A client whose own retries are off (`maxAttempts: 1`): this sender retries within a deadline. */
  readonly client: SocialMessagingClient;
  readonly metaApiVersion: string;
}

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

  /**
   * Sends one message, retrying transient failures until `deadline` (epoch ms).
   *
   * @throws CallFailedError — `permanent` at once; `transient` when the deadline leaves no room to
   *   retry, or with `ambiguous` set when a non-idempotent payload may have been delivered
   */
  async send(
    originationPhoneNumberId: string,
    payload: OutboundPayload,
    deadline: number,
  ): Promise<SendResult> {
    const command = new SendWhatsAppMessageCommand({
      originationPhoneNumberId,
      message: new TextEncoder().encode(JSON.stringify(payload.body)),
      metaApiVersion: this.options.metaApiVersion,
    });
    const { value, attempts } = await withRetries(
      (abortSignal) => this.options.client.send(command, { abortSignal }),
      deadline,
      { idempotent: payload.idempotent },
      this.options,
    );
    return { messageId: value.messageId, attempts };
  }
}
