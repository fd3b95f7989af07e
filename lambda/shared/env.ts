/**
 * Environment variables the stack gives the functions. Names live here so the CDK constructs that
 * set them and the handlers that read them share one definition.
 */
export const ENV = {
  /** Name of the conversation table. */
  tableName: 'CONVERSATION_TABLE_NAME',
  /** Days a record lives after its last write. */
  retentionDays: 'DATA_RETENTION_DAYS',
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
