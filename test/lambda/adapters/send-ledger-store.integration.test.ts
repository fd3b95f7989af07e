/**
 * The send ledger against DynamoDB Local: reports in any order and any number of times end in the
 * state the pure fold gives, and the stall watch flags a send once and clears it on a late report.
 */
import fc from 'fast-check';
import { SendLedgerStore, type SendRecord } from '../../../lambda/adapters/send-ledger-store';
import {
  observe,
  type SendObservation,
  type SendProgress,
  stateOf,
} from '../../../lambda/domain/send-ledger';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';

const parts = useLocalParts();
const ACCEPTED_AT = '2026-01-01T10:00:00.000Z';
const T = (s: number) => new Date(Date.parse(ACCEPTED_AT) + s * 1000).toISOString();

async function ledger(now = new Date(ACCEPTED_AT)) {
  const tableName = await createConversationTable(parts.dynamo);
  return new SendLedgerStore({ client: parts.dynamo, tableName, retentionDays: 30, clock: () => now });
}

function accepted(awsMessageId: string, kind: SendRecord['kind'] = 'reaction'): SendRecord {
  return {
    kind,
    sentBy: 'auto-response',
    originationPhoneNumberId: 'phone-number-id-abc',
    businessPhoneNumberId: '574086085794038',
    conversationKey: '574086085794038#14255550150',
    inReplyTo: 'wamid.IN',
    requestedAt: T(0),
    outcome: { kind: 'accepted', awsMessageId, at: T(0) },
  };
}

const progressOf = (item: SendProgress): SendProgress => ({
  acceptedAt: item.acceptedAt,
  handedOverAt: item.handedOverAt,
  sentAt: item.sentAt,
  deliveredAt: item.deliveredAt,
  readAt: item.readAt,
  failure: item.failure,
  unknownAt: item.unknownAt,
});

const reportArb: fc.Arbitrary<SendObservation> = fc.oneof(
  fc.record({
    kind: fc.constant('step' as const),
    step: fc.constantFrom('handed-over', 'sent', 'delivered', 'read'),
    at: fc.integer({ min: 1, max: 30 }).map(T),
  }),
  fc.record({
    kind: fc.constant('failed' as const),
    origin: fc.constantFrom('handover', 'meta'),
    at: fc.integer({ min: 1, max: 30 }).map(T),
    code: fc.constantFrom('131026', '131049'),
  }),
);

