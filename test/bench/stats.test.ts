import { costPerMillion, PRICES } from '../../bench/cost-model';
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
  test('adds up the lines, per million events', () => {
    const cost = costPerMillion({ lambdaMs: 10, memoryMb: 256, writeUnits: 4, logBytes: 0, kmsRequests: 0 });
    const lambda = 0.01 * 0.25 * PRICES.lambdaArmGbSecond * 1e6;
    expect(cost['Lambda compute']).toBeCloseTo(lambda, 6);
    expect(cost['DynamoDB writes']).toBeCloseTo(2.5, 6);
    expect(cost.total).toBeCloseTo(lambda + 0.2 + 2.5 + 0.5, 6);
  });

  test('bills Lambda duration in whole milliseconds', () => {
    const a = costPerMillion({ lambdaMs: 9.1, memoryMb: 1024, writeUnits: 0, logBytes: 0, kmsRequests: 0 });
    const b = costPerMillion({ lambdaMs: 10, memoryMb: 1024, writeUnits: 0, logBytes: 0, kmsRequests: 0 });
    expect(a['Lambda compute']).toBe(b['Lambda compute']);
  });
});
