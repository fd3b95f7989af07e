import fc from 'fast-check';
import { callingCodeOf, isCallingCode, type RateCard } from '../../../contracts';
import {
  type CountedMessages,
  daysBetween,
  marketOf,
  median,
  pricedMessageOf,
  rateCardOn,
  rateOf,
  spendByCategory,
} from '../../../lambda/domain/cost';
import { EXAMPLE_RATE_CARDS } from '../../../local/rate-cards';

const status = (pricing: Parameters<typeof pricedMessageOf>[0]['pricing']) => ({
  wamid: 'wamid.A',
  source: {
    snsMessageId: 'sns',
    wabaId: '1',
    businessPhoneNumberId: '574086085794038',
    displayPhoneNumber: '15815555555',
  },
  timestamp: Date.parse('2026-03-02T23:59:59Z') / 1000,
  recipient: { key: '447700900123', phone: '447700900123' },
  pricing,
});

describe('pricedMessageOf', () => {
  test('prices a status with a category, on the UTC day of the status', () => {
    expect(pricedMessageOf(status({ pricingModel: 'PMP', category: 'marketing', type: 'regular' }))).toEqual({
      wamid: 'wamid.A',
      businessPhoneNumberId: '574086085794038',
      category: 'marketing',
      pricingType: 'regular',
      billable: true,
      market: { callingCode: '44' },
      day: '2026-03-02',
      at: '2026-03-02T23:59:59.000Z',
    });
  });

  test.each(['free_customer_service', 'free_entry_point'])('%s is free', (type) => {
    expect(pricedMessageOf(status({ category: 'service', type }))?.billable).toBe(false);
  });

  test('without a type, the deprecated billable decides', () => {
    expect(pricedMessageOf(status({ category: 'utility', billable: false }))).toMatchObject({
      pricingType: 'free',
      billable: false,
    });
    expect(pricedMessageOf(status({ category: 'utility', billable: true }))?.pricingType).toBe('regular');
  });

  test('prices nothing without pricing or without a category', () => {
    expect(pricedMessageOf(status(undefined))).toBeUndefined();
    expect(pricedMessageOf(status({ pricingModel: 'PMP' }))).toBeUndefined();
  });
});

describe('callingCodeOf', () => {
  test.each([
    ['14255550150', '1'],
    ['79161234567', '7'],
    ['447700900123', '44'],
    ['919876543210', '91'],
    ['5511987654321', '55'],
    ['971501234567', '971'],
    ['2348031234567', '234'],
    ['8801712345678', '880'],
    ['35312345678', '353'],
    ['+447700900123', '44'],
  ])('%s has the calling code %s', (waId, code) => {
    expect(callingCodeOf(waId)).toBe(code);
  });

  test.each(['', '0441234567', '12', 'US.1349120865530', '4477009001234567'])(
    '%s is no phone number',
    (waId) => {
      expect(callingCodeOf(waId)).toBeUndefined();
    },
  );

  test('the code is a prefix of the number, and one a rate card may name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{3,14}$/), (waId) => {
        const code = callingCodeOf(waId) ?? '';
        expect(waId.startsWith(code)).toBe(true);
        expect(isCallingCode(code)).toBe(true);
      }),
    );
  });

  test('a code that is the start of a shorter code is no calling code', () => {
    expect(isCallingCode('441')).toBe(false);
    expect(isCallingCode('4')).toBe(false);
    expect(isCallingCode('353')).toBe(true);
  });
});

describe('marketOf', () => {
  test('takes the calling code of the phone number first', () => {
    expect(marketOf({ phone: '447700900123', userId: 'US.1349120865530' })).toEqual({ callingCode: '44' });
  });

  test('takes the region of a business-scoped user id when there is no phone number', () => {
    expect(marketOf({ userId: 'US.13491208655302741918' })).toEqual({ region: 'US' });
  });

  test('knows no market for a group send or an id of another shape', () => {
    expect(marketOf(undefined)).toEqual({});
    expect(marketOf({ userId: 'x' })).toEqual({});
  });
});

