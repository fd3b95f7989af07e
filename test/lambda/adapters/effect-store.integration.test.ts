import { randomUUID } from 'node:crypto';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EffectStore } from '../../../lambda/adapters/effect-store';
import { fromItem } from '../../../lambda/adapters/items';
import { runOnce } from '../../../lambda/shared/exactly-once';
import { CallFailedError } from '../../../lambda/shared/retry';
import { createConversationTable, localDynamoDbClient } from '../../support/assembly';

const client = localDynamoDbClient();
afterAll(() => client.destroy());

const NOW = Date.parse('2026-12-04T10:00:00Z');
const KEY = { scope: 'MSG#wamid.A', effect: 'hook#faq#reply#1' };
const claim = (owner: string, token: string, expiresAtMs = NOW + 10_000) => ({ owner, token, expiresAtMs });

async function conversationStore() {
  const tableName = await createConversationTable(client);
  return {
    tableName,
    store: new EffectStore({ client, tableName, retentionDays: 1, clock: () => new Date(NOW) }),
  };
}

describe('EffectStore on DynamoDB Local', () => {
  test('a claim is refused to a second attempt, which gets the stored claim', async () => {
    const { store } = await conversationStore();
    await expect(store.claim(KEY, claim('req-1', 't1'), NOW, false)).resolves.toEqual({ claimed: true });
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, false)).resolves.toEqual({
      claimed: false,
      existing: expect.objectContaining({ state: 'in-progress', owner: 'req-1', token: 't1' }),
    });
  });

  test("the SDK's retry of a claim whose answer was lost is the same attempt's: granted", async () => {
    const { store } = await conversationStore();
    await store.claim(KEY, claim('req-1', 't1'), NOW, false);
    await expect(store.claim(KEY, claim('req-1', 't1'), NOW, false)).resolves.toEqual({ claimed: true });
  });

  test('a takeover is granted for an expired claim or the same owner, and only when asked', async () => {
    const { store } = await conversationStore();
    await store.claim(KEY, claim('req-1', 't1', NOW - 1), NOW - 5_000, true);
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, false)).resolves.toMatchObject({
      claimed: false,
    });
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, true)).resolves.toEqual({ claimed: true });
    await expect(store.claim(KEY, claim('req-2', 't3'), NOW, true)).resolves.toEqual({ claimed: true });
    await expect(store.claim(KEY, claim('req-3', 't4'), NOW, true)).resolves.toMatchObject({
      claimed: false,
    });
  });

  test('settle writes the outcome for the holding token only, and answers recorded to its own repeat', async () => {
    const { store } = await conversationStore();
    await store.claim(KEY, claim('req-1', 't1'), NOW, false);
    const done = { state: 'done', at: new Date(NOW).toISOString(), reference: 'aws-1' } as const;
    await expect(store.settle(KEY, 'other', done)).resolves.toBe('claim-lost');
    await expect(store.settle(KEY, 't1', done)).resolves.toBe('recorded');
    await expect(store.settle(KEY, 't1', done)).resolves.toBe('recorded');
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, true)).resolves.toEqual({
      claimed: false,
      existing: done,
    });
  });

  test('release frees the key for the holding token only', async () => {
    const { store } = await conversationStore();
    await store.claim(KEY, claim('req-1', 't1'), NOW, false);
    await store.release(KEY, 'other');
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, false)).resolves.toMatchObject({
      claimed: false,
    });
    await store.release(KEY, 't1');
    await expect(store.claim(KEY, claim('req-2', 't2'), NOW, false)).resolves.toEqual({ claimed: true });
  });

  test('the item sits beside the message, with a TTL, and decodes as a table item', async () => {
    const { tableName, store } = await conversationStore();
    await runOnce(
      store,
      KEY,
      { id: 'req-1', end: NOW + 10_000 },
      { idempotent: false, clock: () => NOW },
      async () => ({
        reference: 'aws-1',
      }),
    );
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
    expect(Items.map((item) => unmarshall(item))).toEqual([
      expect.objectContaining({
        pk: 'MSG#wamid.A',
        sk: 'EFFECT#hook#faq#reply#1',
        expiresAt: NOW / 1000 + 86_400,
      }),
    ]);
    expect(Items[0] === undefined ? undefined : fromItem(Items[0])).toMatchObject({
      entity: 'side-effect',
      record: { state: 'done', reference: 'aws-1' },
    });
  });

  test('a table with a partition key alone takes the same effects', async () => {
    const tableName = `effects-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const store = new EffectStore({ client, tableName, retentionDays: 1, keySchema: 'pk' });
    const lost = new CallFailedError('transient', 'InternalServiceException', 1, true, {
      cause: new Error('x'),
    });
    const first = await runOnce(
      store,
      KEY,
      { id: 'r', end: Date.now() + 5_000 },
      { idempotent: false },
      async () => Promise.reject(lost),
    );
    const second = await runOnce(
      store,
      KEY,
      { id: 'r2', end: Date.now() + 5_000 },
      { idempotent: false },
      async () => ({}),
    );
    expect([first.record.state, second.record.state, second.fresh]).toEqual(['unknown', 'unknown', false]);
  });
});
