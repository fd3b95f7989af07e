/** The cost items: a message counted in its price category, and a day's count per category. */
import * as z from 'zod/mini';
import { costTotalKey, ENTITY, pricedMessageKey, type TableKey } from '../../../contracts';
import { count, text } from './common';

/** That a message was counted in its price category (beside the message: `MSG#<wamid>`). */
export interface PricedMessageItem {
  readonly entity: typeof ENTITY.pricedMessage;
  readonly wamid: string;
  readonly businessPhoneNumberId: string;
  readonly category: string;
  readonly pricingType: string;
  readonly day: string;
  readonly countedAt: string;
  readonly expiresAt: number;
}

/** One UTC day's messages of a business number in one price category and pricing type. */
export interface CostTotalItem {
  readonly entity: typeof ENTITY.costTotal;
  readonly businessPhoneNumberId: string;
  readonly day: string;
  readonly category: string;
  readonly pricingType: string;
  /** Whether Meta charges for this type (`regular`), or not (`free_customer_service`, `free_entry_point`). */
  readonly billable: boolean;
  /** The recipients' calling code, when Meta gave their phone number. */
  readonly callingCode?: string;
  /** The region of recipients Meta named by business-scoped user id only. */
  readonly region?: string;
  readonly messages: number;
  readonly expiresAt: number;
}

export function pricedMessageItemKey(item: Pick<PricedMessageItem, 'wamid' | 'category'>): TableKey {
  return pricedMessageKey(item.wamid, item.category);
}

export function costTotalItemKey(
  item: Pick<
    CostTotalItem,
    'businessPhoneNumberId' | 'day' | 'category' | 'pricingType' | 'callingCode' | 'region'
  >,
): TableKey {
  return costTotalKey(item.day, item.businessPhoneNumberId, item.category, item.pricingType, item);
}

export const pricedMessageSchema = z.object({
  entity: z.literal(ENTITY.pricedMessage),
  wamid: text,
  businessPhoneNumberId: text,
  category: text,
  pricingType: text,
  day: text,
  countedAt: text,
  expiresAt: count,
});

export const costTotalSchema = z.object({
  entity: z.literal(ENTITY.costTotal),
  businessPhoneNumberId: text,
  day: text,
  category: text,
  pricingType: text,
  billable: z.boolean(),
  callingCode: z.optional(text),
  region: z.optional(text),
  messages: count,
  expiresAt: count,
});
