/**
 * Fixed, fake credentials and region for local runs: DynamoDB Local and the SocialMessaging
 * simulator accept any signature, and nothing here may ever reach a real AWS account.
 */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
  AWS_SECRET_ACCESS_KEY: 'localsecret',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/** SDK client configuration for a local endpoint, with the fixed fake credentials and region. */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  };
}
