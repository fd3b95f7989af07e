import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ENV, MAX_HUMAN_TAKEOVER_MINUTES, METRIC } from '../../contracts';
import { ConversationStore } from '../adapters/conversation-store';
import { CostStore } from '../adapters/cost-store';
import { DriftStore } from '../adapters/drift-store';
import { EffectStore } from '../adapters/effect-store';
import { HealthStore } from '../adapters/health-store';
import { IdentityStore } from '../adapters/identity-store';
import { loadPseudonymKey } from '../adapters/pseudonym-key';
import { SendLedgerStore } from '../adapters/send-ledger-store';
import { WhatsAppSender } from '../adapters/whatsapp-sender';
import {
  readAutoResponsePolicy,
  requireEnv,
  requirePositiveInteger,
  requireWholeNumber,
} from '../shared/env';
import { logger, powertoolsMetrics, withPowertools } from '../shared/observability';
import { loggableError, memoizedPseudonyms } from '../shared/privacy';
import { AutoResponder } from './auto-responder';
import { HookRegistrationError, isMessageHook, type MessageHook } from './hooks';
import { createInboundHandler } from './process';

/** A module's export registered as a hook (`messageHooks` of the construct), before it is checked. */
export interface RegisteredHook {
  /** The module and export, for the error that names them. */
  readonly source: string;
  readonly value: unknown;
}

/**
 * The processor's Lambda handler, built once per execution environment: the shipped handler.ts
 * with no hooks of its own, or the entry the construct generates for `messageHooks`, which passes
 * the registered modules' exports. They run after the auto-responder, in list order.
 *
 * Endpoints come from the SDK's standard configuration (AWS_ENDPOINT_URL_DYNAMODB and
 * AWS_ENDPOINT_URL_SOCIALMESSAGING locally), never from this code.
 *
 * @throws HookRegistrationError at init when a registered export is not a MessageHook
 */
export function processorHandler(registered: readonly RegisteredHook[]) {
  const extraHooks: MessageHook[] = registered.map(({ source, value }) => {
    if (!isMessageHook(value)) {
      throw new HookRegistrationError(
        `${source} is not a MessageHook: expected an object with a non-empty name and an onRecorded function`,
      );
    }
    return value;
  });
  const metrics = powertoolsMetrics();
  const dynamodb = new DynamoDBClient({});
  const tableName = requireEnv(ENV.tableName);
  const retentionDays = requirePositiveInteger(ENV.retentionDays);
  const store = new ConversationStore({
    client: dynamodb,
    tableName,
    retentionDays,
    humanTakeoverMinutes: requireWholeNumber(ENV.humanTakeoverMinutes, MAX_HUMAN_TAKEOVER_MINUTES),
  });
  const health = new HealthStore({
    client: dynamodb,
    tableName,
    retentionDays,
    digestWindowMinutes: requirePositiveInteger(ENV.digestWindowMinutes),
  });
  const effects = new EffectStore({ client: dynamodb, tableName, retentionDays });
  const drift = new DriftStore({ client: dynamodb, tableName, retentionDays });
  const identities = new IdentityStore({ client: dynamodb, tableName, retentionDays });
  const costs = new CostStore({ client: dynamodb, tableName, retentionDays });
  const policy = readAutoResponsePolicy();
  // Retries are the sender's, bounded by the invocation's time budget. Without a policy, the
  // processor has no send permission and no sender.
  const sender =
    policy === undefined
      ? undefined
      : new WhatsAppSender({
          client: new SocialMessagingClient({ maxAttempts: 1 }),
          metaApiVersion: requireEnv(ENV.metaApiVersion),
          ledger: {
            store: new SendLedgerStore({
              client: dynamodb,
              tableName,
              retentionDays,
              stallMinutes: requirePositiveInteger(ENV.stallMinutes),
            }),
            onWriteError: (error) => {
              metrics.count(METRIC.sendLedgerWriteFailures, 1);
              logger.error('A send could not be recorded in the send ledger; it stands', {
                error: loggableError(error),
              });
            },
          },
        });
  const autoResponder =
    policy === undefined || sender === undefined
      ? []
      : [new AutoResponder({ store, sender, policy, logger, metrics })];

  const secretArn = requireEnv(ENV.pseudonymSecretArn);
  const secrets = new SecretsManagerClient({});
  const pseudonyms = memoizedPseudonyms(() => loadPseudonymKey(secrets, secretArn));

  return withPowertools(
    createInboundHandler({
      store,
      health,
      effects,
      drift,
      identities,
      costs,
      logger,
      metrics,
      hooks: [...autoResponder, ...extraHooks],
      sender,
      pseudonyms,
    }),
  );
}
