/**
 * The examples of building on the pipeline, added to the app when their configuration enables them
 * (README, "Build on it"). Nothing under lib/ or lambda/ knows of them.
 */
import type { MessageHookEntry } from '../lib/constructs/message-hooks';
import type { WhatsAppPipelineStack } from '../lib/whatsapp-pipeline-stack';
import { FAQ_HOOK_ENTRY, faqHookEnabled } from './faq-hook/config';
import { keywordReplyConfigOf } from './keyword-reply/config';
import { KeywordAutoReply } from './keyword-reply/construct';

export { FAQ_HOOK_ENTRY } from './faq-hook/config';
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

/** The enabled example hooks, for the processor (`messageHooks`). */
export function exampleMessageHooks(context: Readonly<Record<string, unknown>>): readonly MessageHookEntry[] {
  return faqHookEnabled(context) ? [FAQ_HOOK_ENTRY] : [];
}
