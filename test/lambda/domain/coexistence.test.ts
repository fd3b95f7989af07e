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
