/**
 * Gives an operator the pseudonym to search the logs for, from a wamid, a phone number or a
 * business-scoped user id. Logs carry only keyed pseudonyms (docs/privacy.md); this is the one way
 * back from an identifier to its log lines, and it needs read access to the deployment's secret.
 *
 *   npm run pseudonym -- --secret <secret ARN or name> <wamid | phone number | user id>...
 *   add --endpoint http://127.0.0.1:<port> for the local pipeline (npm start -- --serve prints it)
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadPseudonymKey } from '../lambda/adapters/pseudonym-key';
import { Pseudonymizer } from '../lambda/shared/privacy';
import { parseFlags, UsageError } from './cli';
import { endpointClientConfig } from './endpoint';

export const PSEUDONYM_USAGE =
  'usage: npm run pseudonym -- --secret <secret ARN or name> [--endpoint <url>] <wamid | phone number | user id>...';

/** Whether an identifier is a wamid (a message) rather than a customer's phone number or user id. */
export function isWamid(identifier: string): boolean {
  return identifier.trim().startsWith('wamid.');
}

/** The log pseudonym of each identifier, one per line: `<identifier>  <pseudonym>`. */
export function pseudonymLines(pseudonymizer: Pseudonymizer, identifiers: readonly string[]): string[] {
  return identifiers.map((identifier) => {
    const value = isWamid(identifier)
      ? pseudonymizer.message(identifier)
      : pseudonymizer.customer(identifier);
    return `${identifier}  ${value}`;
  });
}

/**
 * Runs the command for command-line arguments; returns the exit code.
 *
 * @throws UsageError for a bad command line, before any request
 */
export async function pseudonym(
  argv: readonly string[],
  deps: { print: (text: string) => void; client?: SecretsManagerClient },
): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { secret: { type: 'string' }, endpoint: { type: 'string' } },
    true,
  );
  if (values.secret === undefined) throw new UsageError('--secret <secret ARN or name> is required');
  if (positionals.length === 0) throw new UsageError('name at least one wamid, phone number or user id');
  const client =
    deps.client ??
    new SecretsManagerClient(values.endpoint === undefined ? {} : endpointClientConfig(values.endpoint));
  const key = await loadPseudonymKey(client, values.secret);
  deps.print(pseudonymLines(new Pseudonymizer(key), positionals).join('\n'));
  return 0;
}
