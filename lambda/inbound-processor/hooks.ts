/**
 * The in-process seam of the processor: what must happen for a message before the handler returns
 * (within one round trip of it), such as the read receipt and reaction. Most extensions belong on
 * the conversation event bus instead (README, "Build on it"): a hook runs inside the processor's
 * time budget, and its failure makes the whole notification retry.
 */
import { messageKey } from '../../contracts';
import type { NewAutoResponse } from '../adapters/conversation-store';
import type { EffectKey } from '../adapters/effect-store';
import type { MessageItem } from '../adapters/items';
import type { SendContext, SendResult, WhatsAppSender } from '../adapters/whatsapp-sender';
import type { InboundMessage, Routing } from '../domain/model';
import {
  addressOf,
  InvalidAddressError,
  type OutboundPayload,
  reaction,
  readReceipt,
  textMessage,
} from '../domain/outbound';
import { type EffectDone, type EffectLedger, type EffectResult, runOnce } from '../shared/exactly-once';

/** One invocation's identity and time budget. */
export interface Invocation {
  /**
   * The Lambda request id: it owns claims. Lambda keeps it when it retries an asynchronous
   * invocation, so the retry of a failed invocation finds the claim already its own.
   */
  readonly id: string;
  /** Epoch ms by which sending must stop, leaving time to record the outcome. */
  readonly deadline: number;
  /** Epoch ms at which the invocation ends for sure: claims expire then. */
  readonly end: number;
}

/**
 * Sends to the customer of one message, from the number that received it. Read receipts and
 * reactions are idempotent on the customer's screen, so they are retried within the deadline even
 * after a failure that may have been delivered. A text is not: each {@link reply} is an
 * exactly-once effect of the hook (lambda/shared/exactly-once.ts).
 */
export interface ReplySender {
  /** Marks the message (and the chat before it) read; optionally shows "typing…". */
  markRead(options?: { readonly typingIndicator?: boolean }): Promise<SendResult>;
  /** Reacts to the message. */
  react(emoji: string): Promise<SendResult>;
  /**
   * Replies with a text, quoting the message, exactly once for this hook's n-th reply to this
   * message across every redelivery and retry. The answer says how it ended: `done` (with the AWS
   * message id as `reference`), `failed` (refused for good) or `unknown` (it may have been
   * delivered, so it is never sent again); `fresh` is false when an earlier attempt settled it.
   *
   * @throws EffectDeferredError when the send was refused until the deadline (throttled): the
   *   notification fails and its retry sends once
   * @throws EffectInProgressError when another live invocation is sending it
   */
  reply(text: string): Promise<EffectResult>;
}

/** Options of {@link MessageHookContext.once}. */
export interface OnceOptions {
  /** Doing it twice is harmless: an ambiguous failure or a stale claim is retried, not recorded `unknown`. */
  readonly idempotent: boolean;
}

/** What a hook is given for one message. */
export interface MessageHookContext {
  readonly message: InboundMessage;
  /** The stored record: as this invocation created it, or (redelivered) as it was found. */
  readonly record: MessageItem;
  readonly routing: Routing;
  readonly invocation: Invocation;
  /** Milliseconds left before {@link Invocation.deadline}. */
  remainingMs(): number;
  /**
   * Absent when the message was not routed to a number of this account, was written in a group
   * (a reply would reach the participant alone), is an edit or a deletion (never answered), or
   * sending is off.
   */
  readonly send?: ReplySender;
  /**
   * Runs a side effect of this hook for this message exactly once (a CRM call, a ticket), keyed by
   * `effect`: settled before, it is not run again, and its record is the answer. Errors are sorted
   * as a send's are (lambda/shared/exactly-once.ts); pass an idempotent act where you can.
   */
  once(effect: string, options: OnceOptions, act: () => Promise<EffectDone>): Promise<EffectResult>;
}

/**
 * A step the processor runs for each recorded message. It must be idempotent: a notification is
 * retried when any of its items fails, and Meta and SNS deliver at least once.
 */
