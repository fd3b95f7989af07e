/**
 * The in-process seam of the processor: what must happen for a message before the handler returns
 * (within one round trip of it), such as the read receipt and reaction. Most extensions belong on
 * the conversation event bus instead (README, "Build on it"): a hook runs inside the processor's
 * time budget, and its failure makes the whole notification retry.
 */
import type { NewAutoResponse } from '../adapters/conversation-store';
import type { MessageItem } from '../adapters/items';
import type { SendResult, WhatsAppSender } from '../adapters/whatsapp-sender';
import type { InboundMessage, Routing } from '../domain/model';
import {
  addressOf,
  InvalidAddressError,
  type OutboundPayload,
  reaction,
  readReceipt,
  textMessage,
} from '../domain/outbound';

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
 * after a failure that may have been delivered; a text never is (CallFailedError with `ambiguous`).
 */
export interface ReplySender {
  /** Marks the message (and the chat before it) read; optionally shows "typing…". */
  markRead(options?: { readonly typingIndicator?: boolean }): Promise<SendResult>;
  /** Reacts to the message. */
  react(emoji: string): Promise<SendResult>;
  /** Replies with a text, quoting the message. Not idempotent: sent at most once per call. */
  reply(text: string): Promise<SendResult>;
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
  /** Absent when the message was not routed to a number of this account, or sending is off. */
  readonly send?: ReplySender;
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
  /** The message had been recorded before (a redelivery): finish what an earlier attempt left undone. */
  onRedelivered?(context: MessageHookContext): Promise<void>;
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

/** A {@link ReplySender} for one message, over the WhatsApp sender. */
export function replySender(
  sender: Pick<WhatsAppSender, 'send'>,
  message: InboundMessage,
  originationPhoneNumberId: string,
  deadline: number,
): ReplySender {
  const send = (payload: OutboundPayload) => sender.send(originationPhoneNumberId, payload, deadline);
  const to = () => {
    const address = addressOf(message.customer);
    if (address === undefined) throw new InvalidAddressError('The customer has no phone number or user id');
    return address;
  };
  return {
    markRead: (options) => send(readReceipt(message.wamid, options?.typingIndicator ?? false)),
    react: async (emoji) => send(reaction(message.wamid, emoji, to())),
    reply: async (text) => send(textMessage(to(), text, message.wamid)),
  };
}
