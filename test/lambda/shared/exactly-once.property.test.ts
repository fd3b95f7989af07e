import fc from 'fast-check';
import { runOnce } from '../../../lambda/shared/exactly-once';
import { CallFailedError } from '../../../lambda/shared/retry';
import { MemoryLedger } from '../../support/memory-ledger';

/** How one attempt's send ends, and whether the customer got the message. */
const OUTCOMES = {
  ok: { delivered: true },
  refused: { delivered: false },
  throttled: { delivered: false },
  lostAfterDelivery: { delivered: true },
  lostBeforeDelivery: { delivered: false },
  crashAfterDelivery: { delivered: true },
} as const;
type Outcome = keyof typeof OUTCOMES;

const attempt = fc.record({
  request: fc.constantFrom('req-a', 'req-b', 'req-c'),
  gapMs: fc.integer({ min: 0, max: 3_000 }),
  outcome: fc.constantFrom(...(Object.keys(OUTCOMES) as Outcome[])),
});

function failureOf(outcome: Outcome): Error | undefined {
  switch (outcome) {
    case 'refused':
      return new CallFailedError('permanent', 'InvalidParametersException', 1, false, {
        cause: new Error('x'),
      });
    case 'throttled':
      return new CallFailedError('transient', 'ThrottledRequestException', 3, false, {
        cause: new Error('x'),
      });
    case 'lostAfterDelivery':
    case 'lostBeforeDelivery':
      return new CallFailedError('transient', 'InternalServiceException', 1, true, { cause: new Error('x') });
    default:
      return undefined;
  }
}

describe('runOnce under any schedule of redeliveries, retries, faults and crashes', () => {
  test('a non-idempotent effect reaches the customer at most once, and its record never says less than happened', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: 12 }), async (attempts) => {
        const ledger = new MemoryLedger();
        let now = Date.parse('2026-12-04T10:00:00Z');
        let delivered = 0;
        for (const { request, gapMs, outcome } of attempts) {
          now += gapMs;
          const at = now;
          // A crash after the send: the outcome write never happens (the process died).
          const settle = ledger.settle.bind(ledger);
          if (outcome === 'crashAfterDelivery')
            ledger.settle = async () => Promise.reject(new Error('crash'));
          await runOnce(
            ledger,
            'k',
            { id: request, end: at + 1_000 },
            { idempotent: false, clock: () => at },
            async () => {
              if (OUTCOMES[outcome].delivered) delivered += 1;
              const failure = failureOf(outcome);
              if (failure !== undefined) throw failure;
              return { reference: `aws-${delivered}` };
            },
          ).catch(() => undefined);
          ledger.settle = settle;
        }
        const final = ledger.records.get('k');
        expect(delivered).toBeLessThanOrEqual(1);
        if (final?.state === 'done' || final?.state === 'failed')
          expect(delivered).toBe(final.state === 'done' ? 1 : 0);
        if (delivered === 1 && final !== undefined)
          expect(['done', 'unknown', 'in-progress']).toContain(final.state);
      }),
      { numRuns: 500 },
    );
  });
});
