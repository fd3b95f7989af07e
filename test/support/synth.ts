import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, STACK_NAME } from '../../lib/app';
import type { WhatsAppPipelineStack } from '../../lib/whatsapp-pipeline-stack';
import { synthContext } from '../../local/assembly';

export { cdkJsonContext } from '../../local/assembly';

/**
 * Builds the app as `cdk synth` does, with cdk.json's context; `config`, when given, replaces the
 * `whatsappPipeline` context key. Bundling is skipped (template tests look at templates, and the
 * global setup already bundled the real code once), unless `outdir` asks for a full assembly.
 */
export function buildTestApp(
  config?: Record<string, unknown>,
  outdir?: string,
): { app: App; stack: WhatsAppPipelineStack } {
  const context = synthContext(config);
  if (outdir === undefined) context['aws:cdk:bundling-stacks'] = [];
  return buildApp({ context, outdir });
}

/**
 * The template of the pipeline stack. With the default configuration it is the one the global setup
 * synthesized for the whole run (synthesized once, shared by every suite); with `config`, a fresh
 * synth without bundling.
 */
export function synthStack(config?: Record<string, unknown>): Template {
  const shared = process.env.PIPELINE_TEST_ASSEMBLY;
  if (config === undefined && shared !== undefined) {
    return Template.fromJSON(JSON.parse(readFileSync(join(shared, `${STACK_NAME}.template.json`), 'utf8')));
  }
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
