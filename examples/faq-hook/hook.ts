/**
 * An in-process hook, registered through `messageHooks` (README, "Build on it"): a text that asks
 * one of the FAQ's questions gets its answer within the processor's round trip, exactly once. The
 * reply's exactly-once bookkeeping is the processor's (`send.reply`); this module holds only what
 * the bot decides.
 */
import { serviceWindowOpen } from '../../lambda/domain/service-window';
import type { MessageHook } from '../../lambda/inbound-processor/hooks';
import { answerFor } from './answers';

/** Answers FAQ questions. Off by default: `npx cdk deploy -c faqHook.enabled=true`. */
export const faqHook: MessageHook = {
  name: 'faq',
  async onRecorded({ message, send }) {
    if (message.content.kind !== 'text' || send === undefined) return;
    // A replay of old messages (after an outage) is recorded as new: the window may be closed.
    if (!serviceWindowOpen(new Date(message.timestamp * 1000).toISOString(), new Date())) return;
    const answer = answerFor(message.content.body);
    if (answer !== undefined) await send.reply(answer);
  },
};
