import * as z from 'zod/mini';
import type { AutoResponsePolicy } from '../domain/auto-response';

/**
 * Environment variables the stack gives the functions. Names live here so the CDK constructs that
 * set them and the handlers that read them share one definition.
 */
export const ENV = {
  /** Name of the conversation table. */
  tableName: 'CONVERSATION_TABLE_NAME',
  /** Days a record lives after its last write. */
  retentionDays: 'DATA_RETENTION_DAYS',
  /** Meta Graph API version for SendWhatsAppMessage. */
  metaApiVersion: 'META_API_VERSION',
  /** The auto-response policy as JSON; absent when auto-responses are off. */
  autoResponsePolicy: 'AUTO_RESPONSE_POLICY',
} as const;

/** A required environment variable is missing or invalid: the deployment is broken, not the event. */
export class ConfigurationError extends Error {
  public override readonly name = 'ConfigurationError';
}

/** Reads a required, non-empty environment variable. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
}

/** Reads a required environment variable holding a positive whole number. */
export function requirePositiveInteger(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv(name, env);
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new ConfigurationError(
      `Environment variable ${name} must be a positive whole number, got "${value}"`,
    );
  }
  return number;
}

const action = z.enum(['receipt-and-reaction', 'receipt', 'none']);
const policySchema = z.strictObject({
  actions: z.record(z.string(), action),
  defaultAction: action,
  emoji: z.string().check(z.minLength(1)),
  emojiByType: z.record(z.string(), z.string().check(z.minLength(1))),
  typingIndicator: z.boolean(),
  maxMessageAgeSeconds: z.number().check(z.positive()),
});

/** Reads the auto-response policy, or `undefined` when the variable is absent (auto-responses off). */
export function readAutoResponsePolicy(env: NodeJS.ProcessEnv = process.env): AutoResponsePolicy | undefined {
  const raw = env[ENV.autoResponsePolicy];
  if (raw === undefined || raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigurationError(`Environment variable ${ENV.autoResponsePolicy} is not JSON`, {
      cause: error,
    });
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(`Environment variable ${ENV.autoResponsePolicy} is not a valid policy`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
