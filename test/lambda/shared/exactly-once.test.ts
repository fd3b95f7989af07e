import {
  classifySendFailure,
  EffectDeferredError,
  EffectInProgressError,
  runOnce,
} from '../../../lambda/shared/exactly-once';
import { CallFailedError } from '../../../lambda/shared/retry';
import { MemoryLedger } from '../../support/memory-ledger';

const NOW = Date.parse('2026-12-04T10:00:00Z');
const clock = () => NOW;
const invocation = (id = 'req-1', end = NOW + 10_000) => ({ id, end });
const text = { idempotent: false, clock };
const receipt = { idempotent: true, clock };

const throttled = () =>
  new CallFailedError('transient', 'ThrottledRequestException', 5, false, {
    cause: new Error('Rate exceeded'),
  });
const lostAnswer = () =>
  new CallFailedError('transient', 'InternalServiceException', 1, true, {
    cause: new Error('Internal error'),
  });
const refused = () =>
  new CallFailedError('permanent', 'InvalidParametersException', 1, false, {
    cause: new Error('Bad number'),
  });

describe('runOnce', () => {
  test('acts once and records the reference it returned', async () => {
    const ledger = new MemoryLedger();
    const act = jest.fn(async () => ({ reference: 'aws-1', attempts: 1 }));
    const result = await runOnce(ledger, 'k', invocation(), text, act);
    expect(act).toHaveBeenCalledTimes(1);
    expect(result).toEqual({
      fresh: true,
      record: { state: 'done', at: new Date(NOW).toISOString(), reference: 'aws-1', attempts: 1 },
    });
  });

  test('a settled key is not acted on again: its record is the answer', async () => {
    const ledger = new MemoryLedger();
    await runOnce(ledger, 'k', invocation(), text, async () => ({ reference: 'aws-1' }));
    const again = jest.fn(async () => ({ reference: 'aws-2' }));
    const result = await runOnce(ledger, 'k', invocation('req-2'), text, again);
    expect(again).not.toHaveBeenCalled();
    expect(result).toMatchObject({ fresh: false, record: { state: 'done', reference: 'aws-1' } });
  });

  test('a permanent refusal is recorded failed, with the API error name and message', async () => {
    const ledger = new MemoryLedger();
    const result = await runOnce(ledger, 'k', invocation(), text, async () => Promise.reject(refused()));
    expect(result.record).toEqual({
      state: 'failed',
      at: new Date(NOW).toISOString(),
      error: { name: 'InvalidParametersException', message: 'Bad number' },
    });
  });

  test('a lost answer of a non-idempotent act is recorded unknown, not released', async () => {
    const ledger = new MemoryLedger();
    const result = await runOnce(ledger, 'k', invocation(), text, async () => Promise.reject(lostAnswer()));
    expect(result.record).toMatchObject({ state: 'unknown', error: { name: 'InternalServiceException' } });
    expect(ledger.records.get('k')?.state).toBe('unknown');
  });

  test('a lost answer of an idempotent act releases the claim and asks for a retry', async () => {
    const ledger = new MemoryLedger();
    await expect(
      runOnce(ledger, 'k', invocation(), receipt, async () => Promise.reject(lostAnswer())),
    ).rejects.toThrow(EffectDeferredError);
    expect(ledger.records.has('k')).toBe(false);
  });

  test('a throttle past the budget releases the claim, keeps the cause, and the retry acts once', async () => {
    const ledger = new MemoryLedger();
    const error = await runOnce(ledger, 'k', invocation(), text, async () =>
      Promise.reject(throttled()),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EffectDeferredError);
    expect((error as EffectDeferredError).cause).toBeInstanceOf(CallFailedError);
    const act = jest.fn(async () => ({ reference: 'aws-1' }));
    await runOnce(ledger, 'k', invocation(), text, act);
    expect(act).toHaveBeenCalledTimes(1);
  });

  test('another live invocation holding the key makes the caller retry later, without acting', async () => {
    const ledger = new MemoryLedger();
    await ledger.claim('k', { owner: 'req-other', token: 't', expiresAtMs: NOW + 5_000 }, NOW, false);
    const act = jest.fn(async () => ({}));
    await expect(runOnce(ledger, 'k', invocation(), text, act)).rejects.toThrow(EffectInProgressError);
    expect(act).not.toHaveBeenCalled();
  });

  test('an expired claim of a non-idempotent act is recorded unknown: that attempt may have sent', async () => {
    const ledger = new MemoryLedger();
    await ledger.claim('k', { owner: 'req-gone', token: 't', expiresAtMs: NOW - 1 }, NOW - 10_000, false);
    const act = jest.fn(async () => ({}));
    const result = await runOnce(ledger, 'k', invocation(), text, act);
    expect(act).not.toHaveBeenCalled();
    expect(result.record).toMatchObject({ state: 'unknown', error: { name: 'StaleClaim' } });
  });

  test("the same request's earlier attempt that crashed holding the claim is stale, though not expired", async () => {
    const ledger = new MemoryLedger();
    await ledger.claim('k', { owner: 'req-1', token: 'crashed', expiresAtMs: NOW + 5_000 }, NOW, false);
    const result = await runOnce(ledger, 'k', invocation('req-1'), text, async () => ({}));
    expect(result.record.state).toBe('unknown');
  });

  test('an expired claim of an idempotent act is taken over and done again', async () => {
    const ledger = new MemoryLedger();
    await ledger.claim('k', { owner: 'req-gone', token: 't', expiresAtMs: NOW - 1 }, NOW - 10_000, true);
    const act = jest.fn(async () => ({ reference: 'aws-2' }));
    const result = await runOnce(ledger, 'k', invocation(), receipt, act);
    expect(act).toHaveBeenCalledTimes(1);
    expect(result.record).toMatchObject({ state: 'done', reference: 'aws-2' });
  });

  test('an outcome write that fails propagates and leaves the claim, never a release', async () => {
    const ledger = new MemoryLedger();
    ledger.settle = async () => Promise.reject(new Error('DynamoDB unavailable'));
    await expect(runOnce(ledger, 'k', invocation(), text, async () => ({}))).rejects.toThrow(
      'DynamoDB unavailable',
    );
    expect(ledger.records.get('k')?.state).toBe('in-progress');
  });
});

describe('runOnce, when the outcome cannot be recorded', () => {
  test('an idempotent effect gives its claim up, so any retry acts at once', async () => {
    const ledger = new MemoryLedger();
    ledger.settle = async () => Promise.reject(new Error('DynamoDB unavailable'));
    await expect(runOnce(ledger, 'k', invocation(), receipt, async () => ({}))).rejects.toThrow(
      'DynamoDB unavailable',
    );
    expect(ledger.records.has('k')).toBe(false);
  });
});

describe('classifySendFailure', () => {
  test.each([
    ['permanent', refused(), 'permanent'],
    ['throttled', throttled(), 'transient'],
    ['lost answer', lostAnswer(), 'ambiguous'],
    ['not a CallFailedError', new Error('boom'), 'ambiguous'],
  ])('%s', (_, error, expected) => {
    expect(classifySendFailure(error)).toBe(expected);
  });
});
