import {
  alertOf,
  type DecodedHealthChange,
  decodeHealthChange,
  describeSubject,
  type HealthChange,
  HealthDecodeError,
  isSubjectChange,
} from '../../../lambda/domain/account-health';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { healthDigestNotification } from '../../../lambda/domain/health-digest';
import { fixtureEvent } from '../../fixtures';

const WABA = '1163793972139053';
const SOURCE = { wabaId: WABA, snsMessageId: 'sns-1', entryTime: 1767225601 };

function healthOf(name: string): DecodedHealthChange[] {
  const [notification] = decodeSnsEvent(fixtureEvent(name));
  if (notification === undefined) throw new Error('no notification');
  return [...notification.health];
}

function only(name: string): HealthChange {
  const changes = healthOf(name);
  expect(changes).toHaveLength(1);
  const [change] = changes;
  if (change === undefined || !isSubjectChange(change)) throw new Error(`${name}: not one subject change`);
  return change;
}

describe('decodeHealthChange: templates', () => {
  test('a status update names the template, its event, and the time of the entry', () => {
    expect(only('health-template-paused')).toMatchObject({
      field: 'message_template_status_update',
      wabaId: WABA,
      subject: {
        kind: 'template',
        templateId: '1234567890123456',
        templateName: 'order_update',
        language: 'en_US',
        category: 'MARKETING',
      },
      aspect: 'status',
      event: 'PAUSED',
      value: 'MARKETING',
      knownEvent: true,
      occurredAt: '2026-01-01T00:00:01.000Z',
    });
  });

  test("Meta's NONE reason is no reason, and other_info becomes the detail", () => {
    const change = only('health-template-paused');
    expect(change.reason).toBeUndefined();
    expect(change.detail).toBe(
      'FIRST_PAUSE: Your template has been paused for 3 hours because of low quality.',
    );
  });

  test('a rejection keeps its reason, and a template id sent as a string is the same id', () => {
    expect(only('health-template-rejected')).toMatchObject({
      subject: { templateId: '2234567890123456' },
      event: 'REJECTED',
      reason: 'INVALID_FORMAT',
    });
  });

  test('a disable date is kept in the detail', () => {
    expect(only('health-template-disabled').detail).toBe('disabled on 1767312000');
  });

  test('a quality update has the new score as its event and the old one as previous', () => {
    expect(only('health-template-quality-red')).toMatchObject({
      aspect: 'quality',
      event: 'RED',
      previous: 'YELLOW',
    });
  });

  test('a completed recategorization has the new category and the previous one', () => {
    expect(only('health-template-category-changed')).toMatchObject({
      aspect: 'category',
      event: 'MARKETING',
      previous: 'UTILITY',
    });
  });

  test('an impending recategorization keeps the current category and says what it becomes, and when', () => {
    const change = only('health-template-category-impending');
    expect(change).toMatchObject({ event: 'UTILITY', value: 'MARKETING' });
    expect(change.detail).toBe('will be recategorized as MARKETING on 2026-01-08T00:00:00.000Z');
  });

  test('an event Meta added later is stored verbatim and flagged unknown', () => {
    expect(only('health-template-future-event')).toMatchObject({
      event: 'SUSPENDED_FOR_REVIEW',
      knownEvent: false,
    });
  });
});

describe('decodeHealthChange: phone numbers and the account', () => {
  test('a downgrade names the number by its display number, with the old and new limits', () => {
    expect(only('health-phone-number-downgrade')).toMatchObject({
      subject: { kind: 'phone-number', displayPhoneNumber: '15550783881' },
      aspect: 'quality',
      event: 'DOWNGRADE',
      previous: 'TIER_10K',
      value: 'TIER_2K',
    });
  });

  test('max_daily_conversations_per_business replaces the retired current_limit', () => {
    expect(only('health-phone-number-throughput-upgrade').value).toBe('TIER_UNLIMITED');
  });

  test('a display-name decision keeps the requested name and the rejection reason', () => {
    expect(only('health-phone-number-name-rejected')).toMatchObject({
      aspect: 'name',
      event: 'REJECTED',
      value: 'Lucky Shrub',
      reason: 'NAME_FORMAT_UNACCEPTABLE',
    });
  });

  test('a restriction keeps every restriction and its expiry', () => {
    expect(only('health-account-restriction')).toMatchObject({
      subject: { kind: 'account' },
      aspect: 'status',
      event: 'ACCOUNT_RESTRICTION',
      restrictions: [
        { type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: '2026-01-08T13:59:20+0000' },
        { type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: '2026-01-08T13:59:20+0000' },
      ],
    });
  });

  test('a violation keeps its type as the reason, a ban its state as the value', () => {
    expect(only('health-account-violation')).toMatchObject({ reason: 'SCAM' });
    expect(only('health-account-disabled')).toMatchObject({
      value: 'DISABLE',
      detail: 'ban date 2026-01-01',
    });
  });

  test('a review decision, a capability change and an alert each have their own aspect', () => {
    expect(only('health-account-review-approved')).toMatchObject({ aspect: 'review', event: 'APPROVED' });
    expect(only('health-business-capability')).toMatchObject({
      aspect: 'capability',
      event: 'UPDATED',
      value: '1000',
      detail: 'max_daily_conversation_per_phone=1000, max_phone_numbers_per_business=2',
    });
    expect(only('health-account-alert')).toMatchObject({
      aspect: 'alert',
      event: 'INCREASED_CAPABILITIES_ELIGIBILITY_FAILED',
      severity: 'CRITICAL',
      value: 'ACTIVE',
      detail: 'BUSINESS 2729063490586005',
    });
  });
});

