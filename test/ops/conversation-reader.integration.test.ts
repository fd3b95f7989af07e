import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { decodeSnsEvent } from '../../lambda/domain/decode';
import { envelope, newWamid, snsEventOf, statusValue } from '../../local/events';
import { ConversationReader } from '../../ops/conversation-reader';
import { createConversationTable, localDynamoDbClient } from '../support/assembly';

describe('ConversationReader.getMessages', () => {
  const client = localDynamoDbClient();
  let reader: ConversationReader;
  // More than one BatchGetItem request's worth of messages.
  const wamids = Array.from({ length: 150 }, () => newWamid());

  beforeAll(async () => {
    const tableName = await createConversationTable(client);
    const store = new ConversationStore({ client, tableName, retentionDays: 30 });
    const customer = { phone: '14255550100', name: 'Reader' };
    for (const [i, wamid] of wamids.entries()) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      const [notification] = decodeSnsEvent(
        snsEventOf(envelope([statusValue(customer, [{ wamid, status: 'delivered', at }])]), `reader-${i}`),
      );
      const status = notification?.statuses[0];
      if (status === undefined) throw new Error('the status did not decode');
      await store.recordStatus(status);
    }
    reader = new ConversationReader(client, tableName);
  });
  afterAll(() => client.destroy());

  test('returns every message in the order asked, across requests of 100 keys', async () => {
    const messages = await reader.getMessages(wamids);
    expect(messages.map((m) => m?.wamid)).toEqual(wamids);
  });

  test('gives the same typed item as reading one message', async () => {
    const [first] = await reader.getMessages([wamids[0] ?? '']);
    expect(first).toEqual(await reader.getMessage(wamids[0] ?? ''));
  });

  test('has undefined where there is no message, and answers a wamid asked twice twice', async () => {
    const unknown = newWamid();
    const messages = await reader.getMessages([wamids[1] ?? '', unknown, wamids[1] ?? '']);
    expect(messages.map((m) => m?.wamid)).toEqual([wamids[1], undefined, wamids[1]]);
  });
});
