/**
 * A fork's app: the pipeline as a library, with a hook of the fork's own, in a stack the fork
 * names. Nothing under lib/ or lambda/ was edited to add it.
 */
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { STACK_NAME } from '../../lib/app';
import { WhatsAppPipeline } from '../../lib/whatsapp-pipeline';

/** Synthesizes the fork's app into `outdir`, bundles included, as `cdk synth` would. */
export function synthesizeForkApp(outdir: string): WhatsAppPipeline {
  // The metadata the CDK CLI asks for, by which the local tools find functions and their bundles.
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
  });
  // The stack name the local tools read (local/assembly.ts): a fork would name its own.
  const stack = new Stack(app, STACK_NAME);
  const pipeline = new WhatsAppPipeline(stack, 'Default', {
    removalPolicy: RemovalPolicy.DESTROY,
    // The bus, the archive and their functions are not what this fork is about: fewer bundles.
    events: false,
    messageHooks: [{ entry: path.join(__dirname, 'greeting-hook.ts'), exportName: 'greeting' }],
  });
  app.synth();
  return pipeline;
}
