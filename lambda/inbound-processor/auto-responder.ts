import { DIMENSION, METRIC } from '../../contracts';
import type { ConversationStore, NewAutoResponse } from '../adapters/conversation-store';
import {
  type ActionRecord,
  type AutoResponseRecord,
  type MessageItem,
  RESPONSE_ACTION_NAMES,
  type ResponseActionName,
} from '../adapters/items';
import type { WhatsAppSender } from '../adapters/whatsapp-sender';
import { type AutoResponsePolicy, planResponse } from '../domain/auto-response';
import { MESSAGE_TYPE_REGISTRY, type MessageTypeRegistry, typeDimension } from '../domain/message-types';
import type { InboundMessage } from '../domain/model';
import { type OutboundPayload, reaction, readReceipt } from '../domain/outbound';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError } from '../shared/privacy';
import { CallFailedError } from '../shared/retry';
import type { Invocation, MessageHook, MessageHookContext } from './hooks';

/** Another invocation is sending this message's auto-response right now; retry later. */
export class ResponseInProgressError extends Error {
  public override readonly name = 'ResponseInProgressError';
}

/** What the responder needs. */
export interface AutoResponderDeps {
  readonly store: Pick<ConversationStore, 'claimResponse' | 'recordResponses' | 'releaseClaim'>;
  readonly sender: Pick<WhatsAppSender, 'send'>;
  readonly policy: AutoResponsePolicy;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /**
   * The message types, for the `type` dimension of `AutoResponsesSent`.
   * @default MESSAGE_TYPE_REGISTRY
   */
  readonly registry?: MessageTypeRegistry;
  readonly clock?: () => Date;
}

/**
 * Sends each new inbound message its read receipt and reaction, exactly once per wamid and action.
 *
 * The plan and a claim are written with the message itself (no extra write). After sending, one
 * write records the AWS message ids and releases the claim. A redelivery finds the recorded plan:
 * done actions are not sent again; unfinished ones are resumed by whoever claims them, and a claim
 * can only be taken from an invocation that has ended (or by the retry of the same invocation).
 */
export class AutoResponder implements MessageHook {
  public readonly name = 'auto-response';
  private readonly clock: () => Date;

