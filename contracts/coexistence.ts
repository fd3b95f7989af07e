/**
 * Coexistence: one number on the WhatsApp Business app and the API (Meta, May 2025). When a person
 * answers a customer from the app, the pipeline's bots stand down for a while.
 */

/**
 * Minutes the auto-responder and every hook stay quiet in a conversation after a person at the
 * business wrote in it from the WhatsApp Business app. 0 never pauses them.
 */
export const DEFAULT_HUMAN_TAKEOVER_MINUTES = 30;

/** The longest pause a configuration may ask for: one day. */
export const MAX_HUMAN_TAKEOVER_MINUTES = 1440;
