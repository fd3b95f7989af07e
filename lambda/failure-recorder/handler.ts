import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../../contracts';
import { FailureStore } from '../adapters/failure-store';
import { requireEnv, requirePositiveInteger } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { createFailureHandler } from './process';

const store = new FailureStore({
  client: new DynamoDBClient({}),
  tableName: requireEnv(ENV.tableName),
  retentionDays: requirePositiveInteger(ENV.retentionDays),
});

/** EventBridge target: records WhatsApp message failures on the conversation store. */
export const handler = withPowertools(
  createFailureHandler({
    store,
    logger,
    metrics: powertoolsMetrics(),
    digestWindowMinutes: requirePositiveInteger(ENV.digestWindowMinutes),
  }),
);
