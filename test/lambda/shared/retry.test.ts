import {
  AccessDeniedException,
  InternalServiceException,
  InvalidParametersException,
  ThrottledRequestException,
} from '@aws-sdk/client-socialmessaging';
import { CallFailedError, classifyCallError, withRetries } from '../../../lambda/shared/retry';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifyCallError', () => {
  test.each([
    ['ThrottledRequestException', new ThrottledRequestException({ message: 'slow down', ...meta(429) })],
    ['InternalServiceException', new InternalServiceException({ message: 'oops', ...meta(500) })],
    ['an unnamed 503', Object.assign(new Error('unavailable'), meta(503))],
    ['an unnamed 429', Object.assign(new Error('too many'), meta(429))],
    [
      'a network error without HTTP status',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['something that is not an Error', 'weird'],
  ])('%s is transient', (_name, error) => {
    expect(classifyCallError(error).kind).toBe('transient');
  });

  test.each([
    ['InvalidParametersException', new InvalidParametersException({ message: 'bad', ...meta(400) })],
    ['AccessDeniedException', new AccessDeniedException({ message: 'no', ...meta(403) })],
    ['an unnamed 404', Object.assign(new Error('not found'), meta(404))],
    ['ValidationException', Object.assign(new Error('invalid'), { name: 'ValidationException' }, meta(400))],
  ])('%s is permanent', (_name, error) => {
    expect(classifyCallError(error).kind).toBe('permanent');
  });
});

describe('withRetries', () => {
  const throttled = () => new ThrottledRequestException({ message: 'Rate exceeded', ...meta(429) });
  const noSleep = async () => undefined;

  test('when the deadline cuts the last attempt short, it reports the error that kept failing, not the abort', async () => {
    let now = 0;
    const deadline = 1000;
    let calls = 0;
    const failure = await withRetries(
      (signal) => {
        calls++;
        if (calls === 1) {
          now = deadline - 1;
          return Promise.reject(throttled());
        }
        // The second attempt hangs until the deadline's abort fires.
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            now = deadline;
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          }),
        );
      },
      deadline,
      { idempotent: true },
      { clock: () => now, sleep: noSleep, random: () => 0 },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CallFailedError);
    expect((failure as CallFailedError).cause).toBeInstanceOf(ThrottledRequestException);
    expect(calls).toBe(2);
  });

  test('a permanent error ends the call at once', async () => {
    let calls = 0;
    const failure = await withRetries(
      async () => {
        calls++;
        throw new InvalidParametersException({ message: 'bad', ...meta(400) });
      },
      Number.MAX_SAFE_INTEGER,
      { idempotent: true },
      { sleep: noSleep },
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'permanent', attempts: 1 });
    expect(calls).toBe(1);
  });

  test('an ambiguous failure is retried for an idempotent call and ends a non-idempotent one', async () => {
    const serverFault = () => new InternalServiceException({ message: 'oops', ...meta(500) });
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw serverFault();
      return 'ok';
    };
    await expect(
      withRetries(flaky, Number.MAX_SAFE_INTEGER, { idempotent: true }, { sleep: noSleep }),
    ).resolves.toEqual({ value: 'ok', attempts: 2 });
    calls = 0;
    await expect(
      withRetries(flaky, Number.MAX_SAFE_INTEGER, { idempotent: false }, { sleep: noSleep }),
    ).rejects.toMatchObject({ kind: 'transient', ambiguous: true, attempts: 1 });
  });
});

describe('withRetries and an outer abort', () => {
  test('starts no attempt once aborted, and reports the error that kept failing', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failure = await withRetries(
      async () => {
        calls++;
        controller.abort();
        throw new ThrottledRequestException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
      },
      Number.MAX_SAFE_INTEGER,
      { idempotent: true },
      { signal: controller.signal, sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((failure as CallFailedError).cause).toBeInstanceOf(ThrottledRequestException);
  });
});
