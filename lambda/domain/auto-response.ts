import type { InboundMessage } from './model';

/** What the pipeline does for a type of inbound message. */
export type ResponseAction = 'receipt-and-reaction' | 'receipt' | 'none';

/** The auto-response policy, as configured (see lib/config.ts). */
export interface AutoResponsePolicy {
  /** Action per message type; types not listed get {@link AutoResponsePolicy.defaultAction}. */
  readonly actions: Readonly<Record<string, ResponseAction>>;
  /** Action for unsupported, unknown and future types. */
  readonly defaultAction: ResponseAction;
  /** The reaction emoji. */
  readonly emoji: string;
  /** Per-type emoji overrides. */
  readonly emojiByType: Readonly<Record<string, string>>;
  /** Show "typing…" with the read receipt. */
  readonly typingIndicator: boolean;
  /** Messages older than this get no response, so a replay after an outage does not spam. */
  readonly maxMessageAgeSeconds: number;
}

/**
 * The default policy: a read receipt and a reaction for what a customer writes or sends, nothing
 * for reactions (never react to a reaction) and system notices, a read receipt alone for anything
 * else (unsupported, unknown and future types), and nothing once the 24-hour window has passed.
 */
export const DEFAULT_AUTO_RESPONSE_POLICY: AutoResponsePolicy = {
  actions: {
    text: 'receipt-and-reaction',
    image: 'receipt-and-reaction',
    audio: 'receipt-and-reaction',
    video: 'receipt-and-reaction',
    document: 'receipt-and-reaction',
    sticker: 'receipt-and-reaction',
    location: 'receipt-and-reaction',
    contacts: 'receipt-and-reaction',
    interactive: 'receipt-and-reaction',
    button: 'receipt-and-reaction',
    order: 'receipt-and-reaction',
    reaction: 'none',
    system: 'none',
  },
  defaultAction: 'receipt',
  emoji: '👍',
  emojiByType: {},
  typingIndicator: false,
  maxMessageAgeSeconds: 24 * 60 * 60,
};

/** Who a reaction goes to: a phone number (`to`), or a business-scoped user id (`recipient`). */
export type ReactionAddress = { readonly to: string } | { readonly recipient: string };

/** Why an action is not taken. */
export type SkipReason = 'policy' | 'too-old' | 'unrouted' | 'no-address';

/** The plan for one action. */
export type ActionPlan =
  | { readonly state: 'pending' }
  | { readonly state: 'skipped'; readonly reason: SkipReason };

/** What to send for one inbound message. */
export interface ResponsePlan {
  readonly receipt: ActionPlan;
  readonly reaction: ActionPlan & { readonly emoji?: string; readonly address?: ReactionAddress };
  /** `phone-number-id-…` of the receiving number, when anything is to be sent. */
  readonly originationPhoneNumberId?: string;
}

/**
 * Decides what to send for a new inbound message. Pure: the same message, policy and time always
 * give the same plan, which is stored with the message so a retry sends exactly what is missing.
 */
export function planResponse(message: InboundMessage, policy: AutoResponsePolicy, now: Date): ResponsePlan {
  const action = policy.actions[message.type] ?? policy.defaultAction;
  const skipAll = (reason: SkipReason): ResponsePlan => ({
    receipt: { state: 'skipped', reason },
    reaction: { state: 'skipped', reason },
  });
  if (message.routing.kind !== 'routed') return skipAll('unrouted');
  if (now.getTime() / 1000 - message.timestamp > policy.maxMessageAgeSeconds) return skipAll('too-old');

  const receipt: ActionPlan =
    action === 'none' ? { state: 'skipped', reason: 'policy' } : { state: 'pending' };
  let reaction: ResponsePlan['reaction'];
  if (action !== 'receipt-and-reaction') {
    reaction = { state: 'skipped', reason: 'policy' };
  } else {
    // Reply to `from`, never to `contacts[].wa_id` (AWS's own example has them differ).
    const address: ReactionAddress | undefined =
      message.customer.phone !== undefined
        ? { to: message.customer.phone }
        : message.customer.userId !== undefined
          ? { recipient: message.customer.userId }
          : undefined;
    reaction =
      address === undefined
        ? { state: 'skipped', reason: 'no-address' }
        : { state: 'pending', emoji: policy.emojiByType[message.type] ?? policy.emoji, address };
  }
  return { receipt, reaction, originationPhoneNumberId: message.routing.originationPhoneNumberId };
}

/** The WhatsApp message that marks an inbound message read (two blue ticks), optionally with "typing…". */
export function readReceiptPayload(wamid: string, typingIndicator: boolean): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    message_id: wamid,
    status: 'read',
    ...(typingIndicator ? { typing_indicator: { type: 'text' } } : {}),
  };
}

/** The WhatsApp message that reacts to an inbound message with an emoji. */
export function reactionPayload(
  wamid: string,
  emoji: string,
  address: ReactionAddress,
): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...address,
    type: 'reaction',
    reaction: { message_id: wamid, emoji },
  };
}
