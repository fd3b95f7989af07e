/**
 * A fork's hook, outside lib/ and lambda/: answers every text with one greeting. Registered through
 * `messageHooks` in ./app.ts; it knows nothing of retries, claims or redeliveries.
 */
import type { MessageHook } from '../../lambda/inbound-processor/hooks';

/** The text every customer's text is answered with. */
export const GREETING = 'Thanks for writing! A person will answer within the hour.';

export const greeting: MessageHook = {
  name: 'greeting',
  async onRecorded({ message, send }) {
    if (message.content.kind !== 'text' || send === undefined) return;
    await send.reply(GREETING);
  },
};
