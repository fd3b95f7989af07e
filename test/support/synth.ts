import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import type { WhatsAppPipelineStack } from '../../lib/whatsapp-pipeline-stack';
import { synthContext } from '../../local/assembly';

export { cdkJsonContext } from '../../local/assembly';

/**
 * Builds the app as `cdk synth` does, with cdk.json's context; `config`, when given, replaces the
 * `whatsappPipeline` context key.
 */
export function buildTestApp(
  config?: Record<string, unknown>,
  outdir?: string,
): { app: App; stack: WhatsAppPipelineStack } {
  return buildApp({ context: synthContext(config), outdir });
}

/** Synthesizes the pipeline stack (see {@link buildTestApp}) and returns its template. */
export function synthStack(config?: Record<string, unknown>): Template {
  return Template.fromStack(buildTestApp(config).stack);
}

/**
 * How a social-messaging ARN of the stack's own account and region appears in the template:
 * `arn:<partition>:social-messaging:<region>:<account>:<resource>`.
 */
export function socialMessagingArn(resource: string) {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':social-messaging:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}
