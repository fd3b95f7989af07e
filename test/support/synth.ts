import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { CONFIG_CONTEXT_KEY } from '../../lib/config';
import type { WhatsAppPipelineStack } from '../../lib/whatsapp-pipeline-stack';

/** The context of cdk.json (feature flags and the default pipeline configuration), as `cdk synth` passes it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context');
  }
  return { ...(cdkJson.context as Record<string, unknown>) };
}

/**
 * Builds the app as `cdk synth` does, with cdk.json's context; `config`, when given, replaces the
 * `whatsappPipeline` context key.
 */
export function buildTestApp(
  config?: Record<string, unknown>,
  outdir?: string,
): { app: App; stack: WhatsAppPipelineStack } {
  // The flags the cdk CLI passes, so resources carry their construct path and asset metadata.
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
  if (config !== undefined) {
    context[CONFIG_CONTEXT_KEY] = config;
  }
  return buildApp({ context, outdir });
}

/** Synthesizes the pipeline stack (see {@link buildTestApp}) and returns its template. */
export function synthStack(config?: Record<string, unknown>): Template {
  return Template.fromStack(buildTestApp(config).stack);
}
