import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { ThrottlingException } from '@aws-sdk/client-eventbridge';
import type { ConversationEventEntry } from '../../../events/schemas';
import { batchesOf, EventBusPublisher, entrySize } from '../../../lambda/adapters/event-bus';

function webhookError(code: string, details = ''): ConversationEventEntry {
  return {
    detailType: 'Webhook Error',
    detail: {
      schemaVersion: 1,
      eventId: `id-${code}`,
      pipeline: 'p',
      businessPhoneNumberId: '1',
      occurredAt: '2026-12-01T00:00:00.000Z',
      wabaId: '2',
      code,
      details,
    },
  };
}

type Answer = (entries: PutEventsRequestEntry[]) => PutEventsCommandOutput | Error;

/** A PutEvents stand-in that answers each request with the next answer, and records every request. */
function fakeBus(...answers: Answer[]) {
  const requests: PutEventsRequestEntry[][] = [];
  const ok: Answer = (entries) => ({
    $metadata: {},
    FailedEntryCount: 0,
    Entries: entries.map((_, i) => ({ EventId: `e${i}` })),
  });
  return {
    requests,
    client: {
      async send(command: PutEventsCommand) {
        const entries = command.input.Entries ?? [];
        requests.push(entries);
        const answer = (answers[requests.length - 1] ?? ok)(entries);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

const options = { eventBusName: 'bus', sleep: async () => undefined, random: () => 0.5 };
const FAR = Date.now() + 60_000;

describe('EventBusPublisher', () => {
  test('puts events in order, ten to a request, on the named bus with the pipeline source', async () => {
    const bus = fakeBus();
    const events = Array.from({ length: 23 }, (_, i) => webhookError(String(i)));
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(events, FAR);
    expect(bus.requests.map((r) => r.length)).toEqual([10, 10, 3]);
    expect(bus.requests.flat().map((e) => JSON.parse(e.Detail ?? '').code)).toEqual(
      events.map((_, i) => String(i)),
    );
    expect(bus.requests[0]?.[0]).toMatchObject({
      EventBusName: 'bus',
      Source: 'whatsapp-pipeline',
      DetailType: 'Webhook Error',
    });
    expect(outcome).toEqual({ published: 23, requests: 3, retried: 0, undelivered: [] });
  });

  test('retries only the entries the bus refused for a transient reason', async () => {
    const bus = fakeBus((entries) => ({
      $metadata: {},
      FailedEntryCount: 1,
      Entries: entries.map((_, i) =>
        i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: 'ok' },
      ),
    }));
    const events = [webhookError('a'), webhookError('b'), webhookError('c')];
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(events, FAR);
    expect(bus.requests.map((r) => r.map((e) => JSON.parse(e.Detail ?? '').code))).toEqual([
      ['a', 'b', 'c'],
      ['b'],
    ]);
    expect(outcome).toMatchObject({ published: 3, requests: 2, retried: 1, undelivered: [] });
  });

  test('gives up an entry refused for good at once, with the bus reason, and publishes the rest', async () => {
    const bus = fakeBus((entries) => ({
      $metadata: {},
      FailedEntryCount: 1,
      Entries: entries.map((_, i) =>
        i === 0 ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' } : { EventId: 'ok' },
      ),
    }));
    const events = [webhookError('a'), webhookError('b')];
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(events, FAR);
    expect(bus.requests).toHaveLength(1);
    expect(outcome.published).toBe(1);
    expect(outcome.undelivered).toEqual([
      { entry: events[0], errorCode: 'MalformedDetail', errorMessage: 'bad' },
    ]);
  });

  test('retries the whole request after a transient failure of the call', async () => {
    const bus = fakeBus(
      () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    );
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(
      [webhookError('a')],
      FAR,
    );
    expect(bus.requests).toHaveLength(2);
    expect(outcome).toMatchObject({ published: 1, undelivered: [] });
  });

  test('keeps refusing entries after the last attempt as undelivered, with the last reason', async () => {
    const refuse: Answer = (entries) => ({
      $metadata: {},
      FailedEntryCount: entries.length,
      Entries: entries.map(() => ({ ErrorCode: 'InternalFailure' })),
    });
    const bus = fakeBus(refuse, refuse, refuse);
    const event = webhookError('a');
    const outcome = await new EventBusPublisher({ ...options, client: bus.client, maxAttempts: 3 }).publish(
      [event],
      FAR,
    );
    expect(bus.requests).toHaveLength(3);
    expect(outcome).toMatchObject({
      published: 0,
      retried: 2,
      undelivered: [{ entry: event, errorCode: 'InternalFailure' }],
    });
  });

  test('stops retrying at the deadline', async () => {
    const refuse: Answer = (entries) => ({
      $metadata: {},
      FailedEntryCount: entries.length,
      Entries: entries.map(() => ({ ErrorCode: 'ThrottlingException' })),
    });
    const bus = fakeBus(refuse, refuse, refuse, refuse);
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(
      [webhookError('a')],
      Date.now() + 10,
    );
    expect(bus.requests).toHaveLength(1);
    expect(outcome.undelivered).toHaveLength(1);
  });

  test('an event over 256 KB is not sent, and is undelivered as too large', async () => {
    const bus = fakeBus();
    const huge = webhookError('huge', 'x'.repeat(300 * 1024));
    const outcome = await new EventBusPublisher({ ...options, client: bus.client }).publish(
      [huge, webhookError('small')],
      FAR,
    );
    expect(bus.requests.flat()).toHaveLength(1);
    expect(outcome.undelivered).toEqual([
      expect.objectContaining({ entry: huge, errorCode: 'EntryTooLarge' }),
    ]);
  });
});

describe('batchesOf', () => {
  test('keeps every request within 256 KB, counting as PutEvents does', () => {
    const events = Array.from({ length: 6 }, (_, i) => webhookError(String(i), 'y'.repeat(100 * 1024)));
    const requests = events.map((e) => ({
      Source: 'whatsapp-pipeline',
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    const { batches } = batchesOf(requests, events);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2]);
    for (const batch of batches) {
      expect(batch.reduce((n, p) => n + entrySize(p.request), 0)).toBeLessThanOrEqual(256 * 1024);
    }
  });

  test('counts the bytes of multi-byte characters', () => {
    expect(entrySize({ Source: 'a', DetailType: 'b', Detail: '"é"' })).toBe(1 + 1 + 4);
  });
});
