/**
 * The send ledger end to end, against DynamoDB Local and the simulator: the auto-responder's sends
 * are accepted, EUM's hand-off and status events advance them, and a hand-off failure fails them,
 * through the failure recorder as deployed (docs/send-ledger.md).
 */
import { z } from 'zod';
import { FailureStore } from '../../../lambda/adapters/failure-store';
import { stateOf } from '../../../lambda/domain/send-ledger';
import { createFailureHandler } from '../../../lambda/failure-recorder/process';
import { fixtureEvent } from '../../fixtures';
import { eventBridgeFixture } from '../../fixtures/eventbridge';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { useLocalParts } from '../../support/local-parts';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();
const WAMID = 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0001';

async function answered() {
  // The fixture's message is of 1 January 2026: answered as it would be then.
  const pipeline = await inboundPipeline(parts, { now: new Date('2026-01-01T00:00:30Z') });
  await pipeline.invoke(fixtureEvent('message-text'));
  const message = await pipeline.reader.getMessage(WAMID);
  const receipt = String(message?.receiptMessageId);
  const reaction = String(message?.reactionMessageId);
  const metrics = new RecordingMetrics();
  const record = createFailureHandler({
    store: new FailureStore({ client: parts.dynamo, tableName: pipeline.tableName, retentionDays: 30 }),
    ledger: pipeline.ledger,
    logger: new RecordingLogger(),
    metrics,
    digestWindowMinutes: 5,
  });
  /** An EventBridge fixture, about one of this pipeline's sends. */
  const report = (name: string, awsMessageId: string) => {
    const event = eventBridgeFixture(name);
    const detail = z.record(z.string(), z.unknown()).parse(event.detail);
    return record({ ...event, detail: { ...detail, messageId: awsMessageId } });
  };
  return { ...pipeline, receipt, reaction, report, metrics };
}

describe('the auto-responder’s sends in the ledger', () => {
  test('are accepted, each with its kind, the message answered and its conversation', async () => {
    const { ledger, receipt, reaction } = await answered();
    const sends = await Promise.all([ledger.findSend(receipt), ledger.findSend(reaction)]);
    expect(sends.map((s) => [s?.kind, s?.sentBy, s?.inReplyTo, s?.conversationKey])).toEqual([
      ['receipt', 'auto-response', WAMID, '574086085794038#US.13491208655302741918'],
      ['reaction', 'auto-response', WAMID, '574086085794038#US.13491208655302741918'],
    ]);
    expect(sends.map((s) => s && stateOf(s))).toEqual(['accepted', 'accepted']);
  });

  test('a hand-off settles a read receipt: Meta sends no status for it', async () => {
    const { ledger, receipt, report } = await answered();
    expect(await report('handover-succeeded', receipt)).toBe('progress');
    const send = await ledger.findSend(receipt);
    expect(send && stateOf(send)).toBe('handed-over');
    expect(send?.stallPartition).toBeUndefined();
  });

  test('statuses move a reaction on, in any order, and are counted by step', async () => {
    const { ledger, reaction, report, metrics } = await answered();
    await report('read', reaction);
    await report('handover-succeeded', reaction);
    await report('sent', reaction);
    const send = await ledger.findSend(reaction);
    expect(send && stateOf(send)).toBe('read');
    expect(send?.handedOverAt).toBeDefined();
    expect(metrics.get('SendProgressReports/step=read')).toBe(1);
  });

  test('a hand-off failure fails the send, origin handover, with Meta’s code', async () => {
    const { ledger, reaction, report } = await answered();
    expect(await report('handover-failed', reaction)).toBe('recorded');
    const send = await ledger.findSend(reaction);
    expect(send && stateOf(send)).toBe('failed');
    expect(send?.failure?.origin).toBe('handover');
  });

  test('a Meta failure after a hand-off fails it, origin meta', async () => {
    const { ledger, reaction, report } = await answered();
    await report('handover-succeeded', reaction);
    await report('failed', reaction);
    const send = await ledger.findSend(reaction);
    expect(send?.failure).toMatchObject({ origin: 'meta' });
  });

  test('news of a send the pipeline did not make is kept briefly, as no one’s', async () => {
    const { ledger, report } = await answered();
    await report('delivered', '00000000-0000-4000-8000-000000000000');
    const send = await ledger.findSend('00000000-0000-4000-8000-000000000000');
    expect(send?.kind).toBeUndefined();
    expect(send?.deliveredAt).toBeDefined();
  });
});
