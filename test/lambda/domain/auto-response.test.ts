import fc from 'fast-check';
import { DEFAULT_AUTO_RESPONSE_POLICY, planResponse } from '../../../lambda/domain/auto-response';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import type { InboundMessage } from '../../../lambda/domain/model';
import { reaction, readReceipt } from '../../../lambda/domain/outbound';
import { fixtureEvent } from '../../fixtures';

const NOW = new Date('2026-01-01T00:00:30Z');

function message(name = 'message-text', change: Partial<InboundMessage> = {}): InboundMessage {
  const decoded = decodeSnsEvent(fixtureEvent(name))[0]?.messages[0];
  if (decoded === undefined) throw new Error('fixture changed');
  return { ...decoded, ...change };
}

describe('planResponse', () => {
  test('a text gets a receipt and a reaction addressed to the sender, from the receiving number', () => {
    expect(planResponse(message(), DEFAULT_AUTO_RESPONSE_POLICY, NOW)).toEqual({
      receipt: { state: 'pending' },
      reaction: { state: 'pending', emoji: '👍', address: { to: '14255550150' } },
      originationPhoneNumberId: 'phone-number-id-abcdef0123456789abcdef0123456789',
    });
  });

  test('a reaction gets nothing: never react to a reaction', () => {
    expect(planResponse(message('message-reaction'), DEFAULT_AUTO_RESPONSE_POLICY, NOW)).toMatchObject({
      receipt: { state: 'skipped', reason: 'policy' },
      reaction: { state: 'skipped', reason: 'policy' },
    });
  });

  test('exactly at the age limit still gets a response; one second later does not', () => {
    const limit = DEFAULT_AUTO_RESPONSE_POLICY.maxMessageAgeSeconds;
    const at = (age: number) => message('message-text', { timestamp: NOW.getTime() / 1000 - age });
    expect(planResponse(at(limit), DEFAULT_AUTO_RESPONSE_POLICY, NOW).receipt.state).toBe('pending');
    expect(planResponse(at(limit + 1), DEFAULT_AUTO_RESPONSE_POLICY, NOW).receipt).toEqual({
      state: 'skipped',
      reason: 'too-old',
    });
  });

  test('never plans a reaction without an address, whatever the message', () => {
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^\d{8,15}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[A-Z]{2}\.\d{5,20}$/), { nil: undefined }),
        fc.constantFrom('text', 'image', 'reaction', 'system', 'unsupported', 'hologram'),
        (phone, userId, type) => {
          const customer = { key: userId ?? phone ?? 'unknown', phone, userId };
          const plan = planResponse(
            message('message-text', { customer, type }),
            DEFAULT_AUTO_RESPONSE_POLICY,
            NOW,
          );
          if (plan.reaction.state === 'pending') {
            expect(plan.reaction.address).toEqual(
              phone !== undefined ? { to: phone } : { recipient: userId },
            );
          }
        },
      ),
    );
  });

  test('an unrouted message plans nothing', () => {
    expect(planResponse(message('edge-no-context'), DEFAULT_AUTO_RESPONSE_POLICY, NOW)).toEqual({
      receipt: { state: 'skipped', reason: 'unrouted' },
      reaction: { state: 'skipped', reason: 'unrouted' },
    });
  });
});

describe('payloads', () => {
  test('the read receipt is the documented mark-as-read message', () => {
    expect(readReceipt('wamid.A', false).body).toEqual({
      messaging_product: 'whatsapp',
      message_id: 'wamid.A',
      status: 'read',
    });
  });

  test('the typing indicator rides on the read receipt', () => {
    expect(readReceipt('wamid.A', true).body).toMatchObject({ typing_indicator: { type: 'text' } });
  });

  test('the reaction is the documented reaction message', () => {
    expect(reaction('wamid.A', '👍', { to: '14255550150' }).body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '14255550150',
      type: 'reaction',
      reaction: { message_id: 'wamid.A', emoji: '👍' },
    });
  });
});
