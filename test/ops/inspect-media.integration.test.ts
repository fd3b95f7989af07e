import { randomUUID } from 'node:crypto';
import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { MediaArchiveStore } from '../../lambda/adapters/media-archive-store';
import { MediaFetcher } from '../../lambda/adapters/media-fetcher';
import { decodeSnsEvent } from '../../lambda/domain/decode';
import { createMediaArchiverHandler } from '../../lambda/media-archiver/process';
import { envelope, inboundValue, newWamid, snsEventOf } from '../../local/events';
import { inspect } from '../../ops/inspect';
import { createConversationTable } from '../support/assembly';
import { deliveredEvent } from '../support/conversation-events';
import { lambdaContext } from '../support/lambda-context';
import { useLocalParts } from '../support/local-parts';
import { RecordingLogger, RecordingMetrics } from '../support/recording-observability';

const parts = useLocalParts();

test('npm run inspect --presign shows each archived object with its type, size and a 15-minute GET link', async () => {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new ConversationStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  parts.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 86_016 });
  const wamid = newWamid();
  const message = envelope([
    inboundValue(
      { phone: '14255550123', name: 'Jane' },
      {
        wamid,
        type: 'image',
        at: new Date(),
        payload: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'x' },
      },
    ),
  ]);
  const inbound = decodeSnsEvent(snsEventOf(message, randomUUID()))[0]?.messages[0];
  if (inbound === undefined) throw new Error('no message');
  const created = await store.recordInbound(inbound);
  if (created.kind !== 'created') throw new Error('not created');
  await createMediaArchiverHandler({
    store: new MediaArchiveStore({ client: parts.dynamo, tableName }),
    fetcher: new MediaFetcher({ client: parts.messaging }),
    bucketName: 'media-bucket',
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
  })(deliveredEvent(created.item), lambdaContext());

  const printed: string[] = [];
  const code = await inspect(
    [
      '--table',
      tableName,
      '--endpoint',
      String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
      '--s3-endpoint',
      parts.simulator.endpoint,
      '--presign',
      '14255550123',
    ],
    { client: parts.dynamo, print: (text) => printed.push(text) },
  );
  const text = printed.join('\n');
  expect(code).toBe(0);
  expect(text).toContain('archived: image/jpeg, 84 KB');
  expect(text).toMatch(
    /s3:\/\/media-bucket\/media\/574086085794038\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{32}\/1479537139650973\.jpeg {2}image\/jpeg {2}84 KB/,
  );
  expect(text).toContain('links valid 15 minutes');
  expect(text).toMatch(/X-Amz-Expires=900/);
  expect(text).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
});
