import { marshall } from '@aws-sdk/util-dynamodb';
import type { ConversationEventEntry } from '../../../events/schemas';
import type { PublishOutcome, UndeliveredEvent } from '../../../lambda/adapters/event-bus';
import { toItem } from '../../../lambda/adapters/items';
import {
  fromImage,
  parseStreamEvent,
  StreamEventError,
  StreamImageError,
} from '../../../lambda/adapters/stream-records';
import { createEventPublisherHandler } from '../../../lambda/event-publisher/process';
import { webhookErrorItem } from '../../support/conversation-events';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

/** A stream record as Lambda delivers it: images in DynamoDB JSON. */
function record(
  sequence: string,
  image: Record<string, unknown>,
  eventName = 'INSERT',
  old?: Record<string, unknown>,
) {
  return {
    eventID: `ev-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      NewImage: image,
      ...(old === undefined ? {} : { OldImage: old }),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

function harness(
  publish: (events: readonly ConversationEventEntry[]) => PublishOutcome,
  keep?: (u: readonly UndeliveredEvent[]) => Promise<void>,
) {
  const published: ConversationEventEntry[][] = [];
  const kept: UndeliveredEvent[][] = [];
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = createEventPublisherHandler({
    bus: {
      publish: async (events) => {
        published.push([...events]);
        return publish(events);
      },
    },
    undelivered: {
      keep: async (events) => {
        kept.push([...events]);
        await keep?.(events);
      },
    },
    logger,
    metrics,
    pipeline: 'WhatsAppPipeline',
  });
  return { handler, published, kept, logger, metrics };
}

const allPublished = (events: readonly ConversationEventEntry[]): PublishOutcome => ({
  published: events.length,
  requests: 1,
  retried: 0,
  undelivered: [],
});

describe('the event publisher', () => {
  test('publishes the events of every record of the batch, in stream order', async () => {
    const h = harness(allPublished);
    const response = await h.handler({
      Records: [record('1', toItem(webhookErrorItem('1'))), record('2', toItem(webhookErrorItem('2')))],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.published).toHaveLength(1);
    expect(h.published[0]?.map((e) => e.detail)).toEqual([
      expect.objectContaining({ code: '1' }),
      expect.objectContaining({ code: '2' }),
    ]);
    expect(h.metrics.counts.get('EventsPublished/detailType=Webhook Error')).toBe(2);
  });

  test('skips and counts a record of an item kind it does not know, and publishes the others', async () => {
    const h = harness(allPublished);
    const future = marshall({ pk: 'FUTURE#1', sk: 'X', entity: 'template-status', name: 'x' });
    const response = await h.handler({
      Records: [record('1', future), record('2', toItem(webhookErrorItem('2')))],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.published[0]).toHaveLength(1);
    expect(h.metrics.counts.get('UnmappableStreamRecords')).toBe(1);
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ entity: 'template-status' }),
      }),
    );
  });

  test('skips and counts a malformed image without failing the batch', async () => {
    const h = harness(allPublished);
    const response = await h.handler({
      Records: [
        record('1', { entity: { S: 'message' }, pk: 'bare' }),
        record('2', toItem(webhookErrorItem('2'))),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.published[0]).toHaveLength(1);
    expect(h.metrics.counts.get('UnmappableStreamRecords')).toBe(1);
  });

  test('makes no request for a batch that publishes nothing (a removal by TTL)', async () => {
    const h = harness(allPublished);
    const response = await h.handler({
      Records: [
        { eventName: 'REMOVE', dynamodb: { SequenceNumber: '1', OldImage: toItem(webhookErrorItem('1')) } },
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.published).toEqual([]);
  });

  test('keeps the events the bus refused after its retries, whole, and reports the batch done', async () => {
    const h = harness((events) => ({
      published: events.length - 1,
      requests: 3,
      retried: 2,
      undelivered: [{ entry: events[1] as ConversationEventEntry, errorCode: 'ThrottlingException' }],
    }));
    const response = await h.handler({
      Records: [record('1', toItem(webhookErrorItem('1'))), record('2', toItem(webhookErrorItem('2')))],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.kept).toEqual([[{ entry: h.published[0]?.[1], errorCode: 'ThrottlingException' }]]);
    expect(h.metrics.counts.get('EventsUndelivered')).toBe(1);
    expect(h.metrics.counts.get('EventPublishRetries')).toBe(2);
  });

  test('when even keeping fails, fails the batch from the first record concerned so the stream retries it', async () => {
    const h = harness(
      (events) => ({
        published: 1,
        requests: 1,
        retried: 0,
        undelivered: [{ entry: events[1] as ConversationEventEntry, errorCode: 'AccessDeniedException' }],
      }),
      async () => {
        throw new Error('SQS down');
      },
    );
    const response = await h.handler({
      Records: [
        record('100', toItem(webhookErrorItem('1'))),
        record('200', toItem(webhookErrorItem('2'))),
        record('300', toItem(webhookErrorItem('3'))),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
  });

  test('rejects an event that is not a stream batch', async () => {
    const h = harness(allPublished);
    await expect(h.handler({ Records: [{ Sns: {} }] })).rejects.toThrow(StreamEventError);
  });
});

describe('parseStreamEvent', () => {
  test('reads DynamoDB JSON into plain attributes: numbers, maps, lists and sets', () => {
    const image = {
      s: { S: 'x' },
      n: { N: '42' },
      m: { M: { b: { BOOL: true }, z: { NULL: true } } },
      l: { L: [{ S: 'a' }, { N: '1.5' }] },
      ss: { SS: ['a', 'b'] },
    };
    const [change] = parseStreamEvent({ Records: [record('7', image)] });
    expect(change?.sequenceNumber).toBe('7');
    expect(fromImage(image)).toEqual({
      s: 'x',
      n: 42,
      m: { b: true, z: null },
      l: ['a', 1.5],
      ss: new Set(['a', 'b']),
    });
  });

  test('reads a record into the typed item before and after, an unreadable old image counting as absent', () => {
    const [change, unreadableOld] = parseStreamEvent({
      Records: [
        record('1', toItem(webhookErrorItem('2')), 'MODIFY', toItem(webhookErrorItem('1'))),
        record('2', toItem(webhookErrorItem('2')), 'MODIFY', { entity: { S: 'webhook-error' }, pk: 'bare' }),
      ],
    });
    expect(change?.entity).toBe('webhook-error');
    expect(change?.read()).toEqual({
      new: expect.objectContaining({ entity: 'webhook-error', code: '2' }),
      old: expect.objectContaining({ code: '1' }),
    });
    expect(unreadableOld?.read()).toEqual({ new: expect.objectContaining({ code: '2' }), old: undefined });
  });

  test('rejects an attribute that is not DynamoDB JSON', () => {
    expect(() => fromImage({ s: 'plain' })).toThrow(StreamImageError);
  });
});