describe('the send ledger', () => {
  test('records an accepted send with who sent it, what it answers, and its place in the stall watch', async () => {
    const store = await ledger();
    const item = await store.recordSend(accepted('aws-1'));
    expect(item).toMatchObject({
      sendId: 'aws-1',
      awsMessageId: 'aws-1',
      kind: 'reaction',
      sentBy: 'auto-response',
      conversationKey: '574086085794038#14255550150',
      inReplyTo: 'wamid.IN',
      acceptedAt: T(0),
      stallAt: T(600),
    });
    expect(item.stallPartition).toMatch(/^STALL#2026-01-01T10#[0-7]$/);
    expect(stateOf(item)).toBe('accepted');
  });

  test('records a refused send and an unanswered one under request ids, never watched', async () => {
    const store = await ledger();
    const error = { name: 'ValidationException', message: 'bad' };
    const refused = await store.recordSend({
      ...accepted('unused'),
      outcome: { kind: 'failed', at: T(0), error, code: '131009' },
    });
    const lost = await store.recordSend({
      ...accepted('unused'),
      outcome: { kind: 'unknown', at: T(0), error },
    });
    expect(refused.sendId).toMatch(/^request-/);
    expect(stateOf(refused)).toBe('failed');
    expect(refused.failure).toMatchObject({ origin: 'api', code: '131009' });
    expect(stateOf(lost)).toBe('unknown');
    expect([refused.stallPartition, lost.stallPartition]).toEqual([undefined, undefined]);
  });

  test('any order and repetition of reports ends where the pure ledger says', async () => {
    const store = await ledger();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(reportArb, { minLength: 1, maxLength: 5 })
          .chain((reports) =>
            fc.tuple(
              fc.constant(reports),
              fc.shuffledSubarray([...reports, ...reports], { minLength: reports.length * 2 }),
              fc.integer({ min: 0, max: reports.length * 2 }),
            ),
          ),
        async ([reports, reordered, senderAt]) => {
          const id = `aws-prop-${n++}`;
          // The sender's own write can come after some reports: EventBridge may be quicker.
          for (const [i, report] of reordered.entries()) {
            if (i === senderAt) await store.recordSend(accepted(id));
            await store.observe(id, report);
          }
          if (senderAt >= reordered.length) await store.recordSend(accepted(id));
          const item = await store.findSend(id);
          if (item === undefined) throw new Error('no send');
          const expected = [
            { kind: 'step', step: 'accepted', at: T(0) } as const,
            ...reports,
          ].reduce<SendProgress>(observe, {});
          expect(progressOf(item)).toEqual(progressOf(expected));
        },
      ),
      { numRuns: 25 },
    );
  });

  test('a report about a send the pipeline did not record is kept a day only', async () => {
    const store = await ledger();
    const { item } = await store.observe('aws-other', { kind: 'step', step: 'handed-over', at: T(1) });
    expect(item.kind).toBeUndefined();
    expect(item.expiresAt).toBe(Date.parse(ACCEPTED_AT) / 1000 + 86_400);
  });

  test('a repeated report changes nothing, and says so', async () => {
    const store = await ledger();
    await store.recordSend(accepted('aws-2'));
    const first = await store.observe('aws-2', { kind: 'step', step: 'sent', at: T(5) });
    const again = await store.observe('aws-2', { kind: 'step', step: 'sent', at: T(5) });
    expect([first.changed, again.changed]).toEqual([true, false]);
    expect(again.item.sentAt).toBe(T(5));
  });
});

describe('the stall watch', () => {
  test('a reaction with no status after stallMinutes is due, and flagged once', async () => {
    const store = await ledger();
    await store.recordSend(accepted('aws-3'));
    await store.observe('aws-3', { kind: 'step', step: 'handed-over', at: T(1) });
    expect(await store.dueForStallCheck(new Date(T(599)))).toEqual([]);
    const [due, ...others] = await store.dueForStallCheck(new Date(T(600)));
    expect(others).toEqual([]);
    if (due === undefined) throw new Error('nothing due');
    expect(await store.flagStall(due, T(600))).toBe(true);
    expect(await store.flagStall(due, T(601))).toBe(false);
    expect(await store.dueForStallCheck(new Date(T(900)))).toEqual([]);
    expect((await store.findSend('aws-3'))?.stalledAt).toBe(T(600));
  });

  test('a read receipt handed over is settled and leaves the watch', async () => {
    const store = await ledger();
    await store.recordSend(accepted('aws-4', 'receipt'));
    const { item } = await store.observe('aws-4', { kind: 'step', step: 'handed-over', at: T(1) });
    expect(item.stallPartition).toBeUndefined();
    expect(await store.dueForStallCheck(new Date(T(900)))).toEqual([]);
  });

  test('a settled send read as due is taken out without a flag', async () => {
    const store = await ledger();
    const item = await store.recordSend(accepted('aws-5'));
    await store.observe('aws-5', { kind: 'step', step: 'sent', at: T(2) });
    expect(await store.flagStall(item, T(600))).toBe(false);
    expect((await store.findSend('aws-5'))?.stalledAt).toBeUndefined();
  });

  test('a status after the flag clears it, and says when', async () => {
    const store = await ledger(new Date(T(700)));
    const item = await store.recordSend(accepted('aws-6'));
    await store.flagStall(item, T(600));
    const { item: after } = await store.observe('aws-6', { kind: 'step', step: 'delivered', at: T(650) });
    expect(after).toMatchObject({ stalledAt: T(600), stallClearedAt: T(700) });
    expect(stateOf(after)).toBe('delivered');
  });
});
