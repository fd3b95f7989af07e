import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import * as z from 'zod/mini';
import { ENV } from '../../contracts';
import { EffectStore } from '../../lambda/adapters/effect-store';
import { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { requireEnv } from '../../lambda/shared/env';
import { KEYWORD_REPLY_ENV } from './env';
import { createKeywordReplyHandler } from './reply';

// Endpoints come from the SDK's standard configuration, never from this code.
const keywords = z.record(z.string(), z.string()).parse(JSON.parse(requireEnv(KEYWORD_REPLY_ENV.keywords)));
const logger = new Logger({ serviceName: process.env[ENV.serviceName] || 'keyword-reply' });

/** Target of the pipeline's Message Received events: answers configured keywords, exactly once. */
export const handler = createKeywordReplyHandler({
  effects: new EffectStore({
    client: new DynamoDBClient({}),
    tableName: requireEnv(KEYWORD_REPLY_ENV.claimsTableName),
    retentionDays: 7,
    keySchema: 'pk',
  }),
  sender: new WhatsAppSender({
    client: new SocialMessagingClient({ maxAttempts: 1 }),
    metaApiVersion: requireEnv(ENV.metaApiVersion),
  }),
  keywords,
  logger,
});
