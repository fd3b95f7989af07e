import fc from 'fast-check';
import { currentStatus, statusRank } from '../../../lambda/domain/status';

const known = fc.constantFrom('sent', 'failed', 'delivered', 'read', 'played');
const any = fc.oneof(known, fc.constantFrom('deleted', 'warning'), fc.stringMatching(/^[a-z]{1,10}$/));

describe('currentStatus', () => {
  test.each([
    [['sent'], 'sent'],
    [['sent', 'delivered'], 'delivered'],
    [['read', 'delivered', 'sent'], 'read'],
    [['read', 'played'], 'played'],
    [['sent', 'failed'], 'failed'],
    [['delivered', 'failed'], 'delivered'],
    [['read', 'warning'], 'read'],
    [['warning'], 'warning'],
    [['warning', 'deleted'], 'deleted'],
    [[], undefined],
  ])('%j → %s', (seen, expected) => {
    expect(currentStatus(seen)).toBe(expected);
  });

  test('does not depend on the order statuses arrived in', () => {
    fc.assert(
      fc.property(fc.array(any, { maxLength: 8 }), fc.func(fc.integer()), (seen, key) => {
        const shuffled = [...seen].sort((a, b) => key(a) - key(b));
        expect(currentStatus(shuffled)).toBe(currentStatus(seen));
      }),
    );
  });

  test('never regresses: a further status never lowers the rank', () => {
    fc.assert(
      fc.property(fc.array(any, { minLength: 1, maxLength: 8 }), any, (seen, next) => {
        const before = statusRank(currentStatus(seen) ?? '');
        const after = statusRank(currentStatus([...seen, next]) ?? '');
        expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  test('is always one of the statuses seen', () => {
    fc.assert(
      fc.property(fc.array(any, { minLength: 1, maxLength: 8 }), (seen) => {
        expect(seen).toContain(currentStatus(seen));
      }),
    );
  });
});
