/** EventBridge facts of End User Messaging Social that the rule and the recorder share. */

/** The EventBridge source of End User Messaging Social. */
export const SOCIAL_MESSAGING_SOURCE = 'aws.social-messaging';

/**
 * End User Messaging Social accepted a send and could not hand it to Meta: accepted is not
 * delivered, so this is a failure like the others (event-facts.md §10).
 */
export const HANDOVER_FAILED_DETAIL_TYPE = 'WhatsApp Message Handover Failed';

/** Detail-types that report a message the business sent as not delivered. */
export const FAILURE_DETAIL_TYPES = [
  'WhatsApp Message Failed',
  'WhatsApp Message Undeliverable',
  HANDOVER_FAILED_DETAIL_TYPE,
] as const;

/** Where a failure of a send was reported: Meta's `failed` status, an EventBridge failure, or the hand-off to Meta. */
export type FailureOrigin = 'status' | 'delivery-event' | 'handover';

/** The origin of a failure that an EventBridge event of `detailType` reported. */
export function failureOriginOf(detailType: string): Exclude<FailureOrigin, 'status'> {
  return detailType === HANDOVER_FAILED_DETAIL_TYPE ? 'handover' : 'delivery-event';
}

/**
 * Detail-types that move a send along the ledger (docs/send-ledger.md): EUM's hand-off to Meta, and
 * the statuses EUM relays by AWS message id. One event each per send, which is the ledger's price:
 * a read receipt gets no status from Meta, so its hand-off is the only news of it there is.
 */
export const SEND_PROGRESS_DETAIL_TYPES = {
  'WhatsApp Message Handover Succeeded': 'handed-over',
  'WhatsApp Message Sent': 'sent',
  'WhatsApp Message Delivered': 'delivered',
  'WhatsApp Message Read': 'read',
} as const;

/** The rule pattern of the send ledger's reports. */
export const SEND_PROGRESS_EVENT_PATTERN = {
  source: [SOCIAL_MESSAGING_SOURCE],
  'detail-type': Object.keys(SEND_PROGRESS_DETAIL_TYPES),
};

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
