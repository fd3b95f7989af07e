import { processorHandler } from './runtime';

/**
 * Subscriber of the inbound topic: records every WhatsApp message, status and error, and answers
 * messages. A pipeline with `messageHooks` ships a generated entry instead, which passes its hooks
 * to the same {@link processorHandler}.
 */
export const handler = processorHandler([]);
