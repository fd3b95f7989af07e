import { DEFAULT_AUTO_RESPONSE_POLICY, planResponse } from '../../../lambda/domain/auto-response';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { InvalidAddressError, reaction, textMessage } from '../../../lambda/domain/outbound';
import { fixtureEvent } from '../../fixtures';

const NOW = new Date('2026-01-01T00:00:30Z');
const GROUP = 'Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=';

function groupMessage() {
  const [notification] = decodeSnsEvent(fixtureEvent('message-group-text'));
  const message = notification?.messages[0];
  if (message === undefined) throw new Error('no message');
  return message;
}

describe('messages written in a group', () => {
  test('decode with their group, the participant as the customer', () => {
    const message = groupMessage();
    expect(message.groupId).toBe(GROUP);
    expect(message.customer).toMatchObject({ phone: '14255550150' });
    expect(message.content).toEqual({ kind: 'text', body: 'Can someone check the delivery times?' });
  });

  test('get no read receipt and no reaction by default', () => {
    expect(planResponse(groupMessage(), DEFAULT_AUTO_RESPONSE_POLICY, NOW)).toEqual({
      receipt: { state: 'skipped', reason: 'group' },
      reaction: { state: 'skipped', reason: 'group' },
    });
  });

  test('with autoResponse.groups on, are answered in the group: the reaction goes to the group', () => {
    const plan = planResponse(groupMessage(), { ...DEFAULT_AUTO_RESPONSE_POLICY, groups: true }, NOW);
    expect(plan.receipt).toEqual({ state: 'pending' });
    expect(plan.reaction).toEqual({ state: 'pending', emoji: '👍', address: { group: GROUP } });
  });

  test('a payload to a group names it with recipient_type group', () => {
    expect(reaction('wamid.A', '👍', { group: GROUP }).body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'group',
      to: GROUP,
      type: 'reaction',
      reaction: { message_id: 'wamid.A', emoji: '👍' },
    });
    expect(() => textMessage({ group: ' ' }, 'hi')).toThrow(InvalidAddressError);
  });
});

describe('statuses of messages the business sent to a group', () => {
  test('decode with the group, and no person as recipient', () => {
    const [status] = decodeSnsEvent(fixtureEvent('status-group-delivered'))[0]?.statuses ?? [];
    expect(status?.groupId).toBe(GROUP);
    expect(status?.recipient).toBeUndefined();
  });
});
