import {
  type AutoResponsePolicy,
  autoResponsePolicySchema,
  ENV,
  type RateCard,
  rateCardsSchema,
} from '../../contracts';

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

/** Reads a required environment variable holding a whole number from 0 to `max`. */
export function requireWholeNumber(name: string, max: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv(name, env);
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > max) {
    throw new ConfigurationError(
      `Environment variable ${name} must be a whole number from 0 to ${max}, got "${value}"`,
    );
  }
  return number;
}

/** Reads the auto-response policy, or `undefined` when the variable is absent (auto-responses off). */
export function readAutoResponsePolicy(env: NodeJS.ProcessEnv = process.env): AutoResponsePolicy | undefined {
  return readJsonEnv(ENV.autoResponsePolicy, autoResponsePolicySchema, 'a valid policy', env);
}

/** Reads the rate cards, or none when the variable is absent (counts only, no money). */
export function readRateCards(env: NodeJS.ProcessEnv = process.env): RateCard[] {
  return readJsonEnv(ENV.rateCards, rateCardsSchema, 'a valid list of rate cards', env) ?? [];
}

/** Reads an optional environment variable holding JSON of a schema; `undefined` when absent or empty. */
function readJsonEnv<T>(
  name: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: Error } },
  what: string,
  env: NodeJS.ProcessEnv,
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigurationError(`Environment variable ${name} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(`Environment variable ${name} is not ${what}`, { cause: parsed.error });
  }
  return parsed.data;
}
