/**
 * Every send the WhatsApp sender makes is in the send ledger, against the simulator and DynamoDB
 * Local: accepted with its AWS message id, refused, or unanswered; and a ledger that cannot be
 * written never fails a send that happened.
 */
import { SendLedgerStore } from '../../../lambda/adapters/send-ledger-store';
import { WhatsAppSender } from '../../../lambda/adapters/whatsapp-sender';
import { reaction, readReceipt, textMessage } from '../../../lambda/domain/outbound';
import { stateOf } from '../../../lambda/domain/send-ledger';
import { CallFailedError } from '../../../lambda/shared/retry';
import { FAULTS } from '../../../local/socialmessaging-simulator';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';

const parts = useLocalParts();
const ORIGINATION = 'phone-number-id-abcdef0123456789abcdef0123456789';
const CONTEXT = {
  sentBy: 'hook:crm',
  businessPhoneNumberId: '574086085794038',
  conversationKey: '574086085794038#14255550150',
  inReplyTo: 'wamid.IN',
};

async function sender(onWriteError: (error: unknown) => void = () => {}) {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new SendLedgerStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const whatsapp = new WhatsAppSender({
    client: parts.messaging,
    metaApiVersion: 'v24.0',
    baseBackoffMs: 1,
    maxBackoffMs: 2,
    ledger: { store, onWriteError },
  });
  return { whatsapp, store, tableName };
}

const soon = () => Date.now() + 5_000;

/** The send ids the store records, as it records them (a refused send's is made up in the store). */
function recordedIds(store: SendLedgerStore): string[] {
  const ids: string[] = [];
  const original = store.recordSend.bind(store);
  jest.spyOn(store, 'recordSend').mockImplementation(async (record) => {
    const item = await original(record);
    ids.push(item.sendId);
    return item;
  });
  return ids;
}

describe('the send ledger, as the sender writes it', () => {
  test('an accepted send is recorded under its AWS message id, with what it is and who sent it', async () => {
    const { whatsapp, store } = await sender();
    const { messageId } = await whatsapp.send(
      ORIGINATION,
      reaction('wamid.IN', '👍', { to: '14255550150' }),
      soon(),
      CONTEXT,
    );
    if (messageId === undefined) throw new Error('no message id');
    const item = await store.findSend(messageId);
    expect(item).toMatchObject({ kind: 'reaction', originationPhoneNumberId: ORIGINATION, ...CONTEXT });
    expect(item && stateOf(item)).toBe('accepted');
  });

  test('a send nobody named is recorded all the same', async () => {
    const { whatsapp, store } = await sender();
    const { messageId } = await whatsapp.send(ORIGINATION, readReceipt('wamid.IN'), soon());
    expect(await store.findSend(messageId ?? '')).toMatchObject({ kind: 'receipt', sentBy: 'unnamed' });
  });

  test('a refused send is recorded failed, origin api, with the error', async () => {
    const { whatsapp, store } = await sender();
    parts.simulator.failNext(1, FAULTS.invalidParameters);
    const ids = recordedIds(store);
    await expect(
      whatsapp.send(ORIGINATION, textMessage({ to: '14255550150' }, 'Hello', 'wamid.IN'), soon(), CONTEXT),
    ).rejects.toBeInstanceOf(CallFailedError);
    const item = await store.findSend(ids[0] ?? '');
    expect(item?.failure).toMatchObject({ origin: 'api', code: 'InvalidParametersException' });
    expect(item && stateOf(item)).toBe('failed');
  });

  test('a text whose answer was lost is unknown, never resent', async () => {
    const { whatsapp, store } = await sender();
    parts.simulator.failNext(1, FAULTS.internal);
    const ids = recordedIds(store);
    await expect(
      whatsapp.send(ORIGINATION, textMessage({ to: '14255550150' }, 'Hello', 'wamid.IN'), soon(), CONTEXT),
    ).rejects.toMatchObject({ ambiguous: true });
    expect(parts.simulator.requests).toHaveLength(1);
    const item = await store.findSend(ids[0] ?? '');
    expect(item && stateOf(item)).toBe('unknown');
  });

  test('a ledger that cannot be written is reported, and the send that happened stands', async () => {
    const errors: unknown[] = [];
    const { whatsapp, store } = await sender((error) => errors.push(error));
    jest.spyOn(store, 'recordSend').mockRejectedValue(new Error('table unavailable'));
    const result = await whatsapp.send(ORIGINATION, readReceipt('wamid.IN'), soon(), CONTEXT);
    expect(result.messageId).toBeDefined();
    expect(errors).toHaveLength(1);
  });
});
