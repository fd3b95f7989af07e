import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FUNCTION_CLIENTS,
  type FunctionName,
  floorEntry,
  initEnvironment,
  runLambdaNode,
  SHIPPED_FUNCTIONS,
} from '../../bench/cold-init';
import type { ShippedFunction } from '../../local/assembly';

const shipped = (
  environment: Record<string, string>,
  references: Record<string, string>,
): ShippedFunction => ({
  bundlePath: '/asset/index.js',
  exportName: 'handler',
  timeoutSeconds: 30,
  environment,
  references,
  logicalId: 'Fn',
});

describe('initEnvironment', () => {
  test("keeps the stack's literal variables", () => {
    expect(initEnvironment(shipped({ DIGEST_WINDOW_MINUTES: '15' }, {}))).toEqual({
      DIGEST_WINDOW_MINUTES: '15',
    });
  });

  test('gives a referenced secret an ARN of Secrets Manager, as the pseudonym key loader reads it', () => {
    const env = initEnvironment(shipped({}, { PSEUDONYM_SECRET_ARN: 'PseudonymKeySecret' }));
    expect(env.PSEUDONYM_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:/);
  });

  test('gives other referenced ARNs, queue URLs and names a value of their shape', () => {
    const env = initEnvironment(
      shipped(
        {},
        {
          ALERTS_TOPIC_ARN: 'AlertsTopic',
          UNDELIVERED_EVENTS_QUEUE_URL: 'Queue',
          CONVERSATION_TABLE_NAME: 'Table',
        },
      ),
    );
    expect(env.ALERTS_TOPIC_ARN).toMatch(/^arn:aws:sns:/);
    expect(env.UNDELIVERED_EVENTS_QUEUE_URL).toMatch(/^https:\/\/sqs\./);
    expect(env.CONVERSATION_TABLE_NAME).toBe('bench');
  });
});

describe('the floors', () => {
  test.each(Object.keys(SHIPPED_FUNCTIONS) as FunctionName[])(
    '%s: its floor builds the SDK clients its handler builds',
    (name) => {
      // The handler's folder: the processor builds its clients in runtime.ts, for generated entries too.
      const folder = join(__dirname, '..', '..', 'lambda', name);
      const sources = readdirSync(folder)
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readFileSync(join(folder, file), 'utf8'))
        .join('\n');
      const built = [...sources.matchAll(/\bnew (\w+Client)\(/g)].map((m) => m[1]);
      expect([...new Set(built)].sort()).toEqual([...FUNCTION_CLIENTS[name]].sort());
    },
  );

  test('a floor module builds each client and the Powertools logger and metrics, and nothing else', () => {
    const entry = floorEntry(['DynamoDBClient', 'SNSClient']);
    expect([...entry.matchAll(/new (\w+)\(/g)].map((m) => m[1])).toEqual([
      'DynamoDBClient',
      'SNSClient',
      'Logger',
      'Metrics',
    ]);
    expect(entry).toContain("from '@aws-sdk/client-sns'");
  });
});

describe('runLambdaNode', () => {
  test("gives the process only PATH, the local credentials and the caller's variables", () => {
    const check =
      "if (process.env.HOME !== undefined || process.env.BENCH_PROBE !== 'yes' || !process.env.AWS_REGION) process.exit(1)";
    expect(() => runLambdaNode(['-e', check], { BENCH_PROBE: 'yes' })).not.toThrow();
  });

  test('throws with what the process wrote to stderr when it fails', () => {
    expect(() => runLambdaNode(['-e', "console.error('no bundle here'); process.exit(3)"], {})).toThrow(
      /no bundle here/,
    );
  });
});
