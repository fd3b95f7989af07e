import { App, type AppProps } from 'aws-cdk-lib';
import { CONFIG_CONTEXT_KEY, parsePipelineConfig } from './config';
import { WhatsAppPipelineStack } from './whatsapp-pipeline-stack';

/** The name of the stack `cdk deploy` creates. */
export const STACK_NAME = 'WhatsAppPipeline';

/**
 * Builds the CDK app: validates the configuration from the context, then defines the stack.
 * The stack is environment-agnostic, so synthesis needs neither credentials nor network.
 *
 * @throws ConfigValidationError when the `whatsappPipeline` context is invalid
 */
export function buildApp(props: AppProps = {}): { app: App; stack: WhatsAppPipelineStack } {
  const app = new App(props);
  const config = parsePipelineConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const stack = new WhatsAppPipelineStack(app, STACK_NAME, {
    config,
    description: 'WhatsApp event pipeline behind AWS End User Messaging Social',
  });
  return { app, stack };
}
