import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The pseudonym secret could not be read or is not usable: the deployment is broken, not the event. */
export class PseudonymKeyError extends Error {
  public override readonly name = 'PseudonymKeyError';
}

/**
 * Reads the per-deployment pseudonym key from Secrets Manager: one request per execution
 * environment (the caller memoizes it), none on the hot path after that.
 *
 * @throws PseudonymKeyError when the secret has no usable string value
 */
export async function loadPseudonymKey(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString.length < 32) {
    throw new PseudonymKeyError('The pseudonym secret has no string value of at least 32 characters');
  }
  return SecretString;
}
