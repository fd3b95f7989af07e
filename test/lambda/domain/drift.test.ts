import fc from 'fast-check';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { skeletonOf } from '../../../lambda/domain/drift';
import { fixtureEvent } from '../../fixtures';

describe('skeletonOf: the shape of a value, never the value', () => {
  test('keeps keys and the types of values', () => {
    expect(skeletonOf({ id: 'wamid.X', n: 3, ok: true, none: null, list: [{ a: 'x' }, { a: 'y' }] })).toEqual(
      {
        id: 'string',
        n: 'number',
        ok: 'boolean',
        none: 'null',
        list: [{ a: 'string' }],
      },
    );
  });

  test('keeps the word of a naming key, which says what kind of thing it is', () => {
    expect(skeletonOf({ type: 'poll', status: 'archived', body: 'poll' })).toEqual({
      type: '"poll"',
      status: '"archived"',
      body: 'string',
    });
  });

  test('a naming key whose value is not a word (digits, an id) keeps only its type', () => {
    expect(skeletonOf({ type: '14255550150', event: 'wamid.HBgL' })).toEqual({
      type: 'string',
      event: 'string',
    });
  });

  test('a key that could be data itself is replaced', () => {
    expect(skeletonOf({ '14255550150': 1, 'ada@example.com': 2 })).toEqual({ '<key>': 'number' });
  });

  test('whatever the value, the skeleton carries no wamid and no run of seven digits', () => {
    const personal = fc.oneof(
      fc.stringMatching(/^\d{7,15}$/),
      fc.constant('wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA'),
      fc.string(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        personal,
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(personal, fc.constantFrom('type', 'status', 'event')), tie('node'), {
          maxKeys: 3,
        }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(skeletonOf(v));
        expect(text).not.toMatch(/\d{7,}/);
        expect(text).not.toContain('wamid.');
      }),
    );
  });
});

describe('decoding finds what this code does not know', () => {
  test('a message type: its skeleton', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('message-future-type'));
    expect(notification?.drift).toEqual([
      expect.objectContaining({ kind: 'message-type', name: notification?.messages[0]?.type }),
    ]);
  });

  test('a status', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('status-unknown-value'));
    expect(notification?.drift.map((d) => d.kind)).toEqual(['status']);
  });

  test('a webhook field', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('edge-future-field'));
    expect(notification?.drift).toEqual([
      expect.objectContaining({ kind: 'field', name: 'group_lifecycle_update' }),
    ]);
  });

  test('a health event', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('health-template-future-event'));
    expect(notification?.drift.map((d) => d.kind)).toEqual(['health-event']);
  });

  test('nothing in what it knows', () => {
    for (const name of ['message-text', 'status-delivered', 'health-template-paused', 'calls-connect']) {
      expect(decodeSnsEvent(fixtureEvent(name))[0]?.drift).toEqual([]);
    }
  });
});
