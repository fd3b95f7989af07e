/**
 * The media archiver on real parts: message records in DynamoDB Local, GetWhatsAppMessageMedia
 * through the real SocialMessaging client to the simulator; and the shipped bundle behind the
 * stack's rule in the local pipeline.
 */
import { randomUUID } from 'node:crypto';
import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { MediaArchiveStore } from '../../../lambda/adapters/media-archive-store';
import { MediaFetcher } from '../../../lambda/adapters/media-fetcher';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import type { InboundMessage } from '../../../lambda/domain/model';
import { createMediaArchiverHandler, MediaFetchDeferredError } from '../../../lambda/media-archiver/process';
import { envelope, inboundValue, newWamid, snsEventOf } from '../../../local/events';
import { LocalPipeline } from '../../../local/pipeline';
import { FAULTS } from '../../../local/socialmessaging-simulator';
import { ConversationReader } from '../../../ops/conversation-reader';
import { fixtureEvent } from '../../fixtures';
import { createConversationTable, testAssembly } from '../../support/assembly';
import { deliveredEvent } from '../../support/conversation-events';
import { expectValidEvent } from '../../support/event-schemas';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();

const customer = { phone: '14255550123', name: 'Jane' };

/** A recorded media message and the Message Received event the bus would deliver for it. */
async function recordedMedia(
  store: ConversationStore,
  options: { mediaId?: string; mimeType?: string; routed?: boolean } = {},
) {
  const wamid = newWamid();
  const payload = {
    ...(options.mediaId === undefined && 'mediaId' in options
      ? {}
      : { id: options.mediaId ?? '1479537139650973' }),
    mime_type: options.mimeType ?? 'image/jpeg',
    sha256: 'W5Qm',
  };
  const message = envelope([inboundValue(customer, { wamid, type: 'image', at: new Date(), payload })]);
  const [notification] = decodeSnsEvent(snsEventOf(message, randomUUID()));
  let inbound: InboundMessage | undefined = notification?.messages[0];
  if (inbound === undefined) throw new Error('no message');
  if (options.routed === false) inbound = { ...inbound, routing: { kind: 'unmatched' } };
  const outcome = await store.recordInbound(inbound);
  if (outcome.kind !== 'created') throw new Error('not created');
  return { wamid, event: deliveredEvent(outcome.item) };
}

async function archiver() {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new ConversationStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const handler = createMediaArchiverHandler({
    store: new MediaArchiveStore({ client: parts.dynamo, tableName }),
    fetcher: new MediaFetcher({ client: parts.messaging, baseBackoffMs: 5, maxBackoffMs: 10 }),
    bucketName: 'media-bucket',
    logger,
    metrics,
  });
  return { handler, store, metrics, logger, reader: new ConversationReader(parts.dynamo, tableName) };
}

const fetches = () => parts.simulator.requests.filter((r) => r.operation === 'GetWhatsAppMessageMedia');