describe('rate cards', () => {
  const [first, second] = EXAMPLE_RATE_CARDS as [RateCard, RateCard];

  test('the card of a day is the latest that started on or before it', () => {
    expect(rateCardOn(EXAMPLE_RATE_CARDS, '2025-12-31')).toBeUndefined();
    expect(rateCardOn(EXAMPLE_RATE_CARDS, '2026-09-30')).toBe(first);
    expect(rateCardOn(EXAMPLE_RATE_CARDS, '2026-10-01')).toBe(second);
    expect(rateCardOn([...EXAMPLE_RATE_CARDS].reverse(), '2026-12-01')).toBe(second);
  });

  test("a market's row prices its calling codes and regions", () => {
    expect(rateOf(first, 'marketing', { callingCode: '1' })).toBe(0.025);
    expect(rateOf(first, 'marketing', { region: 'CA' })).toBe(0.025);
  });

  test("a category the market's row leaves out, and a recipient no row names, take the default row", () => {
    expect(rateOf(first, 'authentication', { callingCode: '44' })).toBe(0.0077);
    expect(rateOf(first, 'marketing', { callingCode: '234' })).toBe(0.0604);
    expect(rateOf(first, 'marketing', {})).toBe(0.0604);
  });

  test('a category no row prices has no rate', () => {
    expect(rateOf(first, 'marketing_lite', { callingCode: '1' })).toBeUndefined();
  });
});

describe('spendByCategory', () => {
  const counted = (c: Partial<CountedMessages>): CountedMessages => ({
    day: '2026-09-30',
    category: 'marketing',
    billable: true,
    messages: 1,
    ...c,
  });

  test('prices each day with its own card, and free messages at nothing', () => {
    const spend = spendByCategory(
      [
        counted({ callingCode: '1', messages: 10 }),
        counted({ callingCode: '1', messages: 10, day: '2026-10-01' }),
        counted({ category: 'service', billable: false, messages: 5, callingCode: '1' }),
      ],
      EXAMPLE_RATE_CARDS,
    );
    expect(spend).toEqual([
      { category: 'marketing', billableMessages: 20, freeMessages: 0, amount: 0.525, unpricedMessages: 0 },
      { category: 'service', billableMessages: 0, freeMessages: 5, amount: 0, unpricedMessages: 0 },
    ]);
  });

  test('counts, with no amount, without rate cards', () => {
    expect(spendByCategory([counted({ messages: 3 })], [])).toEqual([
      { category: 'marketing', billableMessages: 3, freeMessages: 0, unpricedMessages: 3 },
    ]);
  });

  test('billable messages no card prices are counted apart, not priced at 0 silently', () => {
    const [line] = spendByCategory(
      [counted({ day: '2025-06-01', messages: 2 }), counted({ category: 'marketing', messages: 1 })],
      EXAMPLE_RATE_CARDS,
    );
    expect(line).toMatchObject({ billableMessages: 3, unpricedMessages: 2, amount: 0.0604 });
  });

  test('the amount is the same whatever the order of the totals', () => {
    const arb = fc.array(
      fc.record({
        day: fc.constantFrom('2026-09-30', '2026-10-01'),
        category: fc.constantFrom('marketing', 'utility'),
        billable: fc.boolean(),
        messages: fc.integer({ min: 1, max: 1000 }),
        callingCode: fc.constantFrom('1', '44', '91', '234'),
      }),
    );
    fc.assert(
      fc.property(arb, (totals) => {
        expect(spendByCategory([...totals].reverse(), EXAMPLE_RATE_CARDS)).toEqual(
          spendByCategory(totals, EXAMPLE_RATE_CARDS),
        );
      }),
    );
  });
});

describe('median and days', () => {
  test('the median of an odd and an even count, and of none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  test('the days between two days, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
