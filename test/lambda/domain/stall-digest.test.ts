import { stallNotification } from '../../../lambda/domain/stall-digest';

const ACCEPTED = '2026-03-02T10:00:00.000Z';

describe('stallNotification', () => {
  test('says whether EUM or Meta went silent', () => {
    const { message } = stallNotification(
      [
        {
          businessPhoneNumberId: '1',
          kind: 'text',
          sentBy: 'hook:a',
          acceptedAt: ACCEPTED,
          handedOver: true,
        },
        {
          businessPhoneNumberId: '1',
          kind: 'text',
          sentBy: 'hook:a',
          acceptedAt: ACCEPTED,
          handedOver: false,
        },
      ],
      10,
      'runbook',
    );
    expect(message).toContain('1 handed to Meta with no status since, 1 never handed over');
    expect(message).toContain('more than 10 minutes ago');
  });
});
