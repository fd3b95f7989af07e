/**
 * What a message costs, as Meta reports it on its statuses (per-message pricing since 1 July
 * 2025): each status carries `pricing` with a category (marketing, utility, authentication, …) and
 * a type (`regular`, or free: `free_customer_service`, `free_entry_point`). Each wamid counts once
 * per category, on the UTC day of the first status that reported it (docs/cost.md).
 */
import { callingCodeOf, type RateCard, type RecipientMarket } from '../../contracts';
import type { Customer, StatusUpdate } from './model';

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
  /** Where the recipient is, as a rate card prices it. */
  readonly market: RecipientMarket;
  /** UTC day (`YYYY-MM-DD`) of the status that reported the price. */
  readonly day: string;
  readonly at: string;
}

/**
 * The message a status prices, if it carries a price category: statuses without `pricing` (a
 * `read`, a `failed`) or without a category price nothing.
 */
export function pricedMessageOf(
  status: Pick<StatusUpdate, 'wamid' | 'source' | 'timestamp' | 'pricing' | 'recipient'>,
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
    market: marketOf(status.recipient),
    day: at.slice(0, 10),
    at,
  };
}

/**
 * Where a recipient is for pricing: the calling code of their phone number, else the region their
 * business-scoped user id starts with (`US.1349…`), else nowhere known (a group, or neither id).
 */
export function marketOf(recipient: Pick<Customer, 'phone' | 'userId'> | undefined): RecipientMarket {
  const callingCode = recipient?.phone === undefined ? undefined : callingCodeOf(recipient.phone);
  if (callingCode !== undefined) return { callingCode };
  const region = /^([A-Z]{2})\./.exec(recipient?.userId ?? '')?.[1];
  return region === undefined ? {} : { region };
}

/** The card in force on a UTC day: the one with the latest `effectiveFrom` on or before it. */
export function rateCardOn(cards: readonly RateCard[], day: string): RateCard | undefined {
  let found: RateCard | undefined;
  for (const card of cards) {
    if (card.effectiveFrom <= day && (found === undefined || card.effectiveFrom > found.effectiveFrom))
      found = card;
  }
  return found;
}

/**
 * The price of one message of a category to a market: the market row that names the recipient's
 * calling code (or region), else the default row; `undefined` when neither prices the category.
 */
export function rateOf(card: RateCard, category: string, market: RecipientMarket): number | undefined {
  const row = card.markets?.find(
    (m) =>
      (market.callingCode !== undefined && m.callingCodes?.includes(market.callingCode)) ||
      (market.callingCode === undefined && market.region !== undefined && m.regions?.includes(market.region)),
  );
  return row?.rates[category] ?? card.default[category];
}

/** Counted messages, as a day's totals hold them. */
export interface CountedMessages extends RecipientMarket {
  readonly day: string;
  readonly category: string;
  readonly billable: boolean;
  readonly messages: number;
}

/** A category's messages and spend over the totals given. */
export interface CategorySpend {
  readonly category: string;
  readonly billableMessages: number;
  readonly freeMessages: number;
  /** What the billable messages cost, in the cards' currency; absent without rate cards. */
  readonly amount?: number;
  /** Billable messages no card priced (a day before the first card, a category no row names). */
  readonly unpricedMessages: number;
}

/**
 * Adds counted messages up by category and prices them with the card in force on each one's day.
 * Free messages cost nothing whatever the card says. Sorted by category.
 */
export function spendByCategory(
  counted: readonly CountedMessages[],
  cards: readonly RateCard[],
): CategorySpend[] {
  const byCategory = new Map<string, { billable: number; free: number; amount: number; unpriced: number }>();
  for (const c of counted) {
    const sum = byCategory.get(c.category) ?? { billable: 0, free: 0, amount: 0, unpriced: 0 };
    byCategory.set(c.category, sum);
    if (!c.billable) {
      sum.free += c.messages;
      continue;
    }
    sum.billable += c.messages;
    const card = rateCardOn(cards, c.day);
    const rate = card === undefined ? undefined : rateOf(card, c.category, c);
    if (rate === undefined) sum.unpriced += c.messages;
    else sum.amount += rate * c.messages;
  }
  return [...byCategory.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([category, sum]) => ({
      category,
      billableMessages: sum.billable,
      freeMessages: sum.free,
      ...(cards.length > 0 ? { amount: roundMoney(sum.amount) } : {}),
      unpricedMessages: sum.unpriced,
    }));
}

/** Money to a millionth: Meta's prices run to four decimals, and sums of floats drift below that. */
export function roundMoney(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

/** The median of some values (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The UTC days from one to another, inclusive; none when the first is later. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${toDay}T00:00:00Z`);
  for (let t = Date.parse(`${fromDay}T00:00:00Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The UTC day (`YYYY-MM-DD`) some days before another. */
export function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
