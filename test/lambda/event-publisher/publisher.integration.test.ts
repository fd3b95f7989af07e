/**
 * The conversation events end to end on real parts: the shipped processor, recorder and publisher
 * bundles, DynamoDB Local's stream (read as Lambda's event source mapping would, with the stack's
 * filter), and PutEvents on the simulator.
 */
import { CONVERSATION_EVENT_SOURCE } from '../../../contracts';
import type { BusEvent } from '../../../local/eventbridge-api';
import {
  envelope,
  inboundValue,
  LOCAL_BUSINESS,
  messageFailedEvent,
  newWamid,
  statusValue,
} from '../../../local/events';
import { LocalPipeline } from '../../../local/pipeline';
import { testAssembly } from '../../support/assembly';
import { expectValidEvent } from '../../support/event-schemas';

const customer = { phone: '14255550123', name: 'Jane' };
let pipeline: LocalPipeline;

beforeAll(async () => {
  pipeline = await LocalPipeline.start({
    assembly: testAssembly(),
    dynamoDbEndpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
  });
});
afterAll(() => pipeline.stop());

const text = (wamid: string, body = 'Hello') =>
  envelope([inboundValue(customer, { wamid, type: 'text', at: new Date(), payload: { body } })]);

const ofMessage = (events: readonly BusEvent[], wamid: string) =>
  events.filter((e) => (e.detail as { wamid?: string }).wamid === wamid);

const summary = (events: readonly BusEvent[]) =>
  events.map((e) => {
    const d = e.detail as { status?: string; previousStatus?: string; origin?: string };
    return [e['detail-type'], d.previousStatus, d.status, d.origin].filter(Boolean).join(' ');
  });

function expectAllValid(events: readonly BusEvent[]) {
  for (const event of events) {
    expect(event.source).toBe(CONVERSATION_EVENT_SOURCE);
    expectValidEvent({ detailType: event['detail-type'], detail: event.detail });
  }
}

