/**
 * The digest's spend watch against DynamoDB Local: each run publishes the UTC day's billable
 * messages and spend per category so far, and the median marketing spend of the seven days
 * before, which the MarketingSpendSpike alarm compares (docs/cost.md).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { CostStore } from '../../../lambda/adapters/cost-store';
import { DigestStore } from '../../../lambda/adapters/digest-store';
import { EffectStore } from '../../../lambda/adapters/effect-store';
import { TopicNotifier } from '../../../lambda/adapters/notifier';
import type { PricedMessage } from '../../../lambda/domain/cost';
import { dayBefore } from '../../../lambda/domain/cost';
import { createDigestHandler } from '../../../lambda/failure-digest/process';
import { EXAMPLE_RATE_CARDS } from '../../../local/rate-cards';
import { endpointClientConfig } from '../../../ops/endpoint';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();
const TODAY = '2026-11-20';
const NOW = new Date(`${TODAY}T15:00:00Z`);

let wamids = 0;
function priced(day: string, overrides: Partial<PricedMessage> = {}): PricedMessage {
  return {
    wamid: `wamid.P${wamids++}`,
    businessPhoneNumberId: '574086085794038',
    category: 'marketing',
    pricingType: 'regular',
    billable: true,
    market: { callingCode: '1' },
    day,
    at: `${day}T10:00:00.000Z`,
    ...overrides,
  };
}

async function setup(rateCards = EXAMPLE_RATE_CARDS) {
  const tableName = await createConversationTable(parts.dynamo);
  const costs = new CostStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const metrics = new RecordingMetrics();
  const run = () =>
    createDigestHandler({
      store: new DigestStore(parts.dynamo, tableName),
      lease: new EffectStore({ client: parts.dynamo, tableName, retentionDays: 1 }),
      notifier: new TopicNotifier(
        new SNSClient(endpointClientConfig(parts.simulator.endpoint)),
        'arn:aws:sns:us-east-1:123456789012:alerts',
      ),
      spend: { costs, rateCards },
      logger: new RecordingLogger(),
      metrics,
      windowMinutes: 15,
      links: { runbook: 'docs/runbook.md' },
      clock: () => NOW,
    })();
  const count = async (n: number, day: string, overrides?: Partial<PricedMessage>) => {
    for (let i = 0; i < n; i++) await costs.count(priced(day, overrides));
  };
  return { run, count, metrics };
}

describe('the spend watch', () => {
  test("publishes today's billable messages and spend per category, over every number", async () => {
    const { run, count, metrics } = await setup();
    await count(4, TODAY);
    await count(2, TODAY, { businessPhoneNumberId: '999000111222333', market: { callingCode: '44' } });
    await count(3, TODAY, { category: 'utility' });
    await count(5, TODAY, { category: 'service', pricingType: 'free_customer_service', billable: false });
    await run();
    expect(metrics.gauges.get('BillableMessagesToday/category=marketing')).toBe(6);
    // 4 × 0.0275 (North America, the October card) + 2 × 0.0529 (United Kingdom).
    expect(metrics.gauges.get('SpendToday/category=marketing')).toBeCloseTo(0.2158, 6);
    expect(metrics.gauges.get('SpendToday/category=utility')).toBeCloseTo(0.012, 6);
    expect(metrics.gauges.get('BillableMessagesToday/category=service')).toBe(0);
    expect(metrics.gauges.get('SpendToday/category=service')).toBe(0);
  });

  test('the baseline is the median marketing spend of the seven days before, days without any at 0', async () => {
    const { run, count, metrics } = await setup();
    // Four days of 10, 20, 30 and 40 messages and three silent days: a median of 10 messages.
    for (const [ago, n] of [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ] as const)
      await count(n, dayBefore(TODAY, ago));
    // Eight days ago is outside the baseline.
    await count(50, dayBefore(TODAY, 8));
    await run();
    expect(metrics.gauges.get('MarketingSpendBaseline')).toBeCloseTo(10 * 0.0275, 6);
  });

  test('without rate cards, counts only: no spend, and the baseline is of billable messages', async () => {
    const { run, count, metrics } = await setup([]);
    await count(3, TODAY);
    for (let ago = 1; ago <= 7; ago++) await count(2, dayBefore(TODAY, ago));
    await run();
    expect(metrics.gauges.get('BillableMessagesToday/category=marketing')).toBe(3);
    expect(metrics.gauges.has('SpendToday/category=marketing')).toBe(false);
    expect(metrics.gauges.get('MarketingSpendBaseline')).toBe(2);
  });

  test('a repeated run publishes the same levels: nothing adds up twice', async () => {
    const { run, count, metrics } = await setup();
    await count(2, TODAY);
    await run();
    const first = new Map(metrics.gauges);
    await run();
    expect(metrics.gauges).toEqual(first);
  });
});
