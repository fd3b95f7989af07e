import { matchesPattern } from '../../local/event-pattern';

describe('matchesPattern (EventBridge semantics)', () => {
  const event = {
    source: 'aws.x',
    'detail-type': 'A',
    detail: { status: 'Failed', codes: [1, 2], nested: { k: 'v' } },
  };

  test.each([
    [{ source: ['aws.x'] }, true],
    [{ source: ['aws.y', 'aws.x'] }, true],
    [{ source: ['aws.y'] }, false],
    [{ detail: { status: ['failed'] } }, false],
    [{ detail: { status: [{ 'equals-ignore-case': 'failed' }] } }, true],
    [{ detail: { codes: [2] } }, true],
    [{ detail: { nested: { k: ['v'] } } }, true],
    [{ detail: { missing: ['x'] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { status: [{ exists: true }] } }, true],
    [{ source: [{ prefix: 'aws.' }] }, true],
    [{ source: [{ 'anything-but': ['aws.x'] }] }, false],
    [{ source: ['aws.x'], $or: [{ 'detail-type': ['B'] }, { detail: { status: ['Failed'] } }] }, true],
    [{ source: ['aws.x'], $or: [{ 'detail-type': ['B'] }, { detail: { status: ['Nope'] } }] }, false],
    [{ source: ['aws.y'], $or: [{ 'detail-type': ['A'] }] }, false],
  ])('%j → %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  test('rejects operators it does not implement, rather than guessing', () => {
    expect(() => matchesPattern({ source: [{ numeric: ['>', 1] }] }, event)).toThrow('not supported');
  });
});
