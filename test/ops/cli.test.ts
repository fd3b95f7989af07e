import { EnvironmentError, numberFlag, parseFlags, runCli, UsageError } from '../../ops/cli';
import { redriveCommand, regionOfQueueUrl } from '../../ops/redrive';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('runCli', () => {
  test('--help prints the usage on stdout and exits 0 without running anything', async () => {
    const { out, err, io: streams } = io();
    let ran = false;
    const code = await runCli(
      ['--help'],
      'usage: tool',
      async () => {
        ran = true;
        return 0;
      },
      streams,
    );
    expect([code, out, err, ran]).toEqual([0, ['usage: tool'], [], false]);
  });

  test('a usage error is one line and the usage, exit 2', async () => {
    const { err, io: streams } = io();
    const code = await runCli(
      [],
      'usage: tool --x <n>',
      async () => {
        throw new UsageError('--x must be a number');
      },
      streams,
    );
    expect(code).toBe(2);
    expect(err).toEqual(['--x must be a number\nusage: tool --x <n>']);
  });

  test('any other error prints its name and message without a stack trace, exit 1', async () => {
    const { err, io: streams } = io();
    const code = await runCli(
      [],
      'usage',
      async () => {
        throw new EnvironmentError('install Java 17 or newer (DynamoDB Local needs it)');
      },
      streams,
    );
    expect(code).toBe(1);
    expect(err[0]).toBe('EnvironmentError: install Java 17 or newer (DynamoDB Local needs it)');
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  test('--debug shows the stack trace', async () => {
    const { err, io: streams } = io();
    await runCli(
      ['--debug'],
      'usage',
      async () => {
        throw new Error('boom');
      },
      streams,
    );
    expect(err[0]).toMatch(/^Error: boom\n\s+at /);
  });
});

describe('parseFlags and numberFlag', () => {
  test('an unknown flag is a usage error naming it', () => {
    expect(() => parseFlags(['--nope'], { port: { type: 'string' } })).toThrow(UsageError);
    expect(() => parseFlags(['--nope'], { port: { type: 'string' } })).toThrow("'--nope'");
  });

  test.each([
    ['abc', /must be a number from 0 to 1, got "abc"/],
    ['2', /must be a number from 0 to 1, got 2/],
    ['', /got ""/],
  ])('--fail-rate %j is refused', (value, message) => {
    expect(() => numberFlag('fail-rate', value, { min: 0, max: 1 })).toThrow(message);
  });

  test('a whole number is required where asked', () => {
    expect(() => numberFlag('port', '80.5', { min: 1, max: 65535, integer: true })).toThrow('whole number');
    expect(numberFlag('port', '8787', { min: 1, max: 65535, integer: true })).toBe(8787);
    expect(numberFlag('port', undefined, { min: 1, max: 65535 })).toBeUndefined();
  });
});

describe('redrive command line', () => {
  test.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/failures', 'eu-west-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/failures', 'cn-north-1'],
    ['http://127.0.0.1:9324/queue/failures', undefined],
  ])('takes the region of %s from the URL', (url, region) => {
    expect(regionOfQueueUrl(url)).toBe(region);
  });

  test.each([
    [['--function', 'fn'], 'give --queue-url and --function, or --stack'],
    [['--stack', 's', '--function', 'fn'], 'not both'],
    [['--stack', 's', '--queue', 'other'], '--queue must be "failure" or "subscription"'],
    [['--stack', 's', '--max', '0'], '--max must be a whole number from 1 to 10000'],
    [['--stack', 's', '--bogus'], "'--bogus'"],
  ])('%j is a usage error before any request', async (argv, message) => {
    await expect(redriveCommand(argv, () => undefined)).rejects.toThrow(message);
  });
});
