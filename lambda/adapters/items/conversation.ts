/** The conversation item: one customer on one business number. */
import * as z from 'zod/mini';
import { ENTITY } from '../../../contracts';
import { count, optionalText, text } from './common';

/** A conversation: one customer on one business number. */
export interface ConversationItem {
  readonly entity: typeof ENTITY.conversation;
  readonly conversationKey: string;
  readonly businessPhoneNumberId: string;
  readonly customerKey: string;
  readonly customerPhone?: string;
  readonly customerUserId?: string;
  /** A group conversation's group; its `customerKey` is then the group's (groupCustomerKey). */
  readonly groupId?: string;
  readonly originationPhoneNumberId?: string;
  readonly profileName?: string;
  readonly username?: string;
  /** Time of the newest inbound message: the customer-service window opens there. */
  readonly lastInboundAt?: string;
  readonly lastInboundWamid?: string;
  readonly activityBucket?: string;
  /** Until when the bots stay quiet: a person wrote from the WhatsApp Business app (coexistence). */
  readonly humanTakeoverUntil?: string;
  /** Time and wamid of the newest message a person sent from the app. */
  readonly lastHumanReplyAt?: string;
  readonly lastHumanReplyWamid?: string;
  readonly createdAt?: string;
  /** The customer's parent business-scoped user id (linked business portfolios). */
  readonly customerParentUserId?: string;
  /**
   * This conversation turned out to be another's customer (two identifiers of one person, first
   * seen apart): its customer key. Nothing is written here any more; readers follow it.
   */
  readonly mergedInto?: string;
  /** Time of the newest identity change applied (a change of number or BSUID): an older one moves nothing. */
  readonly identityChangedAt?: string;
  /** Customer keys of conversations merged into this one: their records are read with it. */
  readonly mergedFrom?: readonly string[];
  readonly inboundCount: number;
  readonly expiresAt: number;
}

export const conversationSchema = z.object({
  entity: z.literal(ENTITY.conversation),
  conversationKey: text,
  businessPhoneNumberId: text,
  customerKey: text,
  customerPhone: optionalText,
  customerUserId: optionalText,
  groupId: optionalText,
  originationPhoneNumberId: optionalText,
  profileName: optionalText,
  username: optionalText,
  lastInboundAt: optionalText,
  lastInboundWamid: optionalText,
  activityBucket: optionalText,
  humanTakeoverUntil: optionalText,
  lastHumanReplyAt: optionalText,
  lastHumanReplyWamid: optionalText,
  createdAt: optionalText,
  customerParentUserId: optionalText,
  mergedInto: optionalText,
  identityChangedAt: optionalText,
  mergedFrom: z.optional(z.array(text)),
  inboundCount: count,
  expiresAt: count,
});
