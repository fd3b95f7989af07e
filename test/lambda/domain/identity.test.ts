import {
  type IdentifierLookup,
  identityChangeOf,
  mergeWinner,
  resolvedCustomer,
  resolveIdentifiers,
  supersededBy,
} from '../../../lambda/domain/identity';
import type { Customer, MessageContent } from '../../../lambda/domain/model';

const PHONE = '14255550150';
const NEW_PHONE = '14255550151';
const BSUID = 'US.13491208655302741918';
const NEW_BSUID = 'US.99991208655302741918';

const unknown: IdentifierLookup = { hasOwnConversation: false };

function table(entries: Record<string, IdentifierLookup>) {
  return (identifier: string) => entries[identifier] ?? unknown;
}

function customer(fields: Partial<Customer>): Customer {
  return { key: fields.userId ?? fields.phone ?? '', ...fields };
}

function system(content: Omit<Extract<MessageContent, { kind: 'system' }>, 'kind'>, who: Partial<Customer>) {
  return { content: { kind: 'system' as const, ...content }, customer: customer(who) };
}

describe('resolveIdentifiers', () => {
  test('names nobody when the record carries no identifier', () => {
    expect(resolveIdentifiers({}, table({}))).toBeUndefined();
  });

  test('keys a new customer by their BSUID when Meta sends one, linking both identifiers', () => {
    expect(resolveIdentifiers({ phone: PHONE, userId: BSUID }, table({}))).toEqual({
      kind: 'new',
      customerKey: BSUID,
      links: [
        { identifier: PHONE, kind: 'phone', expected: undefined },
        { identifier: BSUID, kind: 'user-id', expected: undefined },
      ],
    });
  });

  test('keys a new customer by phone when no BSUID is known', () => {
    expect(resolveIdentifiers({ phone: PHONE }, table({}))).toMatchObject({
      kind: 'new',
      customerKey: PHONE,
    });
  });

  test('a BSUID seen beside a phone with a conversation of its own joins that conversation', () => {
    const resolution = resolveIdentifiers(
      { phone: PHONE, userId: BSUID },
      table({ [PHONE]: { hasOwnConversation: true } }),
    );
    expect(resolution).toEqual({
      kind: 'known',
      customerKey: PHONE,
      links: [
        { identifier: PHONE, kind: 'phone', expected: undefined },
        { identifier: BSUID, kind: 'user-id', expected: undefined },
      ],
    });
  });

  test('links only the identifiers whose alias does not point at the customer yet', () => {
    const resolution = resolveIdentifiers(
      { phone: PHONE, userId: BSUID },
      table({ [BSUID]: { aliasOf: BSUID, hasOwnConversation: true } }),
    );
    expect(resolution).toEqual({
      kind: 'known',
      customerKey: BSUID,
      links: [{ identifier: PHONE, kind: 'phone', expected: undefined }],
    });
  });

  test('two identifiers of two customers merge, under the same key whichever is found first', () => {
    const lookup = table({
      [PHONE]: { aliasOf: PHONE, hasOwnConversation: true },
      [BSUID]: { aliasOf: BSUID, hasOwnConversation: true },
    });
    expect(resolveIdentifiers({ phone: PHONE, userId: BSUID }, lookup)).toEqual({
      kind: 'merge',
      winner: PHONE,
      loser: BSUID,
    });
  });

  test('a replaced number seen with an unknown BSUID is a new person, not the one who gave it up', () => {
    const resolution = resolveIdentifiers(
      { phone: PHONE, userId: NEW_BSUID },
      table({
        [PHONE]: { aliasOf: PHONE, supersededAt: '2026-01-01T00:00:00.000Z', hasOwnConversation: true },
      }),
    );
    expect(resolution).toMatchObject({ kind: 'new', customerKey: NEW_BSUID });
  });

  test('a replaced number seen alone still reaches the customer who had it (a late message)', () => {
    const resolution = resolveIdentifiers(
      { phone: PHONE },
      table({
        [PHONE]: { aliasOf: BSUID, supersededAt: '2026-01-01T00:00:00.000Z', hasOwnConversation: false },
      }),
    );
    expect(resolution).toEqual({ kind: 'known', customerKey: BSUID, links: [] });
  });
});

