import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { ENV } from '../../contracts';
import { CostStore } from '../adapters/cost-store';
import { DigestStore } from '../adapters/digest-store';
import { EffectStore } from '../adapters/effect-store';
import { TopicNotifier } from '../adapters/notifier';
import { SendLedgerStore } from '../adapters/send-ledger-store';
import { readRateCards, requireEnv, requirePositiveInteger } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { createDigestHandler } from './process';

const region = process.env.AWS_REGION ?? 'us-east-1';
const dynamodb = new DynamoDBClient({});
const tableName = requireEnv(ENV.tableName);
const dashboard = process.env[ENV.dashboardName];

/** Scheduled: sends the failure digests of the windows that closed to the alerts topic. */
export const handler = withPowertools(
  createDigestHandler({
    store: new DigestStore(dynamodb, tableName),
    lease: new EffectStore({ client: dynamodb, tableName, retentionDays: 1 }),
    // Flags only: the retention of a send is its sender's, never rewritten here.
    stalls: new SendLedgerStore({ client: dynamodb, tableName, retentionDays: 1 }),
    // Reads only: the counts are the processor's.
    spend: {
      costs: new CostStore({ client: dynamodb, tableName, retentionDays: 1 }),
      rateCards: readRateCards(),
    },
    notifier: new TopicNotifier(new SNSClient({}), requireEnv(ENV.alertsTopicArn)),
    logger,
    metrics: powertoolsMetrics(),
    windowMinutes: requirePositiveInteger(ENV.digestWindowMinutes),
    links: {
      runbook: 'docs/runbook.md#failedwhatsappmessages',
      healthRunbook: 'docs/runbook.md',
      stallRunbook: 'docs/runbook.md#stalled-sends',
      console:
        dashboard === undefined
          ? undefined
          : `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboard}`,
    },
  }),
);
