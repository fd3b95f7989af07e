// zod/mini: this schema ships in the digest bundle, and the construct validates with it too.
import * as z from 'zod/mini';
import { isCallingCode } from './calling-code';

/**
 * A price per message in each of Meta's price categories (`marketing`, `utility`,
 * `authentication`, …), in the card's currency. A category a row leaves out falls back to the
 * card's default row; one the default row leaves out too is not priced (docs/cost.md).
 */
export type Rates = Readonly<Record<string, number>>;

/** A market of a rate card: the recipients it prices, by calling code or, for recipients with no phone number, by region. */
export interface RateMarket {
  /** How the card names it, such as "North America" or "Rest of Africa": shown, never matched. */
  readonly name: string;
  /** Calling codes of the recipients' phone numbers ("1", "44", "971"): no `+`. */
  readonly callingCodes?: readonly string[];
  /**
   * Regions (ISO 3166-1 alpha-2, such as "US") of recipients known only by a business-scoped user
   * id, whose prefix names the region: they have no phone number to take a calling code from.
   */
  readonly regions?: readonly string[];
  readonly rates: Rates;
}

/** Prices in force from a day on, until the next card's day. */
export interface RateCard {
  /** The first UTC day (`YYYY-MM-DD`) the card prices. */
  readonly effectiveFrom: string;
  /** ISO 4217 code, such as "USD": every card of a deployment uses one, so spend adds up over time. */
  readonly currency: string;
  /** The prices of a recipient no market names (Meta's "Other" row). */
  readonly default: Rates;
  readonly markets?: readonly RateMarket[];
}

const CATEGORY = /^[a-z][a-z_]*$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const rates = z.record(
  z.string().check(z.regex(CATEGORY, 'expected a price category such as "marketing"')),
  z.number().check(z.gte(0, 'expected a price of 0 or more')),
);

const market = z.strictObject({
  name: z.string().check(z.minLength(1, 'expected a name such as "North America"')),
  callingCodes: z.optional(
    z.array(
      z
        .string()
        .check(
          z.refine(
            isCallingCode,
            'expected a country calling code such as "44": no "+", as numbers start with it',
          ),
        ),
    ),
  ),
  regions: z.optional(z.array(z.string().check(z.regex(/^[A-Z]{2}$/, 'expected a region such as "US"')))),
  rates,
});

const card = z.strictObject({
  effectiveFrom: z.string().check(
    z.regex(DAY, 'expected a day such as "2026-07-01"'),
    z.refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'expected a day of the calendar'),
  ),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency such as "USD"')),
  default: rates,
  markets: z.optional(z.array(market)),
});

/**
 * The one schema of a deployment's rate cards: the construct validates its prop with it, the
 * configuration its `rateCards` key, and the digest its environment variable.
 */
export const rateCardsSchema = z.array(card).check(
  z.minLength(1, 'expected at least one rate card'),
  z.superRefine((cards, ctx) => {
    const currencies = new Set(cards.map((c) => c.currency));
    if (currencies.size > 1) {
      ctx.issues.push({
        code: 'custom',
        input: cards,
        message: `expected one currency on every card, found ${[...currencies].join(', ')}: spend must add up over time`,
      });
    }
    const days = new Set<string>();
    cards.forEach((c, i) => {
      if (days.has(c.effectiveFrom)) {
        ctx.issues.push({
          code: 'custom',
          input: c.effectiveFrom,
          path: [i, 'effectiveFrom'],
          message: `expected each card to start on its own day, but two start on ${c.effectiveFrom}`,
        });
      }
      days.add(c.effectiveFrom);
      const named = new Map<string, string>();
      c.markets?.forEach((m, j) => {
        for (const key of [...(m.callingCodes ?? []).map((code) => `+${code}`), ...(m.regions ?? [])]) {
          const earlier = named.get(key);
          if (earlier !== undefined) {
            ctx.issues.push({
              code: 'custom',
              input: key,
              path: [i, 'markets', j],
              message: `expected each calling code and region in one market, but ${key} is in "${earlier}" and "${m.name}"`,
            });
          }
          named.set(key, m.name);
        }
      });
    });
  }),
);

/** Lambda's environment holds 4 KB in all; the rate cards may take this much of it. */
export const MAX_RATE_CARDS_BYTES = 3072;

/** One problem of some rate cards: where it is (an index, then keys) and how to fix it. */
export interface RateCardProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Everything wrong with some rate cards, for the construct and the configuration to report at
 * synth: the schema's problems, then a list too large for the digest's environment.
 */
export function rateCardProblems(cards: unknown): RateCardProblem[] {
  const parsed = rateCardsSchema.safeParse(cards);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      path: issue.path.filter((key) => typeof key !== 'symbol'),
      message: issue.message,
    }));
  }
  const bytes = new TextEncoder().encode(JSON.stringify(parsed.data)).length;
  return bytes <= MAX_RATE_CARDS_BYTES
    ? []
    : [
        {
          path: [],
          message: `expected at most ${MAX_RATE_CARDS_BYTES} bytes of JSON (the digest's environment holds 4 KB in all), found ${bytes}: drop cards no longer within the data retention, or markets the default row prices the same`,
        },
      ];
}
