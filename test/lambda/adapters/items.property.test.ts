import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { messageKey } from '../../../contracts';
import { fromItem, ItemDecodeError, keyOf, type TableItem, toItem } from '../../../lambda/adapters/items';
import {
  accountHealth,
  anyItem,
  conversation,
  digest,
  healthAlert,
  marketingPreference,
  message,
  orphan,
  phoneNumberHealth,
  sideEffect,
  templateHealth,
  webhookError,
} from '../../support/item-arbitraries';

/** The item as it compares after a round trip: undefined members are not stored. */
function stored(item: TableItem): unknown {
  return JSON.parse(JSON.stringify(item));
}

describe('table item codecs', () => {
  test.each([
    ['message', message],
    ['conversation', conversation],
    ['webhook error', webhookError],
    ['orphan failure', orphan],
    ['failure digest', digest],
    ['template health record', templateHealth],
    ['phone-number health record', phoneNumberHealth],
    ['account health record', accountHealth],
    ['marketing preference', marketingPreference],
    ['health alert', healthAlert],
    ['side effect', sideEffect],
  ] as const)('fromItem(toItem(x)) equals x for every %s', (_kind, arbitrary: fc.Arbitrary<TableItem>) => {
    fc.assert(
      fc.property(arbitrary, (item) => {
        expect(stored(fromItem(toItem(item)))).toEqual(stored(item));
      }),
    );
  });

  test('every item is stored under its own key', () => {
    fc.assert(
      fc.property(anyItem, (item) => {
        const marshalled = toItem(item);
        expect(marshalled.pk).toEqual({ S: keyOf(item).pk });
        expect(marshalled.sk).toEqual({ S: keyOf(item).sk });
      }),
    );
  });

  test('an attribute map of no known shape is an ItemDecodeError, never an untyped value', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer())),
        (attributes) => {
          try {
            fromItem(attributes, false);
          } catch (error) {
            expect(error).toBeInstanceOf(ItemDecodeError);
          }
        },
      ),
    );
  });

  test('a message of the first layout reads into the typed status history, with its derived status', () => {
    const legacy = marshall(
      {
        ...messageKey('wamid.legacy'),
        entity: 'message',
        wamid: 'wamid.legacy',
        direction: 'outbound',
        expiresAt: 1,
        statuses: new Set(['sent', 'read', 'delivered']),
        status_read_1767225605: { status: 'read', at: '2026-01-01T00:00:05.000Z' },
        status_sent_1767225601: { status: 'sent', at: '2026-01-01T00:00:01.000Z' },
        status_delivered_1767225603: { status: 'delivered', at: '2026-01-01T00:00:03.000Z' },
      },
      { convertClassInstanceToMap: false },
    );
    const item = fromItem(legacy);
    expect(item).toMatchObject({
      entity: 'message',
      status: 'read',
      statusAt: '2026-01-01T00:00:05.000Z',
      statusHistory: [{ status: 'sent' }, { status: 'delivered' }, { status: 'read' }],
    });
  });
});
