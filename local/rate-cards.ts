/**
 * The rate cards the local pipeline prices with, and the tests' example: the shape of Meta's card
 * with illustrative prices, not Meta's. Deploy Meta's current card for your currency (docs/cost.md).
 */
import type { RateCard } from '../contracts';

/** Two cards, so a price change on a day is shown: the second raises marketing in North America. */
export const EXAMPLE_RATE_CARDS: readonly RateCard[] = [
  {
    effectiveFrom: '2026-01-01',
    currency: 'USD',
    default: { marketing: 0.0604, utility: 0.0077, authentication: 0.0077 },
    markets: [
      {
        name: 'North America',
        callingCodes: ['1'],
        regions: ['US', 'CA'],
        rates: { marketing: 0.025, utility: 0.004, authentication: 0.0135 },
      },
      {
        name: 'United Kingdom',
        callingCodes: ['44'],
        regions: ['GB'],
        rates: { marketing: 0.0529, utility: 0.022 },
      },
      { name: 'India', callingCodes: ['91'], regions: ['IN'], rates: { marketing: 0.0107, utility: 0.0014 } },
    ],
  },
  {
    effectiveFrom: '2026-10-01',
    currency: 'USD',
    default: { marketing: 0.0604, utility: 0.0077, authentication: 0.0077 },
    markets: [
      {
        name: 'North America',
        callingCodes: ['1'],
        regions: ['US', 'CA'],
        rates: { marketing: 0.0275, utility: 0.004, authentication: 0.0135 },
      },
      {
        name: 'United Kingdom',
        callingCodes: ['44'],
        regions: ['GB'],
        rates: { marketing: 0.0529, utility: 0.022 },
      },
      { name: 'India', callingCodes: ['91'], regions: ['IN'], rates: { marketing: 0.0107, utility: 0.0014 } },
    ],
  },
];