  constructor(private readonly deps: AutoResponderDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** {@link MessageHook.plan}: the plan and claim, written with the message. */
  plan(message: InboundMessage, invocation: Invocation): NewAutoResponse {
    return this.creation(message, invocation);
  }

  /** {@link MessageHook.onRecorded}: sends what the plan left pending. */
  async onRecorded(context: MessageHookContext): Promise<void> {
    await this.respondToNew(context.message, context.record, context.invocation);
  }

  /** {@link MessageHook.onRedelivered}: resumes an unfinished auto-response. */
  async onRedelivered(context: MessageHookContext): Promise<void> {
    await this.resume(context.message, context.record, context.invocation);
  }

  /** The auto-response of a new message record: the plan, and this invocation's claim if anything is to be sent. */
  creation(message: InboundMessage, invocation: Invocation): NewAutoResponse {
    const plan = planResponse(message, this.deps.policy, this.clock());
    const record: AutoResponseRecord = {
      receipt: plan.receipt,
      reaction:
        plan.reaction.state === 'pending'
          ? { state: 'pending', emoji: plan.reaction.emoji, address: plan.reaction.address }
          : plan.reaction,
    };
    const pending = pendingActions(record).length > 0;
    return pending ? { record, claim: { owner: invocation.id, expiresAtMs: invocation.end } } : { record };
  }

  /** After this invocation created the message: send what the plan left pending. */
  async respondToNew(message: InboundMessage, record: MessageItem, invocation: Invocation): Promise<void> {
    await this.executeReleasingOnFailure(message, record, invocation);
  }

  /**
   * After a redelivery: nothing if every action is done; otherwise claim and resume what is missing.
   *
   * @throws ResponseInProgressError when another live invocation holds the claim (retry later)
   */
  async resume(message: InboundMessage, existing: MessageItem, invocation: Invocation): Promise<void> {
    if (pendingActions(existing.autoResponse).length === 0) return;
    const claim = await this.deps.store.claimResponse(message.wamid, invocation.id, invocation.end);
    if (!claim.claimed) {
      if (pendingActions(claim.record?.autoResponse).length === 0) return;
      this.deps.metrics.count(METRIC.autoResponsesDeferred, 1);
      throw new ResponseInProgressError('Another invocation is responding to this message; will retry');
    }
    this.deps.logger.debug('Resuming an unfinished auto-response');
    await this.executeReleasingOnFailure(message, claim.record, invocation);
  }

  /** Runs the plan; if anything throws before the outcome is recorded, the claim is given up at once. */
  private async executeReleasingOnFailure(
    message: InboundMessage,
    record: MessageItem,
    invocation: Invocation,
  ) {
    let recorded = false;
    try {
      const outcome = await this.execute(message, record, invocation);
      recorded = outcome.recorded;
      const { transient } = outcome;
      if (transient.length > 0) {
        throw transient.length === 1
          ? transient[0]
          : new AggregateError(transient, 'Auto-response sends failed');
      }
    } finally {
      if (!recorded && record.claim?.owner === invocation.id) {
        await this.deps.store.releaseClaim(message.wamid, invocation.id).catch((error: unknown) => {
          // The retry of this invocation holds the same id, so an unreleased claim costs no delay.
          this.deps.logger.warn('Could not release the auto-response claim', { error: loggableError(error) });
        });
      }
    }
  }

  /** @returns whether the outcome was recorded (which releases the claim), and the sends left for a retry */
  private async execute(
    message: InboundMessage,
    record: MessageItem,
    invocation: Invocation,
  ): Promise<{ recorded: boolean; transient: Error[] }> {
    const { sender, store, logger, metrics, policy } = this.deps;
    const origination =
      message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined;
    const plan = record.autoResponse;
    const pending = pendingActions(plan);
    if (plan === undefined || pending.length === 0 || origination === undefined) {
      return { recorded: false, transient: [] };
    }

    const payloadOf = (action: ResponseActionName): OutboundPayload => {
      if (action === 'receipt') return readReceipt(message.wamid, policy.typingIndicator);
      const planned = plan.reaction;
      if (planned.state !== 'pending' || planned.emoji === undefined || planned.address === undefined) {
        throw new Error('The stored reaction plan has no emoji or address');
      }
      return reaction(message.wamid, planned.emoji, planned.address);
    };
    // Receipt and reaction go out concurrently: the customer sees both within one round trip.
    const payloads = new Map<ResponseActionName, OutboundPayload>();
    const settled = await Promise.allSettled(
      pending.map(async (action) => {
        const payload = payloadOf(action);
        payloads.set(action, payload);
        return sender.send(origination, payload, invocation.deadline);
      }),
    );

    const results: Partial<Record<ResponseActionName, ActionRecord>> = {};
    const transient: Error[] = [];
    const at = this.clock().toISOString();
    // Sends are counted by the answered message's type, as InboundMessages is, so the normal path
    // publishes one EMF document per message; what went wrong is counted by action.
    const sentDimension = {
      name: DIMENSION.type,
      value: typeDimension(this.deps.registry ?? MESSAGE_TYPE_REGISTRY, message.type),
    };
    settled.forEach((outcome, i) => {
      const action = pending[i];
      if (action === undefined) return;
      const dimension = { name: 'action', value: action };
      if (outcome.status === 'fulfilled') {
        const planned = plan[action];
        results[action] = {
          state: 'sent',
          messageId: outcome.value.messageId,
          at,
          attempts: outcome.value.attempts,
          emoji: planned.state === 'pending' ? planned.emoji : undefined,
        };
        metrics.count(METRIC.autoResponsesSent, 1, sentDimension);
        return;
      }
      const error = outcome.reason;
      if (error instanceof CallFailedError && error.kind === 'permanent') {
        results[action] = { state: 'failed', error: sendErrorOf(error), at };
        metrics.count(METRIC.autoResponsesFailed, 1, dimension);
        logger.error('Auto-response failed permanently; recorded, not retried', {
          action,
          errorName: error.errorName,
        });
        return;
      }
      if (error instanceof CallFailedError && error.ambiguous && payloads.get(action)?.idempotent === false) {
        // May have been delivered: sending again could show it twice, so it is never repeated.
        results[action] = { state: 'unknown', error: sendErrorOf(error), at };
        metrics.count(METRIC.autoResponsesUnknown, 1, dimension);
        return;
      }
      // Transient: left pending, so the retry of this event sends it (and only it).
      transient.push(error instanceof Error ? error : new Error(String(error)));
      metrics.count(METRIC.autoResponsesRetried, 1, dimension);
    });

    const outcome = await store.recordResponses(message.wamid, invocation.id, results);
    if (outcome === 'claim-lost') {
      logger.error('Auto-response claim was taken over before the outcome was recorded');
    }
    logger.debug('Auto-response outcome', {
      actions: Object.fromEntries(Object.entries(results).map(([a, r]) => [a, r.state])),
    });
    return { recorded: true, transient };
  }
}

function sendErrorOf(error: CallFailedError): { name: string; message: string } {
  return {
    name: error.errorName,
    message: error.cause instanceof Error ? error.cause.message : error.message,
  };
}

/** Actions of a stored auto-response whose plan is still pending. */
export function pendingActions(record: AutoResponseRecord | undefined): ResponseActionName[] {
  if (record === undefined) return [];
  return RESPONSE_ACTION_NAMES.filter((action) => record[action].state === 'pending');
}
