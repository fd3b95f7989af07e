/**
 * Calls against DynamoDB Local: each webhook fills in the call's record in its conversation, in
 * any order and once; a missed call is counted per number; nothing ever answers a call.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { callKey } from '../../../contracts';
import { fromItem } from '../../../lambda/adapters/items';
import { eventsOfChange } from '../../../lambda/event-publisher/changes';
import { fixtureEvent } from '../../fixtures';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';

const CALL = 'wacid.HBgLMTQyNTU1NTAxNTAVAgASGCBDQUxMMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDEA';
const MISSED = 'wacid.HBgLMTQyNTU1NTAxNTAVAgASGCBDQUxMMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDIA';

const parts = useLocalParts();

async function pipeline() {
  const { tableName, handler, metrics } = await inboundPipeline(parts);
  const call = async (callId: string) => {
    const { Item } = await parts.dynamo.send(
      new GetItemCommand({ TableName: tableName, Key: marshall(callKey(callId)) }),
    );
    if (Item === undefined) return undefined;
    const item = fromItem(Item);
    return item.entity === 'call' ? item : undefined;
  };
  return {
    invoke: (name: string) => handler(fixtureEvent(name), lambdaContext(30_000)),
    call,
    metrics,
  };
}

describe('a call', () => {
  test('is one record in the customer’s conversation, with its direction, start, end and duration', async () => {
    const { invoke, call } = await pipeline();
    await invoke('calls-connect');
    await invoke('calls-terminate-completed');
    expect(await call(CALL)).toMatchObject({
      conversationKey: '574086085794038#14255550150',
      direction: 'inbound',
      connectedAt: '2026-01-02T09:00:00.000Z',
      terminateStatus: 'COMPLETED',
      startedAt: '2026-01-02T09:00:10.000Z',
      endedAt: '2026-01-02T09:03:10.000Z',
      durationSeconds: 180,
    });
  });

  test('is never answered: no send of any kind', async () => {
    const { invoke } = await pipeline();
    await invoke('calls-connect');
    await invoke('calls-terminate-completed');
    await invoke('calls-terminate-missed');
    expect(parts.simulator.requests).toEqual([]);
  });

  test('its webhooks in any order, and redelivered, end in the same record', async () => {
    const names = ['calls-connect', 'calls-terminate-completed'];
    const settled = async (order: readonly string[]) => {
      const { invoke, call } = await pipeline();
      for (const name of order) await invoke(name);
      return call(CALL);
    };
    const reference = await settled(names);
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.constantFrom(...names), { minLength: 2, maxLength: 5 })
          .filter((o) => names.every((n) => o.includes(n))),
        async (order) => {
          const record = await settled(order);
          expect({ ...record, expiresAt: 0 }).toEqual({ ...reference, expiresAt: 0 });
        },
      ),
      { numRuns: 8 },
    );
  });

  test('ended is one Call Completed on the bus, never twice', async () => {
    const { invoke, call } = await pipeline();
    await invoke('calls-connect');
    const before = await call(CALL);
    await invoke('calls-terminate-completed');
    const after = await call(CALL);
    if (after === undefined) throw new Error('no call recorded');
    const events = eventsOfChange({ old: before, new: after }, 'test');
    expect(events.map((e) => e.detailType)).toEqual(['Call Completed']);
    expect(eventsOfChange({ old: after, new: after }, 'test')).toEqual([]);
  });
});

describe('a missed call', () => {
  test('is counted per business number, once', async () => {
    const { invoke, metrics } = await pipeline();
    await invoke('calls-terminate-missed');
    await invoke('calls-terminate-missed');
    expect(metrics.get('MissedCalls/businessPhoneNumberId=574086085794038')).toBe(1);
  });

  test('is a Call Missed on the bus with outcome missed', async () => {
    const { invoke, call } = await pipeline();
    await invoke('calls-terminate-missed');
    const missed = await call(MISSED);
    if (missed === undefined) throw new Error('no call recorded');
    const [event] = eventsOfChange({ new: missed }, 'test');
    expect(event?.detailType).toBe('Call Missed');
    expect(event?.detail).toMatchObject({ outcome: 'missed', direction: 'inbound' });
  });
});
