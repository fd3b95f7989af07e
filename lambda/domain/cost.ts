/**
 * What a message costs, as Meta reports it on its statuses (per-message pricing since 1 July
 * 2025): each status carries `pricing` with a category (marketing, utility, authentication, …) and
 * a type (`regular`, or free: `free_customer_service`, `free_entry_point`). Each wamid counts once
 * per category, on the UTC day of the first status that reported it (docs/cost.md).
 */
import type { StatusUpdate } from './model';

/** Pricing types Meta does not charge for. */
export const FREE_PRICING_TYPES: readonly string[] = ['free_customer_service', 'free_entry_point'];

/** One message to count in its price category. */
export interface PricedMessage {
  readonly wamid: string;
  readonly businessPhoneNumberId: string;
  readonly category: string;
  /** Meta's `pricing.type`, or `regular` / `free` from the deprecated `billable` when it is absent. */
  readonly pricingType: string;
  readonly billable: boolean;
  /** UTC day (`YYYY-MM-DD`) of the status that reported the price. */
  readonly day: string;
  readonly at: string;
}

/**
 * The message a status prices, if it carries a price category: statuses without `pricing` (a
 * `read`, a `failed`) or without a category price nothing.
 */
export function pricedMessageOf(
  status: Pick<StatusUpdate, 'wamid' | 'source' | 'timestamp' | 'pricing'>,
): PricedMessage | undefined {
  const category = status.pricing?.category;
  if (category === undefined) return undefined;
  const pricingType = status.pricing?.type ?? (status.pricing?.billable === false ? 'free' : 'regular');
  const at = new Date(status.timestamp * 1000).toISOString();
  return {
    wamid: status.wamid,
    businessPhoneNumberId: status.source.businessPhoneNumberId,
    category,
    pricingType,
    billable: pricingType !== 'free' && !FREE_PRICING_TYPES.includes(pricingType),
    day: at.slice(0, 10),
    at,
  };
}
