import fc from 'fast-check';
import { callOutcome } from '../../../lambda/domain/calls';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { fixtureEvent } from '../../fixtures';

const callsOf = (name: string) => decodeSnsEvent(fixtureEvent(name))[0]?.calls ?? [];
const CALL = 'wacid.HBgLMTQyNTU1NTAxNTAVAgASGCBDQUxMMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDEA';

describe('call webhooks decode', () => {
  test("a customer's call: its id, the customer, the direction and the time", () => {
    expect(callsOf('calls-connect')).toEqual([
      expect.objectContaining({
        callId: CALL,
        event: 'connect',
        direction: 'inbound',
        customer: { key: '14255550150', phone: '14255550150' },
        timestamp: 1_767_344_400,
      }),
    ]);
  });

  test('its end: status, start, end and duration', () => {
    expect(callsOf('calls-terminate-completed')[0]).toMatchObject({
      event: 'terminate',
      status: 'COMPLETED',
      startTime: 1_767_344_410,
      endTime: 1_767_344_590,
      durationSeconds: 180,
    });
  });

  test('a status of a call the business placed names the customer it rang', () => {
    expect(callsOf('calls-status-rejected')[0]).toMatchObject({
      event: 'status',
      status: 'REJECTED',
      direction: 'outbound',
      customer: { key: '14255550150' },
    });
  });

  test('is neither a message nor a skipped field', () => {
    const [notification] = decodeSnsEvent(fixtureEvent('calls-connect'));
    expect(notification?.messages).toEqual([]);
    expect(notification?.skippedFields).toEqual([]);
  });

  test('keeps no SDP: nothing of the media session is a record', () => {
    expect(JSON.stringify(callsOf('calls-connect'))).not.toContain('SDP');
  });
});

describe('callOutcome', () => {
  test.each([
    [
      'a call that was talked through',
      { direction: 'inbound', terminateStatus: 'COMPLETED', durationSeconds: 180 },
      'completed',
    ],
    [
      'Meta writing the status in another case',
      { direction: 'inbound', terminateStatus: 'Completed', durationSeconds: 5 },
      'completed',
    ],
    [
      "a customer's call nobody took",
      { direction: 'inbound', terminateStatus: 'FAILED', durationSeconds: 0 },
      'missed',
    ],
    [
      "a customer's call completed with no time on the line",
      { direction: 'inbound', terminateStatus: 'COMPLETED', durationSeconds: 0 },
      'missed',
    ],
    [
      "the business's call the customer declined",
      { direction: 'outbound', terminateStatus: 'FAILED', statuses: ['RINGING', 'REJECTED'] },
      'rejected',
    ],
    [
      "the business's call that did not connect",
      { direction: 'outbound', terminateStatus: 'FAILED', statuses: ['RINGING'] },
      'failed',
    ],
    ['a call not yet ended', { direction: 'inbound' }, 'in-progress'],
  ] as const)('%s: %s', (_what, facts, outcome) => {
    expect(callOutcome({ statuses: [], ...facts })).toBe(outcome);
  });

  test('does not depend on the order the statuses arrived in', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['RINGING', 'ACCEPTED', 'REJECTED']),
        fc.constantFrom('COMPLETED', 'FAILED'),
        (statuses, terminateStatus) => {
          const facts = { direction: 'outbound' as const, terminateStatus, durationSeconds: 10 };
          expect(callOutcome({ ...facts, statuses })).toBe(
            callOutcome({ ...facts, statuses: [...statuses].reverse() }),
          );
        },
      ),
    );
  });
});
