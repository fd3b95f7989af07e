import { decodeFailureEvent, isFailure } from '../../../lambda/domain/failure-event';
import { EVENTBRIDGE_FIXTURES, eventBridgeFixture } from '../../fixtures/eventbridge';

describe('isFailure', () => {
  test.each([
    ['WhatsApp Message Failed', undefined, true],
    ['WhatsApp Message Undeliverable', 'undeliverable', true],
    ['Anything', 'FAILED', true],
    ['WhatsApp Message Delivered', 'delivered', false],
    // Accepted by End User Messaging Social, not handed to Meta: accepted is not delivered.
    ['WhatsApp Message Handover Failed', 'handover_failed', true],
    ['WhatsApp Message Handover Succeeded', 'handover_succeeded', false],
  ])('%s / %s → %s', (detailType, status, expected) => {
    expect(isFailure(detailType, status)).toBe(expected);
  });
});

describe('decodeFailureEvent', () => {
  test('agrees with the deployed rule on every documented-shape event', () => {
    const failures = EVENTBRIDGE_FIXTURES.filter(
      (name) => decodeFailureEvent(eventBridgeFixture(name)).kind === 'failure',
    );
    expect(failures.sort()).toEqual([
      'failed',
      'failed-status-other-type',
      'failed-without-message-id',
      'handover-failed',
      'undeliverable',
    ]);
  });

  test('reads the AWS message id, Meta phone-number id and errors, with numeric codes as strings', () => {
    expect(decodeFailureEvent(eventBridgeFixture('failed'))).toMatchObject({
      kind: 'failure',
      eventId: 'e-failed',
      awsMessageId: 'c3a5b2d1-7e8f-4a9b-8c7d-6e5f4a3b2c1d',
      metaPhoneNumberId: '574086085794038',
      errors: [{ code: '131047', title: 'Re-engagement message' }],
    });
  });

  test('an event without errors has an empty list', () => {
    const event = eventBridgeFixture('failed');
    const { errors: _errors, ...detail } = event.detail as Record<string, unknown>;
    expect(decodeFailureEvent({ ...event, detail })).toMatchObject({ errors: [] });
  });

  test('the hand-offs and statuses of sends are progress, each with its step', () => {
    const steps = Object.fromEntries(
      EVENTBRIDGE_FIXTURES.flatMap((name) => {
        const decoded = decodeFailureEvent(eventBridgeFixture(name));
        return decoded.kind === 'progress' ? [[name, decoded.step]] : [];
      }),
    );
    expect(steps).toEqual({
      'handover-succeeded': 'handed-over',
      sent: 'sent',
      delivered: 'delivered',
      read: 'read',
    });
  });

  test('a hand-off happened at its eventTimestamp, with its AWS message id', () => {
    expect(decodeFailureEvent(eventBridgeFixture('handover-succeeded'))).toMatchObject({
      kind: 'progress',
      awsMessageId: 'c3a5b2d1-7e8f-4a9b-8c7d-6e5f4a3b2c1d',
      occurredAt: '2026-01-01T00:05:00.000Z',
    });
  });
});
