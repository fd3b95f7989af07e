import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../contracts';
import { EventBusPublisher } from '../adapters/event-bus';
import { UndeliveredEvents } from '../adapters/undelivered-events';
import { requireEnv } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { createEventPublisherHandler } from './process';

// Endpoints come from the SDK's standard configuration (AWS_ENDPOINT_URL_EVENTBRIDGE and
// AWS_ENDPOINT_URL_SQS locally), never from this code.
const bus = new EventBusPublisher({
  client: new EventBridgeClient({ maxAttempts: 1 }),
  eventBusName: requireEnv(ENV.eventBusName),
});
const undelivered = new UndeliveredEvents({
  client: new SQSClient({}),
  queueUrl: requireEnv(ENV.undeliveredEventsQueueUrl),
});

/** Subscriber of the conversation table's stream: publishes every committed change as conversation events. */
export const handler = withPowertools(
  createEventPublisherHandler({
    bus,
    undelivered,
    logger,
    metrics: powertoolsMetrics(),
    pipeline: requireEnv(ENV.pipelineName),
  }),
);
