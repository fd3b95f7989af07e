/**
 * The examples of building on the pipeline, added to the app when their configuration enables them
 * (README, "Build on it"). Nothing under lib/ or lambda/ knows of them.
 */
import type { WhatsAppPipelineStack } from '../lib/whatsapp-pipeline-stack';
import { keywordReplyConfigOf } from './keyword-reply/config';
import { KeywordAutoReply } from './keyword-reply/construct';

export { KeywordReplyConfigError } from './keyword-reply/config';
export { KeywordAutoReply } from './keyword-reply/construct';

/** Adds the enabled examples to the pipeline stack. */
export function addExamples(stack: WhatsAppPipelineStack): void {
  const keywordReply = keywordReplyConfigOf(stack.node.getAllContext());
  if (keywordReply !== undefined) {
    new KeywordAutoReply(stack, 'KeywordReply', {
      pipeline: stack.pipeline,
      keywords: keywordReply.keywords,
    });
  }
}
