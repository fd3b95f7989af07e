import { type AutoResponsePolicy, autoResponsePolicySchema, ENV } from '../../contracts';

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
  const parsed = autoResponsePolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(`Environment variable ${ENV.autoResponsePolicy} is not a valid policy`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
