/**
 * Client configuration for an explicit endpoint (DynamoDB Local, the SocialMessaging simulator),
 * with fixed fake credentials: local parts accept any signature, and a wrong endpoint can never
 * reach a real account with these.
 */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'localsecret' } as const;

/** The region local parts are started in. */
export const LOCAL_REGION = 'us-east-1';

/** SDK client configuration for a local endpoint, with the fixed fake credentials and region. */
export function endpointClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: { ...FAKE_CREDENTIALS } };
}

/** The region of an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`), if it names one. */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  return /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(queueUrl)?.[1];
}
