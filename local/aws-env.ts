import { endpointClientConfig, FAKE_CREDENTIALS, LOCAL_REGION } from '../ops/endpoint';

/**
 * Fixed, fake credentials and region for local runs: DynamoDB Local and the SocialMessaging
 * simulator accept any signature, and nothing here may ever reach a real AWS account.
 */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  AWS_REGION: LOCAL_REGION,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/** SDK client configuration for a local endpoint, with the fixed fake credentials and region. */
export const localClientConfig = endpointClientConfig;