export interface MessageHook {
  /** For logs and errors. */
  readonly name: string;
  /**
   * What to write with the new message record, in the same transaction (the auto-responder's plan
   * and claim). At most one registered hook may have it.
   */
  plan?(message: InboundMessage, invocation: Invocation): NewAutoResponse | undefined;
  /** The message was recorded by this invocation. */
  onRecorded(context: MessageHookContext): Promise<void>;
  /**
   * The message had been recorded before (a redelivery, or the retry of a failed notification):
   * finish what an earlier attempt left undone.
   * @default - onRecorded again: its replies and `once` effects are exactly-once, so only what is
   *   missing happens
   */
  onRedelivered?(context: MessageHookContext): Promise<void>;
}

/** A value that is not a {@link MessageHook} where one was registered. */
export function isMessageHook(value: unknown): value is MessageHook {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    value.name !== '' &&
    'onRecorded' in value &&
    typeof value.onRecorded === 'function'
  );
}

/** Hooks that cannot work together. */
export class HookRegistrationError extends Error {
  public override readonly name = 'HookRegistrationError';
}

/** Checks a list of hooks: unique names, and at most one that plans. */
export function checkedHooks(hooks: readonly MessageHook[]): readonly MessageHook[] {
  const names = hooks.map((h) => h.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new HookRegistrationError(`Two message hooks are named "${duplicate}"`);
  const planners = hooks.filter((h) => h.plan !== undefined).map((h) => h.name);
  if (planners.length > 1) {
    throw new HookRegistrationError(
      `Only one message hook may plan what is written with a message; ${planners.join(' and ')} both do`,
    );
  }
  return hooks;
}

/** The effect key of a hook's effect on a message: beside the message, named by the hook. */
export function hookEffectKey(wamid: string, hookName: string, effect: string): EffectKey {
  return { scope: messageKey(wamid).pk, effect: `hook#${hookName}#${effect}` };
}

/** What a hook's exactly-once effects need: the ledger, the invocation, and the clock. */
export interface HookEffects {
  readonly ledger: EffectLedger<EffectKey>;
  readonly hookName: string;
  readonly invocation: Invocation;
  readonly clock?: () => number;
}

/** {@link MessageHookContext.once} for one hook and message. */
export function hookOnce(effects: HookEffects, message: InboundMessage): MessageHookContext['once'] {
  return (effect, options, act) =>
    runOnce(
      effects.ledger,
      hookEffectKey(message.wamid, effects.hookName, effect),
      effects.invocation,
      { idempotent: options.idempotent, clock: effects.clock },
      act,
    );
}

/** What the send ledger records of a send answering `message`, made by `sentBy`. */
export function replyContext(
  sentBy: string,
  message: InboundMessage,
  record: Pick<MessageItem, 'conversationKey'>,
): SendContext {
  return {
    sentBy,
    businessPhoneNumberId: message.source.businessPhoneNumberId,
    conversationKey: record.conversationKey,
    inReplyTo: message.wamid,
  };
}

/**
 * A {@link ReplySender} for one hook and message, over the WhatsApp sender; each reply goes
 * through the hook's `once`, the same its context exposes.
 */
export function replySender(
  sender: Pick<WhatsAppSender, 'send'>,
  message: InboundMessage,
  originationPhoneNumberId: string,
  deadline: number,
  once: MessageHookContext['once'],
  about: SendContext,
): ReplySender {
  const send = (payload: OutboundPayload) => sender.send(originationPhoneNumberId, payload, deadline, about);
  // The n-th reply of this hook's run: a hook that answers the same way each time gets the same keys.
  let replies = 0;
  const to = () => {
    const address = addressOf(message.customer);
    if (address === undefined) throw new InvalidAddressError('The customer has no phone number or user id');
    return address;
  };
  return {
    markRead: (options) => send(readReceipt(message.wamid, options?.typingIndicator ?? false)),
    react: async (emoji) => send(reaction(message.wamid, emoji, to())),
    reply: async (text) => {
      replies += 1;
      const payload = textMessage(to(), text, message.wamid);
      return once(`reply#${replies}`, { idempotent: payload.idempotent }, async () => {
        const sent = await send(payload);
        return { reference: sent.messageId, attempts: sent.attempts };
      });
    },
  };
}
