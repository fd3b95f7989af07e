/**
 * The bench's command line: what a run measures, and whether it rewrites the committed report.
 * A run rewrites docs/benchmarks.md only when asked (`--write`), and never with the quick sizes.
 */
import { parseFlags, UsageError } from '../ops/cli';

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--write]

Measures cold init, warm cost, scale, log bytes, write units and cost on the local parts, and
prints the report.

  --quick   a tenth of the scale runs (about 2 minutes on 2 cores instead of 6)
  --write   also rewrite docs/benchmarks.md with the report (full runs only)
  --help    this text`;

/** What a run does. */
export interface BenchPlan {
  readonly quick: boolean;
  readonly write: boolean;
}

/** @throws UsageError for an unknown flag, or `--write` with `--quick` */
export function benchPlan(argv: readonly string[]): BenchPlan {
  const { values } = parseFlags(argv, {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  });
  if (values.quick && values.write) {
    throw new UsageError('--write records full runs only: the committed report holds the full sizes');
  }
  return { quick: values.quick, write: values.write };
}