describe('conversation events from the table stream', () => {
  test('a new message is received, then its auto-response completes; both on the pipeline bus', async () => {
    await pipeline.settle();
    const wamid = newWamid();
    await pipeline.publish(text(wamid));
    const { published } = await pipeline.settle();
    expect(summary(ofMessage(published, wamid))).toEqual(['Message Received', 'Auto Response Completed']);
    const [received, completed] = ofMessage(published, wamid);
    expect(received?.eventBusName).toBe('WhatsAppPipeline-conversations');
    expect(received?.detail).toMatchObject({
      pipeline: 'WhatsAppPipeline',
      businessPhoneNumberId: LOCAL_BUSINESS.metaPhoneNumberId,
      content: { kind: 'text', body: 'Hello' },
      routing: { kind: 'routed', originationPhoneNumberId: LOCAL_BUSINESS.originationPhoneNumberId },
    });
    expect(completed?.detail).toMatchObject({ receipt: { state: 'sent' }, reaction: { state: 'sent' } });
    expectAllValid(published);
  });

  test('redelivered SNS messages produce no new Message Received', async () => {
    const wamid = newWamid();
    const message = text(wamid);
    await pipeline.publish(message, 'sns-once');
    await pipeline.settle();
    await pipeline.publish(message, 'sns-once');
    await pipeline.publish(message, 'sns-meta-retry');
    const { published } = await pipeline.settle();
    expect(ofMessage(published, wamid)).toEqual([]);
  });

  test('statuses publish a change per new current status, and none for an out-of-order one that changes nothing', async () => {
    const wamid = newWamid();
    const at = Date.now();
    await pipeline.publish(envelope([statusValue(customer, [{ wamid, status: 'sent', at: new Date(at) }])]));
    await pipeline.publish(
      envelope([statusValue(customer, [{ wamid, status: 'read', at: new Date(at + 2000) }])]),
    );
    await pipeline.publish(
      envelope([statusValue(customer, [{ wamid, status: 'delivered', at: new Date(at + 1000) }])]),
    );
    const { published } = await pipeline.settle();
    expect(summary(ofMessage(published, wamid))).toEqual([
      'Message Status Changed sent',
      'Message Status Changed sent read',
    ]);
    expectAllValid(published);
  });

  test('a failed status is a Message Failed with its errors', async () => {
    const wamid = newWamid();
    await pipeline.publish(
      envelope([
        statusValue(customer, [
          {
            wamid,
            status: 'failed',
            at: new Date(),
            errors: [{ code: 131026, title: 'Message undeliverable' }],
          },
        ]),
      ]),
    );
    const { published } = await pipeline.settle();
    expect(summary(ofMessage(published, wamid))).toEqual([
      'Message Failed failed status',
      'Message Status Changed failed',
    ]);
    expect(ofMessage(published, wamid)[0]?.detail).toMatchObject({ errors: [{ code: '131026' }] });
  });

  test("an EventBridge failure of the pipeline's own reaction is a Message Failed matched to the message", async () => {
    const wamid = newWamid();
    await pipeline.publish(text(wamid));
    await pipeline.settle();
    const reaction = pipeline.simulator.sent.find(
      (r) => (r.message as { reaction?: { message_id?: string } }).reaction?.message_id === wamid,
    );
    const awsMessageId = reaction?.outcome.messageId ?? '';
    await pipeline.putEvent(
      messageFailedEvent(awsMessageId, new Date(), { code: 131026, title: 'Undeliverable' }),
    );
    const { published } = await pipeline.settle();
    expect(ofMessage(published, wamid).map((e) => e.detail)).toEqual([
      expect.objectContaining({ origin: 'delivery-event', matched: true, action: 'reaction', awsMessageId }),
    ]);
    expectAllValid(published);
  });

  test('a failure event that matches no message is a Message Failed, unmatched', async () => {
    await pipeline.putEvent(messageFailedEvent('aws-unknown-id', new Date(), { code: 131026, title: 'x' }));
    const { published } = await pipeline.settle();
    expect(published.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({
        matched: false,
        unmatchedReason: 'unknown-message-id',
        awsMessageId: 'aws-unknown-id',
      }),
    );
  });

  test('a webhook-level error is a Webhook Error', async () => {
    const message = envelope([
      {
        messaging_product: 'whatsapp',
        metadata: {
          display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
          phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
        },
        errors: [{ code: 131_042, title: 'Business eligibility payment issue' }],
      },
    ]);
    await pipeline.publish(message);
    const { published } = await pipeline.settle();
    expect(published.map((e) => [e['detail-type'], (e.detail as { code?: string }).code])).toContainEqual([
      'Webhook Error',
      '131042',
    ]);
    expectAllValid(published);
  });

  test('entries the bus refuses are retried, entry by entry, and published', async () => {
    const wamid = newWamid();
    await pipeline.publish(text(wamid));
    const requests = pipeline.simulator.eventBridge.requests;
    pipeline.simulator.eventBridge.failNextEntries(1, {
      code: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    const { published } = await pipeline.settle();
    // A retried entry may arrive after the ones that followed it: EventBridge gives no order anyway.
    expect(summary(ofMessage(published, wamid)).sort()).toEqual([
      'Auto Response Completed',
      'Message Received',
    ]);
    expect(pipeline.simulator.eventBridge.requests - requests).toBeGreaterThanOrEqual(2);
  });

  test('events the bus keeps refusing are kept whole in the undelivered-events queue, not lost', async () => {
    const wamid = newWamid();
    await pipeline.publish(text(wamid));
    pipeline.simulator.eventBridge.failNextEntries(1000, { code: 'InternalFailure' });
    const { published } = await pipeline.settle();
    pipeline.simulator.eventBridge.clearFaults();
    expect(ofMessage(published, wamid)).toEqual([]);
    const kept = pipeline.simulator.sqs.bodies(pipeline.undeliveredEventsQueueUrl);
    expect(kept).toContainEqual(
      expect.objectContaining({
        detailType: 'Message Received',
        detail: expect.objectContaining({ wamid }),
        errorCode: 'InternalFailure',
      }),
    );
  });

  test('conversation updates and sends never reach the publisher: the stream filter drops them', async () => {
    const before = pipeline.streamStats;
    await pipeline.publish(text(newWamid()));
    await pipeline.settle();
    const after = pipeline.streamStats;
    // The message item's two writes reach the publisher; the conversation's update does not.
    // Neither do the ledger writes of its receipt and reaction (accepted, handed over, settled),
    // until a stall flags one: at least the conversation and the two sends are dropped.
    expect(after.delivered - before.delivered).toBe(2);
    expect(after.filtered - before.filtered).toBeGreaterThanOrEqual(3);
  });

  test("the publisher's logs hold no wamid or phone number", () => {
    const logs = pipeline.functionLogs().publisher.join('\n');
    expect(logs).toContain('Events published');
    expect(logs).not.toMatch(/wamid\./);
    expect(logs).not.toContain(customer.phone);
  });
});