describe('decodeHealthChange: marketing preferences', () => {
  test("a stop names the business number and the customer, at the preference's own time", () => {
    const [change] = healthOf('health-user-preferences-stop');
    expect(change).toMatchObject({
      field: 'user_preferences',
      businessPhoneNumberId: '574086085794038',
      customer: { key: '16505551234', phone: '16505551234', profileName: 'Sheena Nelson' },
      category: 'marketing_messages',
      preference: 'stop',
      knownEvent: true,
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
  });

  test('each preference of a change is decoded', () => {
    const value = {
      metadata: { phone_number_id: '574086085794038' },
      user_preferences: [
        { wa_id: '1', category: 'marketing_messages', value: 'stop', timestamp: 10 },
        { wa_id: '2', category: 'marketing_messages', value: 'resume', timestamp: 11 },
      ],
    };
    expect(decodeHealthChange('user_preferences', value, SOURCE)?.map((c) => c.field)).toEqual([
      'user_preferences',
      'user_preferences',
    ]);
  });

  test('a preference without a customer is a decode error', () => {
    const value = {
      metadata: { phone_number_id: '574086085794038' },
      user_preferences: [{ wa_id: '', category: 'marketing_messages', value: 'stop' }],
    };
    expect(() => decodeHealthChange('user_preferences', value, SOURCE)).toThrow(/names no customer/);
  });
});

describe('decodeHealthChange: fields and failures', () => {
  test('a field the pipeline does not record is skipped, not an error', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('edge-future-field'));
    expect(notification?.skippedFields).toEqual(['group_lifecycle_update']);
    expect(notification?.health).toEqual([]);
  });

  test('a template change without its id is a decode error naming the record and the field', () => {
    expect(() => decodeSnsEvent(fixtureEvent('bad-health-template-without-id'))).toThrow(EventDecodeError);
    expect(() => decodeSnsEvent(fixtureEvent('bad-health-template-without-id'))).toThrow(
      /changes\[0\]\.value: message_template_status_update value .*message_template_id/,
    );
  });

  test('without entry.time the envelope time is used', () => {
    const [change] =
      decodeHealthChange(
        'account_review_update',
        { decision: 'PENDING' },
        { wabaId: WABA, snsMessageId: 's', publishedAt: '2026-01-01T00:00:02.100000000Z' },
      ) ?? [];
    expect(change?.occurredAt).toBe('2026-01-01T00:00:02.100Z');
  });

  test('without any time the change is refused: newest-wins could not be decided', () => {
    expect(() =>
      decodeHealthChange(
        'account_review_update',
        { decision: 'PENDING' },
        { wabaId: WABA, snsMessageId: 's' },
      ),
    ).toThrow(HealthDecodeError);
  });

  test('an entry.time out of the range of dates is a decode error, not a crash', () => {
    expect(() =>
      decodeHealthChange(
        'account_review_update',
        { decision: 'PENDING' },
        { ...SOURCE, entryTime: 8.64e12 + 0.001 },
      ),
    ).toThrow(/is not a Unix time/);
  });

  test('the raw value is kept as the payload', () => {
    const value = { decision: 'DEFERRED', extra: { future: true } };
    const [change] = decodeHealthChange('account_review_update', value, SOURCE) ?? [];
    expect(JSON.parse(change?.payload ?? '')).toEqual(value);
  });
});

describe('alertOf: what needs a human', () => {
  test.each([
    ['health-template-paused', 'warning', 'template-paused-disabled-or-rejected'],
    ['health-template-disabled', 'critical', 'template-paused-disabled-or-rejected'],
    ['health-template-rejected', 'warning', 'template-paused-disabled-or-rejected'],
    ['health-template-quality-red', 'warning', 'template-quality-red'],
    ['health-phone-number-downgrade', 'critical', 'phone-number-flagged-or-downgraded'],
    ['health-phone-number-flagged', 'warning', 'phone-number-flagged-or-downgraded'],
    ['health-account-restriction', 'critical', 'account-restricted-or-banned'],
    ['health-account-violation', 'critical', 'account-restricted-or-banned'],
    ['health-account-disabled', 'critical', 'account-restricted-or-banned'],
    ['health-account-alert', 'critical', 'account-alert'],
  ])('%s raises a %s alert linking %s', (name, severity, section) => {
    expect(alertOf(only(name))).toMatchObject({ severity, runbookSection: section });
  });

  test.each([
    'edge-template-status-update',
    'health-template-category-changed',
    'health-template-category-impending',
    'health-phone-number-throughput-upgrade',
    'health-phone-number-name-rejected',
    'health-account-partner-added',
    'health-account-review-approved',
    'health-business-capability',
    'health-template-future-event',
  ])('%s is informational: recorded and counted, not alerted', (name) => {
    expect(alertOf(only(name))).toBeUndefined();
  });

  test('a downgrade says from which limit to which', () => {
    expect(alertOf(only('health-phone-number-downgrade'))?.headline).toBe(
      'messaging limit lowered from TIER_10K to TIER_2K',
    );
  });
});

