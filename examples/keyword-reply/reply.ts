import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ConversationEventParseError, parseConversationEvent } from '../../events';
import type { EffectKey } from '../../lambda/adapters/effect-store';
import type { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { addressOf, textMessage } from '../../lambda/domain/outbound';
import { serviceWindowOpen } from '../../lambda/domain/service-window';
import { EffectDeferredError, type EffectLedger, runOnce } from '../../lambda/shared/exactly-once';
import type { LoggerPort } from '../../lambda/shared/observability';
import { type KeywordReplies, replyFor } from './keywords';

/** What the keyword reply needs. */
export interface KeywordReplyDeps {
  /** Where each reply's claim and outcome are recorded: an EffectStore on the example's table. */
  readonly effects: EffectLedger<EffectKey>;
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
  | 'group'
  | 'already-handled'
  | 'sent'
  | 'failed'
  | 'unknown';

/** A send refused before it was applied (throttled): the claim was released, the event is to be retried. */
export class ReplyDeferredError extends Error {
  public override readonly name = 'ReplyDeferredError';
}

/** The effect key of an event's reply: one per conversation event, by its stable `eventId`. */
export function keywordReplyKey(eventId: string): EffectKey {
  return { scope: `EVENT#${eventId}`, effect: 'keyword-reply' };
}

/** Time kept back from the invocation's budget to record the outcome of the send. */
const RECORDING_RESERVE_MS = 2000;

/**
 * Target of `Message Received` (text messages): a text that is a configured keyword, within the
 * customer-service window, gets the configured text, exactly once.
 *
 * The reply is one exactly-once effect (lambda/shared/exactly-once.ts) keyed by the event's stable
 * `eventId`: a redelivered or retried event finds it settled and sends nothing; a concurrent
 * duplicate fails and is retried later. After a send whose answer was lost (a timeout, a 5xx), the
 * reply may have been delivered: it is recorded `unknown`, never sent again. Only a refusal before
 * anything happened (throttling past the budget) releases the claim, and the event fails so that
 * EventBridge and Lambda retry it.
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
    // A keyword in a group is talk among its members, not a question to the business.
    if (message.groupId !== undefined) return 'group';
    if (!serviceWindowOpen(message.occurredAt, clock())) return 'window-closed';
    const origination = message.routing.originationPhoneNumberId;
    if (message.routing.kind !== 'routed' || origination === undefined) return 'unrouted';
    const address = addressOf(message.customer);
    if (address === undefined) return 'no-address';

    const eventId = message.eventId;
    const end = Date.now() + (context?.getRemainingTimeInMillis() ?? 30_000);
    const invocation = { id: context?.awsRequestId ?? randomUUID(), end };
    const payload = textMessage(address, reply, message.wamid);
    let result: Awaited<ReturnType<typeof runOnce>>;
    try {
      result = await runOnce(
        deps.effects,
        keywordReplyKey(eventId),
        invocation,
        { idempotent: false },
        async () => {
          const sent = await deps.sender.send(origination, payload, end - RECORDING_RESERVE_MS);
          return { reference: sent.messageId, attempts: sent.attempts };
        },
      );
    } catch (error) {
      if (!(error instanceof EffectDeferredError)) throw error;
      throw new ReplyDeferredError('The keyword reply was refused before sending; retry', {
        cause: error.cause,
      });
    }
    const { record } = result;
    if (!result.fresh) {
      deps.logger.info('Keyword reply already handled', { state: record.state, eventId });
      return 'already-handled';
    }
    switch (record.state) {
      case 'done':
        deps.logger.info('Keyword reply sent', { eventId, attempts: record.attempts });
        return 'sent';
      case 'failed':
        deps.logger.error('Keyword reply refused; recorded, not retried', {
          eventId,
          errorName: record.error.name,
        });
        return 'failed';
      case 'unknown':
        deps.logger.warn('Keyword reply may have been delivered; recorded as unknown, never sent again', {
          eventId,
          errorName: record.error.name,
        });
        return 'unknown';
    }
  };
}
