import fc from 'fast-check';
import { fromItem, ItemDecodeError, keyOf, type TableItem, toItem } from '../../../lambda/adapters/items';
import {
  accountHealth,
  anyItem,
  call,
  contractDrift,
  conversation,
  digest,
  flowHealth,
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
    ['call', call],
    ['flow health', flowHealth],
    ['contract drift', contractDrift],
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
});
