import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ENV } from '../../contracts';
import { ConversationStore } from '../adapters/conversation-store';
import { HealthStore } from '../adapters/health-store';
import { loadPseudonymKey } from '../adapters/pseudonym-key';
import { WhatsAppSender } from '../adapters/whatsapp-sender';
import { readAutoResponsePolicy, requireEnv, requirePositiveInteger } from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { memoizedPseudonyms } from '../shared/privacy';
import { AutoResponder } from './auto-responder';
import { createInboundHandler } from './process';

// Built once per execution environment. Endpoints come from the SDK's standard configuration
// (AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SOCIALMESSAGING locally), never from this code.
const metrics = powertoolsMetrics();
const dynamodb = new DynamoDBClient({});
const store = new ConversationStore({
  client: dynamodb,
  tableName: requireEnv(ENV.tableName),
  retentionDays: requirePositiveInteger(ENV.retentionDays),
});
const health = new HealthStore({
  client: dynamodb,
  tableName: requireEnv(ENV.tableName),
  retentionDays: requirePositiveInteger(ENV.retentionDays),
  digestWindowMinutes: requirePositiveInteger(ENV.digestWindowMinutes),
});
const policy = readAutoResponsePolicy();
// Retries are the sender's, bounded by the invocation's time budget. Without a policy, the
// processor has no send permission and no sender.
const sender =
  policy === undefined
    ? undefined
    : new WhatsAppSender({
        client: new SocialMessagingClient({ maxAttempts: 1 }),
        metaApiVersion: requireEnv(ENV.metaApiVersion),
      });
const hooks =
  policy === undefined || sender === undefined
    ? []
    : [new AutoResponder({ store, sender, policy, logger, metrics })];

const secretArn = requireEnv(ENV.pseudonymSecretArn);
const secrets = new SecretsManagerClient({});
const pseudonyms = memoizedPseudonyms(() => loadPseudonymKey(secrets, secretArn));

/** Subscriber of the inbound topic: records every WhatsApp message, status and error, and answers messages. */
export const handler = withPowertools(
  createInboundHandler({ store, health, logger, metrics, hooks, sender, pseudonyms }),
);
