import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConversationStore } from '../adapters/conversation-store';
import { ENV, requireEnv, requirePositiveInteger } from '../shared/env';
import { logger, powertoolsMetrics } from '../shared/observability';
import { createInboundHandler } from './process';

// Built once per execution environment. The endpoint comes from the SDK's standard configuration
// (AWS_ENDPOINT_URL_DYNAMODB locally), never from this code.
const store = new ConversationStore({
  client: new DynamoDBClient({}),
  tableName: requireEnv(ENV.tableName),
  retentionDays: requirePositiveInteger(ENV.retentionDays),
});

/** Subscriber of the inbound topic: records every WhatsApp message, status and error. */
export const handler = createInboundHandler({ store, logger, metrics: powertoolsMetrics() });
