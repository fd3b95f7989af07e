import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { encodeEnvelope, fixtureEnvelope, fixtureEvent, snsEvent } from '../../fixtures';

function decodedEcho() {
  const [notification] = decodeSnsEvent(fixtureEvent('coexistence-echo'));
  if (notification === undefined) throw new Error('nothing decoded');
  return notification;
}

describe('echoes of the WhatsApp Business app (coexistence)', () => {
  test('an echo decodes with the customer it went to, digits only, and what the person wrote', () => {
    expect(decodedEcho().echoes).toEqual([
      expect.objectContaining({
        wamid: 'wamid.HBgLMTQyNTU1NTAxNTAVAgARGBJFQ0hPMTIzNDU2Nzg5MEFCQ0QA',
        type: 'text',
        timestamp: 1_767_225_700,
        customer: { key: '14255550150', phone: '14255550150' },
        content: { kind: 'text', body: 'Hi Jane, this is Sam from the shop: your order left this morning.' },
        source: expect.objectContaining({ businessPhoneNumberId: '574086085794038' }),
      }),
    ]);
  });

  test('is neither a customer message nor a skipped field', () => {
    const notification = decodedEcho();
    expect(notification.messages).toEqual([]);
    expect(notification.skippedFields).toEqual([]);
  });

  test('keeps the echo exactly as received', () => {
    expect(JSON.parse(decodedEcho().echoes[0]?.rawJson ?? '{}')).toMatchObject({ to: '+14255550150' });
  });

  test('an echo with no recipient fails the notification, naming where', () => {
    const envelope = fixtureEnvelope('coexistence-echo');
    const text = JSON.stringify(envelope).replace('"to":"+14255550150",', '');
    const event = snsEvent(encodeEnvelope(JSON.parse(text)));
    expect(() => decodeSnsEvent(event)).toThrow(EventDecodeError);
    expect(() => decodeSnsEvent(event)).toThrow('changes[0].value.message_echoes[0] is an echo without');
  });
});

describe('the chat history of the WhatsApp Business app (coexistence)', () => {
  const [notification] = decodeSnsEvent(fixtureEvent('coexistence-history'));

  test('every message of every thread decodes with its original time, its side and its status at import', () => {
    expect(
      notification?.history.map((m) => [m.direction, m.timestamp, m.content.kind, m.status, m.customer.key]),
    ).toEqual([
      ['inbound', 1_760_000_000, 'text', 'read', '14255550150'],
      ['outbound', 1_760_000_300, 'text', 'read', '14255550150'],
      ['inbound', 1_760_000_400, 'other', 'read', '14255550150'],
    ]);
  });

  test('keeps the phase and chunk of the import', () => {
    expect(notification?.history[0]).toMatchObject({ phase: 1, chunkOrder: 2 });
  });

  test('is neither a customer message nor a skipped field', () => {
    expect(notification?.messages).toEqual([]);
    expect(notification?.skippedFields).toEqual([]);
  });

  test('a declined import is a webhook error with its code', () => {
    const [declined] = decodeSnsEvent(fixtureEvent('coexistence-history-declined'));
    expect(declined?.errors.map((e) => e.code)).toEqual(['2593109']);
    expect(declined?.history).toEqual([]);
  });
});

describe("the app's contacts (smb_app_state_sync)", () => {
  test('are counted by action, and nothing of them is kept', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('coexistence-app-state-sync'));
    expect(notification?.appStateSync).toEqual([{ type: 'contact', action: 'add' }]);
    expect(JSON.stringify(notification)).not.toContain('Jane Doe');
    expect(notification?.skippedFields).toEqual([]);
  });
});
