/**
 * The digest's stall watch against DynamoDB Local and the simulator's SNS: a send that nothing
 * followed is reported once, with a line per business number; a settled one is never reported;
 * a late status clears the flag and says so on the bus.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DigestStore } from '../../../lambda/adapters/digest-store';
import { EffectStore } from '../../../lambda/adapters/effect-store';
import { TopicNotifier } from '../../../lambda/adapters/notifier';
import { SendLedgerStore, type SendRecord } from '../../../lambda/adapters/send-ledger-store';
import { eventsOfChange } from '../../../lambda/event-publisher/changes';
import { createDigestHandler } from '../../../lambda/failure-digest/process';
import { endpointClientConfig } from '../../../ops/endpoint';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();
const ACCEPTED = '2026-03-02T10:00:00.000Z';
const minutesAfter = (m: number) => new Date(Date.parse(ACCEPTED) + m * 60_000);

function send(awsMessageId: string, overrides: Partial<SendRecord> = {}): SendRecord {
  return {
    kind: 'reaction',
    sentBy: 'auto-response',
    originationPhoneNumberId: 'phone-number-id-abc',
    businessPhoneNumberId: '574086085794038',
    conversationKey: '574086085794038#14255550150',
    inReplyTo: 'wamid.IN',
    requestedAt: ACCEPTED,
    outcome: { kind: 'accepted', awsMessageId, at: ACCEPTED },
    ...overrides,
  };
}

async function setup() {
  const tableName = await createConversationTable(parts.dynamo);
  const ledger = new SendLedgerStore({
    client: parts.dynamo,
    tableName,
    retentionDays: 30,
    clock: () => minutesAfter(0),
  });
  const metrics = new RecordingMetrics();
  const digestAt = (minutes: number) =>
    createDigestHandler({
      store: new DigestStore(parts.dynamo, tableName),
      lease: new EffectStore({ client: parts.dynamo, tableName, retentionDays: 1 }),
      notifier: new TopicNotifier(
        new SNSClient(endpointClientConfig(parts.simulator.endpoint)),
        'arn:aws:sns:us-east-1:123456789012:alerts',
      ),
      stalls: ledger,
      logger: new RecordingLogger(),
      metrics,
      windowMinutes: 15,
      links: { runbook: 'docs/runbook.md', stallRunbook: 'docs/runbook.md#stalled-sends' },
      clock: () => minutesAfter(minutes),
    })();
  return { ledger, digestAt, metrics };
}

describe('the stall watch', () => {
  test('reports a send nothing followed once, after stallMinutes, then never again', async () => {
    const { ledger, digestAt, metrics } = await setup();
    await ledger.recordSend(send('aws-1'));
    await digestAt(9);
    expect(parts.simulator.notifications).toEqual([]);
    await digestAt(11);
    await digestAt(16);
    expect(parts.simulator.notifications).toHaveLength(1);
    expect(parts.simulator.notifications[0]?.subject).toBe('WhatsApp: 1 send(s) stalled on 1 number(s)');
    expect(metrics.get('StalledSends')).toBe(1);
    expect((await ledger.findSend('aws-1'))?.stalledAt).toBe(minutesAfter(11).toISOString());
  });

  test('one line per business number, naming no customer', async () => {
    const { ledger, digestAt } = await setup();
    await ledger.recordSend(send('aws-a'));
    await ledger.recordSend(send('aws-b', { kind: 'text', sentBy: 'hook:crm' }));
    await ledger.recordSend(send('aws-c', { businessPhoneNumberId: '106540352242922' }));
    await digestAt(11);
    const message = parts.simulator.notifications[0]?.message ?? '';
    expect(message.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
    expect(message).toContain(
      '- 574086085794038: 2 send(s) (1 reaction, 1 text; from 1 auto-response, 1 hook:crm)',
    );
    expect(message).not.toMatch(/14255550150|wamid/);
    expect(message).toContain('docs/runbook.md#stalled-sends');
  });

  test('a send that settled in time is never reported, and leaves the watch', async () => {
    const { ledger, digestAt } = await setup();
    await ledger.recordSend(send('aws-2'));
    await ledger.observe('aws-2', { kind: 'step', step: 'sent', at: minutesAfter(1).toISOString() });
    await ledger.recordSend(send('aws-3', { kind: 'receipt' }));
    await ledger.observe('aws-3', { kind: 'step', step: 'handed-over', at: minutesAfter(1).toISOString() });
    await digestAt(11);
    expect(parts.simulator.notifications).toEqual([]);
    expect(await ledger.dueForStallCheck(minutesAfter(30))).toEqual([]);
  });

  test('a status after the flag clears it: Message Stalled, then Message Stalled cleared', async () => {
    const { ledger, digestAt } = await setup();
    const accepted = await ledger.recordSend(send('aws-4'));
    await digestAt(11);
    const flagged = await ledger.findSend('aws-4');
    const { item: cleared } = await ledger.observe('aws-4', {
      kind: 'step',
      step: 'delivered',
      at: minutesAfter(12).toISOString(),
    });
    const states = [
      ...eventsOfChange({ old: accepted, new: flagged ?? accepted }, 'test'),
      ...eventsOfChange({ old: flagged, new: cleared }, 'test'),
    ].map((e) =>
      e.detailType === 'Message Stalled' ? [e.detailType, e.detail.state, e.detail.ledgerState] : [],
    );
    expect(states).toEqual([
      ['Message Stalled', 'stalled', 'accepted'],
      ['Message Stalled', 'cleared', 'delivered'],
    ]);
  });
});
