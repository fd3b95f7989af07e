import { initEnvironment } from '../../bench/cold-init';
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
