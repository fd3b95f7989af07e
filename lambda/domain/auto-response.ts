import { type AutoResponsePolicy, isSilentType, type ResponseAction } from '../../contracts';
import type { InboundMessage } from './model';
import { type Address, addressOf } from './outbound';

/** The policy with every default (contracts/auto-response-policy.ts). */
export { DEFAULT_AUTO_RESPONSE_POLICY } from '../../contracts';
export type { AutoResponsePolicy, ResponseAction };

/** Who a reaction goes to. */
export type ReactionAddress = Address;

/** Why an action is not taken. */
export type SkipReason = 'policy' | 'too-old' | 'unrouted' | 'no-address' | 'group' | 'silent';

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
  // An edit or a deletion is never answered, whatever the configuration says.
  if (isSilentType(message.type)) return skipAll('silent');
  if (message.routing.kind !== 'routed') return skipAll('unrouted');
  if (now.getTime() / 1000 - message.timestamp > policy.maxMessageAgeSeconds) return skipAll('too-old');
  const inGroup = message.groupId !== undefined;
  if (inGroup && policy.groups !== true) return skipAll('group');

  const receipt: ActionPlan =
    action === 'none' ? { state: 'skipped', reason: 'policy' } : { state: 'pending' };
  let reaction: ResponsePlan['reaction'];
  if (action !== 'receipt-and-reaction') {
    reaction = { state: 'skipped', reason: 'policy' };
  } else {
    // In a group, the reaction goes to the group, where the message was written.
    const address: ReactionAddress | undefined =
      message.groupId !== undefined ? { group: message.groupId } : addressOf(message.customer);
    reaction =
      address === undefined
        ? { state: 'skipped', reason: 'no-address' }
        : { state: 'pending', emoji: policy.emojiByType[message.type] ?? policy.emoji, address };
  }
  return { receipt, reaction, originationPhoneNumberId: message.routing.originationPhoneNumberId };
}
