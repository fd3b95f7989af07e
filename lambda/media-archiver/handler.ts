import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ENV } from '../../contracts';
import { MediaArchiveStore } from '../adapters/media-archive-store';
import { MediaFetcher } from '../adapters/media-fetcher';
import { requireEnv } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { createMediaArchiverHandler } from './process';

// Endpoints come from the SDK's standard configuration, never from this code.
const store = new MediaArchiveStore({ client: new DynamoDBClient({}), tableName: requireEnv(ENV.tableName) });
// Downloads of up to 100 MB take long: each attempt may take a minute.
const fetcher = new MediaFetcher({
  client: new SocialMessagingClient({ maxAttempts: 1 }),
  requestTimeoutMs: 60_000,
});

/** Subscriber of Message Received (media): archives each message's media into the media bucket once. */
export const handler = withPowertools(
  createMediaArchiverHandler({
    store,
    fetcher,
    bucketName: requireEnv(ENV.mediaBucketName),
    logger,
    metrics: powertoolsMetrics(),
  }),
);
