import { pricedMessageOf } from '../../../lambda/domain/cost';

const status = (pricing: Parameters<typeof pricedMessageOf>[0]['pricing']) => ({
  wamid: 'wamid.A',
  source: {
    snsMessageId: 'sns',
    wabaId: '1',
    businessPhoneNumberId: '574086085794038',
    displayPhoneNumber: '15815555555',
  },
  timestamp: Date.parse('2026-03-02T23:59:59Z') / 1000,
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
