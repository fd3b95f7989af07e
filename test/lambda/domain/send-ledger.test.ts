import fc from 'fast-check';
import {
  isSettled,
  observe,
  type SendObservation,
  type SendProgress,
  stateOf,
} from '../../../lambda/domain/send-ledger';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

const observationArb: fc.Arbitrary<SendObservation> = fc.oneof(
  fc.record({
    kind: fc.constant('step' as const),
    step: fc.constantFrom('accepted', 'handed-over', 'sent', 'delivered', 'read'),
    at: fc.integer({ min: 0, max: 59 }).map(T),
  }),
  fc.record({
    kind: fc.constant('failed' as const),
    origin: fc.constantFrom('api', 'handover', 'meta'),
    at: fc.integer({ min: 0, max: 59 }).map(T),
    code: fc.constantFrom('131026', '131047', undefined),
  }),
);

const fold = (observations: readonly SendObservation[]): SendProgress => observations.reduce(observe, {});

describe('the send ledger', () => {
  test('any order and any repetition of the same reports ends in the same progress', () => {
    fc.assert(
      fc.property(
        fc
          .array(observationArb, { minLength: 1, maxLength: 8 })
          .chain((reports) =>
            fc.tuple(
              fc.constant(reports),
              fc.shuffledSubarray([...reports, ...reports], { minLength: reports.length * 2 }),
            ),
          ),
        ([reports, reordered]) => {
          expect(fold(reordered)).toEqual(fold(reports));
        },
      ),
    );
  });

  test('moves through accepted, handed-over, sent, delivered and read', () => {
    const steps = ['accepted', 'handed-over', 'sent', 'delivered', 'read'] as const;
    let progress: SendProgress = {};
    const states = steps.map((step, i) => {
      progress = observe(progress, { kind: 'step', step, at: T(i) });
      return stateOf(progress);
    });
    expect(states).toEqual([...steps]);
  });

  test('a later step implies the earlier ones: delivered without a hand-off report is delivered', () => {
    expect(stateOf(fold([{ kind: 'step', step: 'delivered', at: T(3) }]))).toBe('delivered');
  });

  test('a failure stands whatever step was reported before or after it', () => {
    const progress = fold([
      { kind: 'step', step: 'sent', at: T(2) },
      { kind: 'failed', origin: 'meta', at: T(3), code: '131026' },
      { kind: 'step', step: 'delivered', at: T(4) },
    ]);
    expect(stateOf(progress)).toBe('failed');
  });

  test('of two failures, the earlier is kept', () => {
    const progress = fold([
      { kind: 'failed', origin: 'meta', at: T(9) },
      { kind: 'failed', origin: 'handover', at: T(5) },
    ]);
    expect(progress.failure).toEqual({ origin: 'handover', at: T(5) });
  });

  test('an answer the API lost is unknown, never requested', () => {
    expect(stateOf(fold([{ kind: 'unknown', at: T(1) }]))).toBe('unknown');
    expect(stateOf({})).toBe('requested');
  });

  test('a read receipt settles when EUM hands it over: Meta reports no status for it', () => {
    const handedOver = fold([{ kind: 'step', step: 'handed-over', at: T(1) }]);
    expect(isSettled(handedOver, 'receipt')).toBe(true);
    expect(isSettled(handedOver, 'reaction')).toBe(false);
  });

  test('a reaction settles at its first status, or a failure', () => {
    expect(isSettled(fold([{ kind: 'step', step: 'sent', at: T(1) }]), 'reaction')).toBe(true);
    expect(isSettled(fold([{ kind: 'failed', origin: 'handover', at: T(1) }]), 'reaction')).toBe(true);
    expect(isSettled(fold([{ kind: 'step', step: 'accepted', at: T(1) }]), 'reaction')).toBe(false);
  });

  test('an unanswered send never settles by itself: it is already flagged unknown', () => {
    expect(isSettled(fold([{ kind: 'unknown', at: T(1) }]), 'text')).toBe(false);
  });
});
