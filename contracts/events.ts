/** EventBridge facts of End User Messaging Social that the rule and the recorder share. */

/** The EventBridge source of End User Messaging Social. */
export const SOCIAL_MESSAGING_SOURCE = 'aws.social-messaging';

/** Detail-types that report a message the business sent as not delivered. */
export const FAILURE_DETAIL_TYPES = ['WhatsApp Message Failed', 'WhatsApp Message Undeliverable'] as const;

/** `detail.status` values that mean the same, matched without regard to case. */
export const FAILURE_STATUSES = ['failed', 'undeliverable'] as const;

/**
 * Matches End User Messaging Social's message-failure events by detail-type, or by `detail.status`
 * in any case, so a renamed detail-type still alerts.
 */
export const FAILED_MESSAGE_EVENT_PATTERN = {
  source: [SOCIAL_MESSAGING_SOURCE],
  $or: [
    { 'detail-type': [...FAILURE_DETAIL_TYPES] },
    { detail: { status: FAILURE_STATUSES.map((status) => ({ 'equals-ignore-case': status })) } },
  ],
};
