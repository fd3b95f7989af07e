import { combinedUsage, costPerMillion, type EventUsage, PRICES } from '../../bench/cost-model';
import { median, percentile, runConcurrently } from '../../bench/stats';

describe('bench statistics', () => {
  test('percentile by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([5], 99)).toBe(5);
  });

  test('median of odd and even counts, unsorted', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('runConcurrently keeps at most n in flight and runs every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const { latencies } = await runConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(item);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(latencies).toHaveLength(7);
  });
});

describe('cost model', () => {
  const usage = (over: Partial<EventUsage> = {}): EventUsage => ({
    invocations: [{ count: 1, durationMs: 10, memoryMb: 256 }],
    writeUnits: 4,
    logBytes: 0,
    ...over,
  });

  test('adds up the lines, per million events', () => {
    const cost = costPerMillion(usage({ snsPublishes: 1 }));
    const lambda = 0.01 * 0.25 * PRICES.lambdaArmGbSecond * 1e6;
    expect(cost['Lambda compute']).toBeCloseTo(lambda, 6);
    expect(cost['DynamoDB writes']).toBeCloseTo(2.5, 6);
    expect(cost.total).toBeCloseTo(lambda + 0.2 + 2.5 + 0.5, 6);
  });

  test('bills Lambda duration in whole milliseconds', () => {
    const at = (durationMs: number) =>
      costPerMillion(usage({ invocations: [{ count: 1, durationMs, memoryMb: 1024 }] }))['Lambda compute'];
    expect(at(9.1)).toBe(at(10));
  });

  test('bills a share of a batched invocation as that share of a request', () => {
    const cost = costPerMillion(usage({ invocations: [{ count: 0.01, durationMs: 100, memoryMb: 256 }] }));
    expect(cost['Lambda requests']).toBeCloseTo(0.002, 9);
  });

  test('prices log bytes per GB ingested', () => {
    const cost = costPerMillion(usage({ logBytes: 1024 ** 3 / 1_000_000 }));
    expect(cost['CloudWatch Logs']).toBeCloseTo(PRICES.logsIngestionPerGb, 9);
  });

  test('a combined usage costs what its parts cost together', () => {
    const a = usage({ snsPublishes: 1, putEventsEntries: 2 });
    const b = usage({ writeUnits: 1, logBytes: 300, s3Puts: 1 });
    expect(costPerMillion(combinedUsage([a, b])).total).toBeCloseTo(
      costPerMillion(a).total + costPerMillion(b).total,
      9,
    );
  });
});