describe('the media archiver', () => {
  test('fetches the media into the bucket under its key prefix, and records where, its type and size', async () => {
    const { handler, store, reader, metrics } = await archiver();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 86_016 });
    const { wamid, event } = await recordedMedia(store);
    expect(await handler(event, lambdaContext())).toBe('archived');
    expect(parts.simulator.s3Writes).toEqual([
      expect.objectContaining({
        bucket: 'media-bucket',
        key: expect.stringMatching(
          /^media\/574086085794038\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{32}\/1479537139650973\.jpeg$/,
        ),
      }),
    ]);
    expect((await reader.getMessage(wamid))?.mediaArchive).toEqual({
      state: 'archived',
      bucket: 'media-bucket',
      keyPrefix: expect.stringMatching(/^media\/574086085794038\//),
      mimeType: 'image/jpeg',
      fileSizeKb: 84,
      archivedAt: expect.any(String),
      attempts: 1,
    });
    expect(metrics.counts.get('MediaArchived/type=image')).toBe(1);
  });

  test('duplicates, redeliveries and concurrent deliveries fetch once', async () => {
    const { handler, store } = await archiver();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 1024 });
    const { event } = await recordedMedia(store);
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => handler(event, lambdaContext())));
    await handler({ ...event, id: randomUUID() }, lambdaContext());
    expect(fetches()).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'archived')).toHaveLength(1);
  });

  test('a transient failure is retried with backoff within the invocation', async () => {
    const { handler, store } = await archiver();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 1024 });
    parts.simulator.failNext(2, FAULTS.throttled);
    const { event } = await recordedMedia(store);
    expect(await handler(event, lambdaContext())).toBe('archived');
    expect(fetches()).toHaveLength(3);
  });

  test('a fetch failing for the whole budget releases the claim and fails, so the retry archives it', async () => {
    const { handler, store, reader } = await archiver();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 1024 });
    const { wamid, event } = await recordedMedia(store);
    parts.simulator.failWhen(() => FAULTS.internal);
    await expect(handler(event, lambdaContext(3_300))).rejects.toBeInstanceOf(MediaFetchDeferredError);
    parts.simulator.reset();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 1024 });
    expect((await reader.getMessage(wamid))?.mediaArchive).toBeUndefined();
    expect(await handler(event, lambdaContext())).toBe('archived');
    expect((await reader.getMessage(wamid))?.mediaArchive?.state).toBe('archived');
  });

  test('expired media (ResourceNotFoundException) is recorded as failed, counted, and not retried', async () => {
    const { handler, store, reader, metrics } = await archiver();
    const { wamid, event } = await recordedMedia(store);
    expect(await handler(event, lambdaContext())).toBe('failed');
    expect(await handler(event, lambdaContext())).toBe('already-handled');
    expect(fetches()).toHaveLength(1);
    expect((await reader.getMessage(wamid))?.mediaArchive).toMatchObject({
      state: 'failed',
      error: { name: 'ResourceNotFoundException' },
    });
    expect(metrics.counts.get('MediaArchiveFailed/reason=ResourceNotFoundException')).toBe(1);
  });

  test.each([
    ['an unrouted message', { routed: false }, 'unrouted'],
    ['a media message without id', { mediaId: undefined }, 'no-media-id'],
    ['an unknown MIME type', { mimeType: 'application/x-msdownload' }, 'unknown-mime-type'],
  ] as const)('%s is recorded and flagged, with no fetch', async (_case, options, reason) => {
    const { handler, store, reader } = await archiver();
    const { wamid, event } = await recordedMedia(store, options);
    expect(await handler(event, lambdaContext())).toBe(`skipped: ${reason}`);
    expect(fetches()).toEqual([]);
    expect((await reader.getMessage(wamid))?.mediaArchive).toMatchObject({ state: 'skipped', reason });
  });

  test('an event for a message that no longer exists (TTL) is skipped with a metric', async () => {
    const { store } = await archiver();
    const { event } = await recordedMedia(store);
    const other = await archiver();
    // The same event against a table where the message is not.
    expect(await other.handler(event, lambdaContext())).toBe('missing-message');
    expect(other.metrics.counts.get('MediaArchiveMissingMessage')).toBe(1);
    expect(fetches()).toEqual([]);
  });

  test("a sticker over WhatsApp's size limit is recorded as failed with the API's reason, not retried", async () => {
    const { handler, store, reader } = await archiver();
    parts.simulator.media.set('1479537139650973', { mimeType: 'image/webp', size: 900 * 1024 });
    const { wamid, event } = await recordedMedia(store, { mimeType: 'image/webp' });
    expect(await handler(event, lambdaContext())).toBe('failed');
    expect((await reader.getMessage(wamid))?.mediaArchive).toMatchObject({
      state: 'failed',
      error: { name: 'InvalidParametersException', message: expect.stringContaining('exceeds') },
    });
  });

  test.each(['message-image', 'message-audio-voice', 'message-video', 'message-document', 'message-sticker'])(
    'the %s fixture is archived exactly once across a redelivery',
    async (name) => {
      const { handler, store, reader } = await archiver();
      const [notification] = decodeSnsEvent(fixtureEvent(name));
      const inbound = notification?.messages[0];
      if (inbound?.content.kind !== 'media' || inbound.content.mediaId === undefined)
        throw new Error('not media');
      parts.simulator.media.set(inbound.content.mediaId, {
        mimeType: inbound.content.mimeType ?? 'image/jpeg',
        size: 2048,
      });
      const created = await store.recordInbound(inbound);
      if (created.kind !== 'created') throw new Error('not created');
      const event = deliveredEvent(created.item);
      expect(await handler(event, lambdaContext())).toBe('archived');
      expect(await handler({ ...event, id: randomUUID() }, lambdaContext())).toBe('already-handled');
      expect(fetches()).toHaveLength(1);
      expect((await reader.getMessage(inbound.wamid))?.mediaArchive?.state).toBe('archived');
    },
  );

  test('its logs hold no wamid or phone number', async () => {
    const { handler, store, logger } = await archiver();
    const { wamid, event } = await recordedMedia(store);
    await handler(event, lambdaContext());
    expect(logger.text()).not.toContain(wamid);
    expect(logger.text()).not.toContain(customer.phone);
  });
});

describe('the shipped archiver behind the stack rule', () => {
  test('a photo sent twice is archived once, from the bus', async () => {
    const pipeline = await LocalPipeline.start({
      assembly: testAssembly(),
      dynamoDbEndpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    });
    try {
      pipeline.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 2048 });
      const wamid = newWamid();
      const message = envelope([
        inboundValue(customer, {
          wamid,
          type: 'image',
          at: new Date(),
          payload: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'x' },
        }),
      ]);
      await pipeline.publish(message, 'sns-1');
      await pipeline.publish(message, 'sns-2');
      const { deliveries, published } = await pipeline.settle();
      expect(deliveries.map((d) => d.result)).toEqual([{ ok: true, result: 'archived' }]);
      // The archive's record is itself published, once.
      const archived = published.filter((e) => e['detail-type'] === 'Media Archived');
      expect(archived.map((e) => e.detail)).toEqual([
        expect.objectContaining({
          wamid,
          mediaType: 'image',
          mimeType: 'image/jpeg',
          bucket: 'whatsapp-media-local',
        }),
      ]);
      for (const e of archived) expectValidEvent({ detailType: e['detail-type'], detail: e.detail });
      expect(pipeline.simulator.s3Writes).toHaveLength(1);
      expect((await pipeline.reader.getMessage(wamid))?.mediaArchive).toMatchObject({
        state: 'archived',
        bucket: 'whatsapp-media-local',
      });
    } finally {
      await pipeline.stop();
    }
  });
});
