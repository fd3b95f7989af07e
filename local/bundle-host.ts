import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ShippedFunction } from './assembly';
import { LOCAL_AWS_ENV } from './aws-env';
import { lambdaNodeBinary } from './lambda-node';

/** How an invocation ended. */
export type InvocationResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** Options of a {@link BundleHost}. */
export interface BundleHostOptions {
  /** The bundle's entry file (`index.js` of the asset). */
  readonly bundlePath: string;
  /** The handler's export name. */
  readonly exportName: string;
  /** The function's environment: the stack's variables plus local endpoints. */
  readonly environment: Readonly<Record<string, string>>;
  /** The function's timeout, for `context.getRemainingTimeInMillis()`. @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * A local stand-in for one Lambda execution environment running a shipped bundle: a Node process
 * that loads the bundle once (the cold start) and then serves invocations one at a time, with only
 * the given environment (plus PATH) so nothing of the host's AWS configuration leaks in.
 */
export class BundleHost {
  /** Everything the function wrote to stdout and stderr: its log lines. */
  public readonly output: string[] = [];
  /**
   * How long each invocation took, in ms, from the event's hand-over to its result: what Lambda
   * would bill, plus a local round trip between processes.
   */
  public readonly durationsMs: number[] = [];
  /** The Node.js version the bundle runs on, once started. */
  public nodeVersion?: string;
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<string, (result: InvocationResult) => void>();
  /** Results that came before the end of their invocation's output, and the ends seen per stream. */
  private readonly results = new Map<string, InvocationResult>();
  private readonly ends = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: BundleHostOptions) {
    this.child = fork(join(__dirname, 'bundle-worker.cjs'), [], {
      // The Lambda runtime's Node major, as the deployed function runs it.
      execPath: lambdaNodeBinary(),
      // Not the parent's flags: under tsx they load its TypeScript hooks into every worker, which
      // the Lambda runtime does not have and which cost time on every module load and stack trace.
      execArgv: [],
      env: {
        PATH: process.env.PATH,
        // What the Lambda runtime sets for an on-demand execution environment.
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        ...options.environment,
        BUNDLE_PATH: options.bundlePath,
        BUNDLE_EXPORT: options.exportName,
        BUNDLE_TIMEOUT_MS: String(options.timeoutMs ?? 30_000),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // Lines, whole even when a chunk ends mid-line; an invocation's end marker is not output.
    const collector = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith(END_MARKER)) this.ended(line.slice(END_MARKER.length));
          else if (line !== '') this.output.push(line);
        }
      };
    };
    this.child.stdout?.on('data', collector());
    this.child.stderr?.on('data', collector());
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => {
        const error = {
          name: 'BundleHostExited',
          message: `bundle host exited with ${code}: ${this.output.join('\n')}`,
        };
        reject(new Error(error.message));
        // An invocation in flight when the environment dies fails, as it would in Lambda.
        for (const resolvePending of this.pending.values()) resolvePending({ ok: false, error });
        this.pending.clear();
      });
      this.child.on('message', (message: unknown) => {
        if (!isMessage(message)) return;
        if (message.type === 'ready') {
          this.nodeVersion = typeof message.nodeVersion === 'string' ? message.nodeVersion : undefined;
          resolve();
        }
        if (message.type === 'fatal') reject(new Error(String(message.message)));
        if (message.type === 'result' && typeof message.id === 'string') {
          this.results.set(message.id, toResult(message));
          this.settle(message.id);
        }
      });
    });
  }

  /**
   * A host for a function as the stack ships it: its bundle, handler, timeout and environment, with
   * the fake local credentials and `environment` (table names, local endpoints) on top.
   */
  static forFunction(fn: ShippedFunction, environment: Readonly<Record<string, string>>): BundleHost {
    return new BundleHost({
      bundlePath: fn.bundlePath,
      exportName: fn.exportName,
      timeoutMs: fn.timeoutSeconds * 1000,
      environment: { ...fn.environment, ...LOCAL_AWS_ENV, ...environment },
    });
  }

  /** One of the two streams has all of an invocation's output. */
  private ended(id: string): void {
    this.ends.set(id, (this.ends.get(id) ?? 0) + 1);
    this.settle(id);
  }

  /**
   * An invocation is done when its result has come over IPC and its end marker over stdout and
   * stderr: everything it logged is then in {@link output}, so callers can read its lines exactly.
   */
  private settle(id: string): void {
    const result = this.results.get(id);
    if (result === undefined || (this.ends.get(id) ?? 0) < 2) return;
    this.results.delete(id);
    this.ends.delete(id);
    this.pending.get(id)?.(result);
    this.pending.delete(id);
  }

  /** Waits until the bundle is loaded. */
  async start(): Promise<void> {
    await this.ready;
  }

  /** Invokes the handler with an event, after any invocation already running (Lambda runs one at a time). */
  invoke(event: unknown): Promise<InvocationResult> {
    const run = this.queue.then(async () => {
      await this.ready;
      const id = randomUUID();
      const done = new Promise<InvocationResult>((resolve) => this.pending.set(id, resolve));
      const sentAt = performance.now();
      this.child.send({ id, event });
      const result = await done;
      this.durationsMs.push(performance.now() - sentAt);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** What the worker writes to stdout and stderr after an invocation, before its result (bundle-worker.cjs). */
const END_MARKER = '\u0000bundle-host:end:';

function isMessage(value: unknown): value is Record<string, unknown> & { type: string } {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

function toResult(message: Record<string, unknown>): InvocationResult {
  if (message.ok === true) return { ok: true, result: message.result };
  const error = message.error;
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error';
  const text = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : '';
  return { ok: false, error: { name, message: text } };
}
