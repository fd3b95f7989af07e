import type { LoggerPort, MetricsPort } from '../../lambda/shared/observability';

/** One log call. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** A logger that keeps what it is told, for assertions. */
export class RecordingLogger implements LoggerPort {
  public readonly lines: LogLine[] = [];
  private keys: Record<string, unknown> = {};

  debug = (message: unknown, ...extra: unknown[]) => this.record('debug', message, extra);
  info = (message: unknown, ...extra: unknown[]) => this.record('info', message, extra);
  warn = (message: unknown, ...extra: unknown[]) => this.record('warn', message, extra);
  error = (message: unknown, ...extra: unknown[]) => this.record('error', message, extra);

  appendKeys(attributes: Record<string, unknown>): void {
    this.keys = { ...this.keys, ...attributes };
  }

  removeKeys(keys: string[]): void {
    for (const key of keys) delete this.keys[key];
  }

  /** Everything logged, serialized, for "never logs X" assertions. */
  text(): string {
    return JSON.stringify(this.lines, (_k, v: unknown) =>
      v instanceof Error ? `${v.name}: ${v.message}` : v,
    );
  }

  private record(level: LogLine['level'], message: unknown, extra: unknown[]): void {
    const attributes = Object.assign(
      {},
      this.keys,
      ...extra.filter((e) => typeof e === 'object' && e !== null),
    );
    assertNoPersonalData(String(message), attributes);
    this.lines.push({ level, message: String(message), attributes });
  }
}

/** Metrics that add up what is counted, keyed `Name` or `Name/dimension=value`. */
export class RecordingMetrics implements MetricsPort {
  public readonly counts = new Map<string, number>();
  public flushes = 0;

  count(name: string, value: number, dimension?: { name: string; value: string }): void {
    const key = dimension === undefined ? name : `${name}/${dimension.name}=${dimension.value}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }

  /** The last level given, by the same keys as the counts. */
  public readonly gauges = new Map<string, number>();

  gauge(name: string, value: number, dimension?: { name: string; value: string }): void {
    const key = dimension === undefined ? name : `${name}/${dimension.name}=${dimension.value}`;
    this.gauges.set(key, value);
  }

  flush(): void {
    this.flushes++;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Meta's error codes run to seven digits (2593109: history sharing declined); they name no one. */
const ERROR_CODE = /^\d{1,7}$/;

/**
 * Every suite that records logs checks every line: no wamid and no run of 7 or more digits (a phone
 * number, a user id) may reach a log line. UUIDs (SNS message ids, request ids, AWS message ids) are
 * not personal, nor is an error code under `code`.
 */
function assertNoPersonalData(message: string, attributes: Record<string, unknown>): void {
  const strings: string[] = [message];
  const walk = (value: unknown, key?: string) => {
    if (typeof value === 'string') {
      if (!(key === 'code' && ERROR_CODE.test(value))) strings.push(value);
    } else if (value instanceof Error) strings.push(value.message);
    else if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(attributes);
  for (const raw of strings) {
    const text = raw.replace(UUIDS, '');
    if (/wamid\.[A-Za-z0-9]/.test(text) || /\d{7,}/.test(text)) {
      throw new Error(
        `A log line carries personal data: ${JSON.stringify(message)} with ${JSON.stringify(text)}`,
      );
    }
  }
}
