import type { Context } from 'aws-lambda';
import { ConversationEventParseError, parseConversationEvent } from '../../events';
import type { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { addressOf, textMessage } from '../../lambda/domain/outbound';
import { serviceWindowOpen } from '../../lambda/domain/service-window';
import type { LoggerPort } from '../../lambda/shared/observability';
import { CallFailedError } from '../../lambda/shared/retry';
import type { ReplyClaims } from './claims';
import { type KeywordReplies, replyFor } from './keywords';

/** What the keyword reply needs. */
export interface KeywordReplyDeps {
  readonly claims: Pick<ReplyClaims, 'claim' | 'settle' | 'release'>;
  readonly sender: Pick<WhatsAppSender, 'send'>;
  readonly keywords: KeywordReplies;
  readonly logger: Pick<LoggerPort, 'info' | 'warn' | 'error'>;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** What the handler did with an event: for logs and tests. */
export type KeywordReplyOutcome =
  | 'not-a-text'
  | 'no-keyword'
  | 'window-closed'
  | 'unrouted'
  | 'no-address'
  | 'already-handled'
  | 'sent'
  | 'failed'
  | 'unknown';

/** A send refused before it was applied (throttled): the claim was released, the event is to be retried. */
export class ReplyDeferredError extends Error {
  public override readonly name = 'ReplyDeferredError';
}

/** Time kept back from the invocation's budget to record the outcome of the send. */
const RECORDING_RESERVE_MS = 2000;

/**
 * Target of `Message Received` (text messages): a text that is a configured keyword, within the
 * customer-service window, gets the configured text, exactly once.
 *
 * A text is not idempotent, so the reply is claimed before it is sent, keyed by the event's stable
 * `eventId`: a redelivered or retried event finds the claim and sends nothing. After a send whose
 * answer was lost (a timeout, a 5xx), the reply may have been delivered: it is recorded as
 * `unknown`, never sent again. Only a refusal before anything happened (throttling) releases the
 * claim, and the event fails so that EventBridge and Lambda retry it.
 */
export function createKeywordReplyHandler(deps: KeywordReplyDeps) {
  const clock = deps.clock ?? (() => new Date());
  return async (raw: unknown, context?: Context): Promise<KeywordReplyOutcome> => {
    let event: ReturnType<typeof parseConversationEvent>;
    try {
      event = parseConversationEvent(raw);
    } catch (error) {
      if (error instanceof ConversationEventParseError) {
        deps.logger.error('Not a conversation event of this schema version; ignored', {
          reason: error.message,
        });
        return 'not-a-text';
      }
      throw error;
    }
    if (event.detailType !== 'Message Received' || event.detail.content.kind !== 'text') return 'not-a-text';
    const message = event.detail;
    const reply = message.content.kind === 'text' ? replyFor(message.content.body, deps.keywords) : undefined;
    if (reply === undefined) return 'no-keyword';
    if (!serviceWindowOpen(message.occurredAt, clock())) return 'window-closed';
    const origination = message.routing.originationPhoneNumberId;
    if (message.routing.kind !== 'routed' || origination === undefined) return 'unrouted';
    const address = addressOf(message.customer);
    if (address === undefined) return 'no-address';

    const key = message.eventId;
    const claim = await deps.claims.claim(key);
    if (!claim.claimed) {
      // `sending` means an earlier attempt stopped mid-send: it may have been delivered.
      deps.logger.info('Keyword reply already handled', { state: claim.existing.state, eventId: key });
      return 'already-handled';
    }
    const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 30_000) - RECORDING_RESERVE_MS;
    try {
      const sent = await deps.sender.send(origination, textMessage(address, reply, message.wamid), deadline);
      await deps.claims.settle(key, { state: 'sent', messageId: sent.messageId });
      deps.logger.info('Keyword reply sent', { eventId: key, attempts: sent.attempts });
      return 'sent';
    } catch (error) {
      if (!(error instanceof CallFailedError)) throw error;
      if (error.kind === 'permanent') {
        await deps.claims.settle(key, { state: 'failed', errorName: error.errorName });
        deps.logger.error('Keyword reply refused; recorded, not retried', {
          eventId: key,
          errorName: error.errorName,
        });
        return 'failed';
      }
      if (error.ambiguous) {
        await deps.claims.settle(key, { state: 'unknown', errorName: error.errorName });
        deps.logger.warn('Keyword reply may have been delivered; recorded as unknown, never sent again', {
          eventId: key,
          errorName: error.errorName,
        });
        return 'unknown';
      }
      await deps.claims.release(key);
      throw new ReplyDeferredError(
        `The keyword reply was refused before sending (${error.errorName}); retry`,
        {
          cause: error,
        },
      );
    }
  };
}