describe('mergeWinner', () => {
  test('is the same whichever order the two keys come in', () => {
    expect(mergeWinner(PHONE, BSUID)).toBe(mergeWinner(BSUID, PHONE));
  });

  test('keeps a phone-keyed conversation, as every one stored before BSUIDs was', () => {
    expect(mergeWinner(BSUID, PHONE)).toBe(PHONE);
  });
});

describe('resolvedCustomer', () => {
  test('answers under the customer key with the identifiers the record named', () => {
    const resolved = resolvedCustomer(customer({ phone: PHONE }), BSUID, new Set(), { userId: BSUID });
    expect(resolved).toMatchObject({ key: BSUID, phone: PHONE, userId: BSUID });
  });

  test('never answers a number the customer gave up: the current one replaces it', () => {
    const resolved = resolvedCustomer(customer({ phone: PHONE }), PHONE, new Set([PHONE]), {
      phone: NEW_PHONE,
    });
    expect(resolved.phone).toBe(NEW_PHONE);
  });

  test('drops a replaced identifier the conversation has no successor for', () => {
    const resolved = resolvedCustomer(customer({ phone: PHONE, userId: BSUID }), BSUID, new Set([PHONE]), {});
    expect(resolved).toMatchObject({ phone: undefined, userId: BSUID });
  });
});

describe('identityChangeOf', () => {
  test('a changed number replaces the number, and the BSUID when Meta names a new one', () => {
    const change = identityChangeOf(
      system(
        {
          systemType: 'user_changed_number',
          newPhone: NEW_PHONE,
          newUserId: NEW_BSUID,
          previousUserId: BSUID,
        },
        { phone: PHONE },
      ),
    );
    expect(change).toEqual({
      kind: 'phone-number',
      previous: { phone: PHONE, userId: BSUID },
      next: { phone: NEW_PHONE, userId: NEW_BSUID },
      parentUserId: undefined,
    });
  });

  test('the legacy customer_changed_number is a change of number too', () => {
    const change = identityChangeOf(
      system({ systemType: 'customer_changed_number', newPhone: NEW_PHONE }, { phone: PHONE }),
    );
    expect(change?.kind).toBe('phone-number');
  });

  test('a changed BSUID names the sender as the previous identity when Meta omits previous_user_id', () => {
    const change = identityChangeOf(
      system({ systemType: 'user_changed_user_id', newUserId: NEW_BSUID }, { userId: BSUID }),
    );
    expect(change).toMatchObject({
      kind: 'user-id',
      previous: { userId: BSUID },
      next: { userId: NEW_BSUID },
    });
  });

  test('a changed security code changes no identifier', () => {
    const change = identityChangeOf(system({ systemType: 'customer_identity_changed' }, { phone: PHONE }));
    expect(change).toEqual({ kind: 'security-code', previous: {}, next: {} });
  });

  test('any other message is no identity change', () => {
    expect(
      identityChangeOf({ content: { kind: 'text', body: 'hi' }, customer: customer({ phone: PHONE }) }),
    ).toBeUndefined();
  });
});

describe('supersededBy', () => {
  test('replaces each previous identifier Meta named a different successor for', () => {
    expect(
      supersededBy({
        kind: 'phone-number',
        previous: { phone: PHONE, userId: BSUID },
        next: { phone: NEW_PHONE, userId: NEW_BSUID },
      }),
    ).toEqual([PHONE, BSUID]);
  });

  test('keeps an identifier Meta named no successor for (a BSUID change keeps the number)', () => {
    expect(
      supersededBy({
        kind: 'user-id',
        previous: { phone: PHONE, userId: BSUID },
        next: { userId: NEW_BSUID },
      }),
    ).toEqual([BSUID]);
  });

  test('keeps an identifier whose successor is itself', () => {
    expect(
      supersededBy({ kind: 'phone-number', previous: { phone: PHONE }, next: { phone: PHONE } }),
    ).toEqual([]);
  });
});