describe('describeSubject', () => {
  test('names a template by name, language and id; a number by its display number; the account by its id', () => {
    expect(describeSubject(only('health-template-paused'))).toBe(
      'template order_update (en_US) [id 1234567890123456]',
    );
    expect(describeSubject(only('health-phone-number-flagged'))).toBe('phone number 15550783881');
    expect(describeSubject(only('health-account-violation'))).toBe(`WhatsApp Business Account ${WABA}`);
  });
});

describe('healthDigestNotification', () => {
  const line = {
    wabaId: WABA,
    subject: 'template order_update (en_US) [id 1]',
    severity: 'warning' as const,
    headline: 'template paused',
    at: '2026-01-01T00:00:01.000Z',
    count: 1,
    runbookSection: 'template-paused-disabled-or-rejected',
  };
  const window = { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:15:00.000Z' };

  test('one notification lists every change, critical first, each with its runbook section', () => {
    const { subject, message } = healthDigestNotification(
      [
        line,
        {
          ...line,
          subject: 'phone number 15550783881',
          severity: 'critical',
          headline: 'limit lowered',
          runbookSection: 'phone-number-flagged-or-downgraded',
        },
      ],
      window,
      'docs/runbook.md',
    );
    expect(subject).toBe('WhatsApp account health: 2 change(s) need attention (1 critical)');
    expect(message.indexOf('[CRITICAL] phone number')).toBeLessThan(message.indexOf('[WARNING] template'));
    expect(message).toContain('What to do: docs/runbook.md#template-paused-disabled-or-rejected');
    expect(message).toContain('What to do: docs/runbook.md#phone-number-flagged-or-downgraded');
  });

  test('names the reason Meta gave and how many changes a line stands for', () => {
    const { message } = healthDigestNotification(
      [{ ...line, reason: 'INVALID_FORMAT', count: 3 }],
      window,
      'docs/runbook.md',
    );
    expect(message).toContain('reason given by Meta: INVALID_FORMAT');
    expect(message).toContain('(3 changes in the window; the newest shown)');
  });

  test('a storm is one notification of at most 50 lines, the rest counted', () => {
    const lines = Array.from({ length: 120 }, (_, i) => ({ ...line, subject: `template t${i}` }));
    const { message } = healthDigestNotification(lines, window, 'docs/runbook.md');
    expect(message.match(/^\[WARNING\]/gm)).toHaveLength(50);
    expect(message).toContain('…and 70 more');
  });
});

describe('Flows as account health', () => {
  const decodeFixture = (name: string) => decodeSnsEvent(fixtureEvent(name))[0]?.health[0];

  test('a status change is the Flow’s status aspect: the new status as the event, the old as previous', () => {
    expect(decodeFixture('health-flow-blocked')).toMatchObject({
      field: 'flows',
      subject: { kind: 'flow', flowId: '1097420589034000' },
      aspect: 'status',
      event: 'BLOCKED',
      knownEvent: true,
      previous: 'PUBLISHED',
      reason: 'Policy violation detected',
    });
  });

  test('an endpoint alert is the endpoint aspect, with its threshold', () => {
    expect(decodeFixture('health-flow-endpoint-error-rate')).toMatchObject({
      aspect: 'endpoint',
      event: 'ENDPOINT_ERROR_RATE',
      value: '10',
      severity: 'ACTIVATED',
    });
  });

  test.each([
    ['BLOCKED', 'critical'],
    ['THROTTLED', 'warning'],
  ])('%s alerts people (%s), with its runbook section', (status, severity) => {
    const change = decodeFixture('health-flow-blocked');
    if (change === undefined || !isSubjectChange(change)) throw new Error('no flow change');
    expect(alertOf({ ...change, event: status })).toMatchObject({
      severity,
      runbookSection: 'flow-blocked-or-throttled',
    });
  });

  test('PUBLISHED and DEPRECATED are recorded, not sent to a person', () => {
    const change = decodeFixture('health-flow-blocked');
    if (change === undefined || !isSubjectChange(change)) throw new Error('no flow change');
    expect(alertOf({ ...change, event: 'PUBLISHED' })).toBeUndefined();
    expect(alertOf({ ...change, event: 'DEPRECATED' })).toBeUndefined();
  });
});
