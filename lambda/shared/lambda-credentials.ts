/**
 * The credential provider the shipped bundles use in place of the SDK's default chain.
 *
 * In Lambda, the execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). The default chain's other providers (SSO, INI files,
 * processes, web identity, IMDS) and the STS and SSO clients they need are about a fifth of the
 * bundle and never run there, yet every cold start pays to load them. The bundler aliases
 * `@aws-sdk/credential-provider-node` to this module (see lib/constructs/pipeline-function.ts);
 * sources run by tests and tools keep the default chain. Running the bundles where credentials
 * come from elsewhere? Remove the alias.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
