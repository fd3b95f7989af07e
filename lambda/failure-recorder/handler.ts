import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../../contracts';
import { FailureStore } from '../adapters/failure-store';
import { SendLedgerStore } from '../adapters/send-ledger-store';
import { requireEnv, requirePositiveInteger } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { createFailureHandler } from './process';

const client = new DynamoDBClient({});
const tableName = requireEnv(ENV.tableName);
const retentionDays = requirePositiveInteger(ENV.retentionDays);

/** EventBridge target: records WhatsApp message failures, hand-offs and statuses of sends. */
export const handler = withPowertools(
  createFailureHandler({
    store: new FailureStore({ client, tableName, retentionDays }),
    ledger: new SendLedgerStore({ client, tableName, retentionDays }),
    logger,
    metrics: powertoolsMetrics(),
    digestWindowMinutes: requirePositiveInteger(ENV.digestWindowMinutes),
  }),
);
