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
import {
  type ClaimAnswer,
  classifySendFailure,
  type EffectClaim,
  EffectDeferredError,
  type EffectDone,
  EffectInProgressError,
  type EffectLedger,
  type EffectResult,
  effectErrorOf,
  runOnce,
  type SettledEffect,
} from '../shared/exactly-once';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError } from '../shared/privacy';
import { CallFailedError } from '../shared/retry';
import { type Invocation, type MessageHook, type MessageHookContext, replyContext } from './hooks';

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

/** How the send ledger names the auto-responder's sends. */
export const AUTO_RESPONSE_SENDER = 'auto-response';

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
    await this.run(message, record, invocation, true);
  }

  /**
   * After a redelivery: nothing if every action is done; otherwise claim and resume what is missing.
   *
   * @throws ResponseInProgressError when another live invocation holds the claim (retry later)
   */
  async resume(message: InboundMessage, existing: MessageItem, invocation: Invocation): Promise<void> {
    if (pendingActions(existing.autoResponse).length === 0) return;
    await this.run(message, existing, invocation, false);
  }

  /**
   * The auto-response as one idempotent effect of the exactly-once helper (both actions are
   * harmless to repeat), over the message item's own claim: the helper claims, sends, records and
   * releases by its rules; a transient send is left pending in the recorded outcome, so the retry
   * sends it and only it.
   */
  private async run(
    message: InboundMessage,
    record: MessageItem,
    invocation: Invocation,
    createdNow: boolean,
  ): Promise<void> {
    const ledger = new AutoResponseLedger(
      this.deps.store,
      record,
      createdNow,
      invocation.id,
      this.deps.logger,
    );
    let result: EffectResult<ResponseRun>;
    try {
      result = await runOnce(
        ledger,
        message.wamid,
        invocation,
        {
          idempotent: true,
          // Claims compare with invocation deadlines: wall-clock time, not the records' clock.
          // The retry of this invocation holds the same id, so an unreleased claim costs no delay.
          onReleaseFailed: (error) =>
            this.deps.logger.warn('Could not release the auto-response claim', {
              error: loggableError(error),
            }),
        },
        () => this.send(message, ledger.record, invocation),
      );
    } catch (error) {
      if (error instanceof EffectInProgressError) {
        this.deps.metrics.count(METRIC.autoResponsesDeferred, 1);
        throw new ResponseInProgressError('Another invocation is responding to this message; will retry', {
          cause: error,
        });
      }
      // The claim was released: the error is the send's own, for the retry to meet again.
      if (error instanceof EffectDeferredError) throw error.cause;
      throw error;
    }
    if (!result.fresh || result.record.state !== 'done') return;
    if (!createdNow) this.deps.logger.debug('Resumed an unfinished auto-response');
    const { transient } = result.record;
    if (transient.length > 0) {
      throw transient.length === 1
        ? transient[0]
        : new AggregateError(transient, 'Auto-response sends failed');
    }
  }

  /** Sends what the plan left pending, concurrently: each action's outcome, and the sends left for a retry. */
  private async send(
    message: InboundMessage,
    record: MessageItem,
    invocation: Invocation,
  ): Promise<ResponseRun> {
    const { sender, logger, metrics, policy } = this.deps;
    const origination =
      message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined;
    const plan = record.autoResponse;
    const pending = pendingActions(plan);
    if (plan === undefined || pending.length === 0 || origination === undefined) {
      return { results: {}, transient: [] };
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
        return sender.send(
          origination,
          payload,
          invocation.deadline,
          replyContext(AUTO_RESPONSE_SENDER, message, record),
        );
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
      const failure = classifySendFailure(error);
      if (error instanceof CallFailedError && failure === 'permanent') {
        results[action] = { state: 'failed', error: effectErrorOf(error), at };
        metrics.count(METRIC.autoResponsesFailed, 1, dimension);
        logger.error('Auto-response failed permanently; recorded, not retried', {
          action,
          errorName: error.errorName,
        });
        return;
      }
      if (
        error instanceof CallFailedError &&
        failure === 'ambiguous' &&
        payloads.get(action)?.idempotent === false
      ) {
        // May have been delivered: sending again could show it twice, so it is never repeated.
        results[action] = { state: 'unknown', error: effectErrorOf(error), at };
        metrics.count(METRIC.autoResponsesUnknown, 1, dimension);
        return;
      }
      // Transient: left pending, so the retry of this event sends it (and only it).
      transient.push(error instanceof Error ? error : new Error(String(error)));
      metrics.count(METRIC.autoResponsesRetried, 1, dimension);
    });
    logger.debug('Auto-response outcome', {
      actions: Object.fromEntries(Object.entries(results).map(([a, r]) => [a, r.state])),
    });
    return { results, transient };
  }
}

