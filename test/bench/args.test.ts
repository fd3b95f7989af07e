import { benchPlan } from '../../bench/args';
import { UsageError } from '../../ops/cli';

describe("the bench's command line", () => {
  test('by default measures the full sizes and writes nothing it has not been asked to', () => {
    expect(benchPlan([])).toEqual({ quick: false, write: false });
  });

  test('--write rewrites the committed report; --quick shortens the run', () => {
    expect(benchPlan(['--write'])).toEqual({ quick: false, write: true });
    expect(benchPlan(['--quick'])).toEqual({ quick: true, write: false });
  });

  test('an unknown flag is a usage error, not a nine-minute run', () => {
    expect(() => benchPlan(['--bogus'])).toThrow(UsageError);
  });

  test('a quick run never rewrites the committed report', () => {
    expect(() => benchPlan(['--quick', '--write'])).toThrow(/--write records full runs only/);
  });
});
