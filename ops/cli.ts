/**
 * What every command-line tool of the project does the same way: `--help` on stdout with exit 0;
 * flags checked before anything starts, a bad one reported in one line with exit 2; no stack trace
 * for an error a user can fix (`--debug` shows it); exit 1 for every other failure.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in the command line: reported in one line, exit 2. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}

/** A problem of the environment the user can fix (a missing Java, no credentials): one line, exit 1. */
export class EnvironmentError extends Error {
  public override readonly name = 'EnvironmentError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses arguments strictly: an unknown flag or a missing value is a {@link UsageError}. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A flag's value as a number within bounds, or a {@link UsageError} naming the flag. */
export function numberFlag(
  name: string,
  value: string | undefined,
  bounds: { min: number; max: number; integer?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  const kind = bounds.integer ? 'a whole number' : 'a number';
  if (value.trim() === '' || !Number.isFinite(number) || (bounds.integer && !Number.isInteger(number))) {
    throw new UsageError(`--${name} must be ${kind} from ${bounds.min} to ${bounds.max}, got "${value}"`);
  }
  if (number < bounds.min || number > bounds.max) {
    throw new UsageError(`--${name} must be ${kind} from ${bounds.min} to ${bounds.max}, got ${value}`);
  }
  return number;
}

/** How a tool's main function ended. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * Runs a tool's main function and turns its outcome into an exit code and at most one line of error.
 *
 * @returns the exit code: main's own, 2 for a usage error, 1 for any other error
 */
export async function runCli(
  argv: readonly string[],
  usage: string,
  main: (argv: readonly string[]) => Promise<number>,
  io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  if (args.includes('--help') || args.includes('-h')) {
    io.out(usage);
    return 0;
  }
  try {
    return await main(args);
  } catch (error) {
    if (debug && error instanceof Error) io.err(error.stack ?? String(error));
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${usage.split('\n')[0]}`);
      return 2;
    }
    io.err(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    if (!debug) io.err('(run again with --debug for the stack trace)');
    return 1;
  }
}