/** What one auto-response run reports: each action it settled, and the sends left pending for a retry. */
interface ResponseRun extends EffectDone {
  readonly results: Partial<Record<ResponseActionName, ActionRecord>>;
  readonly transient: readonly Error[];
}

/**
 * The exactly-once ledger of one message's auto-response: its claim and outcomes live on the
 * message item (docs/auto-response.md, "Bookkeeping"), so a new message costs no write for its
 * claim (the creating transaction wrote it) and one for both outcomes.
 */
class AutoResponseLedger implements EffectLedger<string, ResponseRun> {
  constructor(
    private readonly store: Pick<ConversationStore, 'claimResponse' | 'recordResponses' | 'releaseClaim'>,
    /** The record as created or found; replaced by the claimed one. */
    public record: MessageItem,
    /** Whether this invocation's own transaction created it, with its claim. */
    private readonly createdNow: boolean,
    private readonly owner: string,
    private readonly logger: Pick<LoggerPort, 'error'>,
  ) {}

  async claim(wamid: string, claim: EffectClaim, nowMs: number): Promise<ClaimAnswer<ResponseRun>> {
    if (pendingActions(this.record.autoResponse).length === 0)
      return { claimed: false, existing: settledOf(this.record) };
    if (this.createdNow && this.record.claim?.owner === claim.owner) return { claimed: true };
    const outcome = await this.store.claimResponse(wamid, claim.owner, claim.expiresAtMs, nowMs);
    if (outcome.claimed) {
      this.record = outcome.record;
      return { claimed: true };
    }
    const current = outcome.record;
    if (current === undefined || pendingActions(current.autoResponse).length === 0) {
      return { claimed: false, existing: settledOf(current ?? this.record) };
    }
    return {
      claimed: false,
      existing: {
        state: 'in-progress',
        owner: current.claim?.owner ?? '',
        token: '',
        expiresAtMs: current.claim?.expiresAtMs ?? Number.POSITIVE_INFINITY,
        at: current.receivedAt ?? '',
      },
    };
  }

  async settle(
    wamid: string,
    _token: string,
    outcome: SettledEffect<ResponseRun>,
  ): Promise<'recorded' | 'claim-lost'> {
    // Both actions are idempotent and the run sorts its own failures: only `done` reaches here.
    const results = outcome.state === 'done' ? outcome.results : {};
    const recorded = await this.store.recordResponses(wamid, this.owner, results);
    if (recorded === 'claim-lost') {
      this.logger.error('Auto-response claim was taken over before the outcome was recorded');
      return 'claim-lost';
    }
    return 'recorded';
  }

  async release(wamid: string): Promise<void> {
    // Conditional on the owner: a claim that is not this invocation's stays.
    await this.store.releaseClaim(wamid, this.owner);
  }
}

/** A message's auto-response as a settled effect: nothing is pending. */
function settledOf(record: MessageItem): SettledEffect<ResponseRun> {
  return { state: 'done', at: record.receivedAt ?? '', results: {}, transient: [] };
}

/** Actions of a stored auto-response whose plan is still pending. */
export function pendingActions(record: AutoResponseRecord | undefined): ResponseActionName[] {
  if (record === undefined) return [];
  return RESPONSE_ACTION_NAMES.filter((action) => record[action].state === 'pending');
}
