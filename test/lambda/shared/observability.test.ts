import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRIC } from '../../../contracts';
import { CompactLogFormatter, powertoolsMetrics } from '../../../lambda/shared/observability';

/** The JSON lines Powertools writes to stdout while `run` runs. */
function captureStdout(run: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a JSON object: ${line}`);
      return Object.fromEntries(Object.entries(parsed));
    });
}

const emf = () => new Metrics({ namespace: 'Test', serviceName: 'svc' });
const type = (value: string) => ({ name: 'type', value });

describe('powertoolsMetrics', () => {
  test('publishes nothing until the invocation flushes', () => {
    const metrics = powertoolsMetrics(emf());
    expect(captureStdout(() => metrics.count(METRIC.inboundMessages, 1, type('text')))).toEqual([]);
  });

  test("publishes an answered message's counts of one dimension value as one EMF document", () => {
    const metrics = powertoolsMetrics(emf());
    const lines = captureStdout(() => {
      metrics.count(METRIC.inboundMessages, 1, type('text'));
      metrics.count(METRIC.autoResponsesSent, 1, type('text'));
      metrics.count(METRIC.autoResponsesSent, 1, type('text'));
      metrics.flush();
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      type: 'text',
      service: 'svc',
      InboundMessages: 1,
      AutoResponsesSent: 2,
    });
    expect(JSON.stringify(lines[0])).toContain('"Dimensions":[["service","type"]]');
  });

  test('publishes one document per dimension value, and one for the counts without a dimension', () => {
    const metrics = powertoolsMetrics(emf());
    const lines = captureStdout(() => {
      metrics.count(METRIC.statusUpdates, 2, { name: 'status', value: 'read' });
      metrics.count(METRIC.statusUpdates, 1, { name: 'status', value: 'delivered' });
      metrics.count(METRIC.duplicateMessages, 1);
      metrics.flush();
    });
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(expect.objectContaining({ status: 'read', StatusUpdates: 2 }));
    expect(lines).toContainEqual(expect.objectContaining({ status: 'delivered', StatusUpdates: 1 }));
    const plain = lines.find((line) => 'DuplicateMessages' in line);
    expect(plain).not.toHaveProperty('status');
  });

  test('skips zero counts, so an invocation with nothing to count writes nothing', () => {
    const metrics = powertoolsMetrics(emf());
    const lines = captureStdout(() => {
      metrics.count(METRIC.webhookErrors, 0);
      metrics.flush();
    });
    expect(lines).toEqual([]);
  });

  test('a gauge keeps its last value, zero included, without a unit, beside the counts of its dimension', () => {
    const metrics = powertoolsMetrics(emf());
    const marketing = { name: 'category', value: 'marketing' };
    const lines = captureStdout(() => {
      metrics.gauge(METRIC.spendToday, 1.5, marketing);
      metrics.gauge(METRIC.spendToday, 2.25, marketing);
      metrics.gauge(METRIC.marketingSpendBaseline, 0);
      metrics.flush();
    });
    expect(lines).toHaveLength(2);
    const spend = lines.find((line) => 'SpendToday' in line);
    expect(spend).toMatchObject({ category: 'marketing', SpendToday: 2.25 });
    expect(JSON.stringify(spend)).toContain('{"Name":"SpendToday","Unit":"None"}');
    expect(lines.find((line) => 'MarketingSpendBaseline' in line)).toMatchObject({
      MarketingSpendBaseline: 0,
    });
  });

  test('starts each invocation empty: a second flush publishes nothing again', () => {
    const metrics = powertoolsMetrics(emf());
    const lines = captureStdout(() => {
      metrics.count(METRIC.inboundMessages, 1, type('text'));
      metrics.flush();
      metrics.flush();
    });
    expect(lines).toHaveLength(1);
  });
});

describe('CompactLogFormatter', () => {
  const context = (): Context => ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'WhatsAppPipeline-Processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:WhatsAppPipeline-Processor',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/WhatsAppPipeline-Processor',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });
  const logLine = (coldStart: boolean) => {
    // What Lambda sets in an on-demand environment; Powertools reports no cold start without it.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const logger = new Logger({ serviceName: 'svc', logFormatter: new CompactLogFormatter() });
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    // Powertools reads cold start from the environment's first context.
    logger.addContext(context());
    if (!coldStart) logger.addContext(context());
    logger.appendKeys({ snsMessageId: 'sns-1' });
    return captureStdout(() => logger.info('Message recorded', { type: 'text' }))[0];
  };

  test('keeps level, message, timestamp, request id and the keys the code adds', () => {
    expect(logLine(false)).toEqual({
      level: 'INFO',
      message: 'Message recorded',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      snsMessageId: 'sns-1',
      type: 'text',
    });
  });

  test('drops what the log group already says: function name, ARN, memory, service, sampling rate', () => {
    const line = logLine(false);
    for (const key of ['function_name', 'function_arn', 'function_memory_size', 'service', 'sampling_rate']) {
      expect(line).not.toHaveProperty(key);
    }
  });

  test('marks a cold start, and only a cold start', () => {
    expect(logLine(true)).toHaveProperty('cold_start', true);
    expect(logLine(false)).not.toHaveProperty('cold_start');
  });
});
