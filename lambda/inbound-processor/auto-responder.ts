import type { ActionRecord, ConversationStore, ResponseActionName } from '../adapters/conversation-store';
import { SendFailedError, type WhatsAppSender } from '../adapters/whatsapp-sender';
import {
  type AutoResponsePolicy,
  planResponse,
  type ReactionAddress,
  reactionPayload,
  readReceiptPayload,
} from '../domain/auto-response';
import type { InboundMessage } from '../domain/model';
import type { LoggerPort, MetricsPort } from '../shared/observability';

/** Another invocation is sending this message's auto-response right now; retry later. */
export class ResponseInProgressError extends Error {
  public override readonly name = 'ResponseInProgressError';
}

/** What the responder needs. */
export interface AutoResponderDeps {
  readonly store: Pick<ConversationStore, 'claimResponse' | 'recordResponses'>;
  readonly sender: Pick<WhatsAppSender, 'send'>;
  readonly policy: AutoResponsePolicy;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  readonly clock?: () => Date;
}

/** One invocation's identity and time budget. */
export interface Invocation {
  /** Unique per invocation (the Lambda request id): owns claims. */
  readonly id: string;
  /** Epoch ms by which sending must stop, leaving time to record the outcome. */
  readonly deadline: number;
  /** Epoch ms at which the invocation ends for sure: claims expire then. */
  readonly end: number;
}

const ACTIONS: readonly ResponseActionName[] = ['receipt', 'reaction'];

/**
 * Sends each new inbound message its read receipt and reaction, exactly once per wamid and action.
 *
 * The plan and a claim are written with the message itself (no extra write). After sending, one
 * write records the AWS message ids and releases the claim. A redelivery finds the recorded plan:
 * done actions are not sent again; unfinished ones are resumed by whoever claims them, and a claim
 * can only be taken from an invocation that has ended.
 */
export class AutoResponder {
  private readonly clock: () => Date;

  constructor(private readonly deps: AutoResponderDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Attributes of a new message record: the plan, and this invocation's claim if anything is to be sent. */
  creationAttributes(message: InboundMessage, invocation: Invocation): Record<string, unknown> {
    const plan = planResponse(message, this.deps.policy, this.clock());
    const pending = plan.receipt.state === 'pending' || plan.reaction.state === 'pending';
    return {
      autoResponse: { receipt: plan.receipt, reaction: plan.reaction },
      ...(pending ? { claimedBy: invocation.id, claimExpiresAt: invocation.end } : {}),
    };
  }

  /** After this invocation created the message: send what the plan left pending. */
  async respondToNew(
    message: InboundMessage,
    record: Readonly<Record<string, unknown>>,
    invocation: Invocation,
  ) {
    await this.execute(message, record, invocation);
  }

  /**
   * After a redelivery: nothing if every action is done; otherwise claim and resume what is missing.
   *
   * @throws ResponseInProgressError when another live invocation holds the claim (retry later)
   */
  async resume(message: InboundMessage, existing: Readonly<Record<string, unknown>>, invocation: Invocation) {
    if (pendingActions(existing).length === 0) return;
    const claim = await this.deps.store.claimResponse(message.wamid, invocation.id, invocation.end);
    if (!claim.claimed) {
      if (pendingActions(claim.record).length === 0) return;
      this.deps.metrics.count('AutoResponsesDeferred', 1);
      throw new ResponseInProgressError(`Another invocation is responding to ${message.wamid}; will retry`);
    }
    this.deps.logger.info('Resuming an unfinished auto-response', { wamid: message.wamid });
    await this.execute(message, claim.record, invocation);
  }

  private async execute(
    message: InboundMessage,
    record: Readonly<Record<string, unknown>>,
    invocation: Invocation,
  ) {
    const { sender, store, logger, metrics, policy } = this.deps;
    const origination =
      message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined;
    const pending = pendingActions(record);
    if (pending.length === 0 || origination === undefined) return;

    const payloads: Record<ResponseActionName, () => Record<string, unknown>> = {
      receipt: () => readReceiptPayload(message.wamid, policy.typingIndicator),
      reaction: () => {
        const plan = actionOf(record, 'reaction');
        const emoji = plan?.state === 'pending' ? plan.emoji : undefined;
        const address = plan?.state === 'pending' ? toAddress(plan.address) : undefined;
        if (emoji === undefined || address === undefined) {
          throw new Error(`The stored reaction plan of ${message.wamid} has no emoji or address`);
        }
        return reactionPayload(message.wamid, emoji, address);
      },
    };
    // Receipt and reaction go out concurrently: the customer sees both within one round trip.
    const settled = await Promise.allSettled(
      pending.map(async (action) => sender.send(origination, payloads[action](), invocation.deadline)),
    );

    const results: Partial<Record<ResponseActionName, ActionRecord>> = {};
    const transient: Error[] = [];
    const at = this.clock().toISOString();
    settled.forEach((outcome, i) => {
      const action = pending[i];
      if (action === undefined) return;
      if (outcome.status === 'fulfilled') {
        const planned = actionOf(record, action);
        results[action] = {
          state: 'sent',
          messageId: outcome.value.messageId,
          at,
          attempts: outcome.value.attempts,
          emoji: planned?.state === 'pending' ? planned.emoji : undefined,
        };
        metrics.count('AutoResponsesSent', 1, { name: 'action', value: action });
        return;
      }
      const error = outcome.reason;
      if (error instanceof SendFailedError && error.kind === 'permanent') {
        const message = error.cause instanceof Error ? error.cause.message : error.message;
        results[action] = { state: 'failed', error: { name: error.errorName, message }, at };
        metrics.count('AutoResponsesFailed', 1, { name: 'action', value: action });
        logger.error('Auto-response failed permanently; recorded, not retried', {
          action,
          errorName: error.errorName,
        });
        return;
      }
      // Transient: left pending, so the retry of this event sends it (and only it).
      transient.push(error instanceof Error ? error : new Error(String(error)));
      metrics.count('AutoResponsesRetried', 1, { name: 'action', value: action });
    });

    const stillOurs = await store.recordResponses(message.wamid, invocation.id, results);
    if (!stillOurs) {
      logger.error('Auto-response claim was taken over before the outcome was recorded', {
        wamid: message.wamid,
      });
    }
    logger.info('Auto-response sent', {
      wamid: message.wamid,
      actions: Object.fromEntries(Object.entries(results).map(([a, r]) => [a, r.state])),
    });
    if (transient.length > 0) {
      throw transient.length === 1
        ? transient[0]
        : new AggregateError(transient, 'Auto-response sends failed');
    }
  }
}

function actionOf(
  record: Readonly<Record<string, unknown>>,
  action: ResponseActionName,
): ActionRecord | undefined {
  const autoResponse = record.autoResponse;
  if (typeof autoResponse !== 'object' || autoResponse === null || !(action in autoResponse))
    return undefined;
  const value: unknown = Reflect.get(autoResponse, action);
  return isActionRecord(value) ? value : undefined;
}

function isActionRecord(value: unknown): value is ActionRecord {
  return typeof value === 'object' && value !== null && 'state' in value && typeof value.state === 'string';
}

/** Actions of a stored message whose plan is still pending. */
export function pendingActions(record: Readonly<Record<string, unknown>>): ResponseActionName[] {
  return ACTIONS.filter((action) => actionOf(record, action)?.state === 'pending');
}

function toAddress(address: Readonly<Record<string, string>> | undefined): ReactionAddress | undefined {
  if (address?.to !== undefined) return { to: address.to };
  if (address?.recipient !== undefined) return { recipient: address.recipient };
  return undefined;
}
