/**
 * Builders for the events AWS End User Messaging Social publishes, in their documented wire
 * formats: the SNS envelope with the Meta webhook entry as a JSON string, and EventBridge events.
 * Used by the local pipeline's scenario and by `--text`.
 */
import { randomUUID } from 'node:crypto';
import { PLACEHOLDER_TOPIC_ARN, snsEventOf } from '../ops/sns-event';

/** The local business number and WABA, as End User Messaging Social would name them. */
export const LOCAL_BUSINESS = {
  accountId: '123456789012',
  region: 'us-east-1',
  wabaId: '1163793972139053',
  wabaArn: 'arn:aws:social-messaging:us-east-1:123456789012:waba/fedcba9876543210fedcba9876543210',
  metaPhoneNumberId: '574086085794038',
  displayPhoneNumber: '15815555555',
  phoneNumberArn:
    'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/abcdef0123456789abcdef0123456789',
  originationPhoneNumberId: 'phone-number-id-abcdef0123456789abcdef0123456789',
} as const;

/** A customer of the local scenario. */
export interface LocalCustomer {
  readonly phone?: string;
  readonly userId?: string;
  readonly name: string;
}

/** A fresh wamid. */
export function newWamid(): string {
  return `wamid.${Buffer.from(randomUUID()).toString('base64').replace(/=+$/, '')}`;
}

/** Unix seconds, as Meta sends them (a string). */
export function unixSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** The SNS `Message` End User Messaging Social publishes for a webhook entry's `value`s. */
export function envelope(values: readonly Record<string, unknown>[]): string {
  return envelopeOf({
    id: LOCAL_BUSINESS.wabaId,
    changes: values.map((value) => ({ field: 'messages', value })),
  });
}

/** The envelope of one webhook entry, with the local business's context. */
function envelopeOf(entry: Record<string, unknown>): string {
  return JSON.stringify({
    context: {
      MetaWabaIds: [{ wabaId: LOCAL_BUSINESS.wabaId, arn: LOCAL_BUSINESS.wabaArn }],
      MetaPhoneNumberIds: [
        { metaPhoneNumberId: LOCAL_BUSINESS.metaPhoneNumberId, arn: LOCAL_BUSINESS.phoneNumberArn },
      ],
    },
    whatsAppWebhookEntry: JSON.stringify(entry),
    aws_account_id: LOCAL_BUSINESS.accountId,
    message_timestamp: new Date().toISOString(),
    messageId: randomUUID(),
  });
}

/**
 * The SNS `Message` of one account-health change (a `field` other than `messages`), with the
 * entry's `time` as Meta sends it for these fields.
 */
export function healthEnvelope(field: string, value: Record<string, unknown>, at: Date): string {
  return envelopeOf({
    id: LOCAL_BUSINESS.wabaId,
    time: Math.floor(at.getTime() / 1000),
    changes: [{ field, value }],
  });
}

/** The `messaging_product` and `metadata` of a webhook value of the local business number. */
export function metadata() {
  return {
    messaging_product: 'whatsapp',
    metadata: {
      display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
      phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
    },
  };
}

/** A webhook `value` with one inbound message of `type`, whose payload sits under the type's key. */
export function inboundValue(
  customer: LocalCustomer,
  message: { wamid: string; type: string; at: Date; payload?: unknown; context?: Record<string, unknown> },
): Record<string, unknown> {
  return {
    ...metadata(),
    contacts: [{ profile: { name: customer.name }, wa_id: customer.phone, user_id: customer.userId }],
    messages: [
      {
        from: customer.phone,
        from_user_id: customer.userId,
        id: message.wamid,
        timestamp: unixSeconds(message.at),
        type: message.type,
        ...(message.payload === undefined ? {} : { [message.type]: message.payload }),
        ...(message.context === undefined ? {} : { context: message.context }),
      },
    ],
  };
}

/** The SNS `Message` of one change of another `field` than `messages` (an echo, a call). */
export function changeEnvelope(field: string, value: Record<string, unknown>): string {
  return envelopeOf({ id: LOCAL_BUSINESS.wabaId, changes: [{ field, value }] });
}

/**
 * A `smb_message_echoes` value: a person at the business wrote to the customer from the WhatsApp
 * Business app (Meta's reference: `to` is the number as dialled, with `+`; `to_user_id` for a
 * customer known by BSUID is inferred from the messages' `from_user_id`).
 */
export function echoValue(
  customer: LocalCustomer,
  message: { wamid: string; type: string; at: Date; payload: unknown },
): Record<string, unknown> {
  return {
    ...metadata(),
    message_echoes: [
      {
        from: LOCAL_BUSINESS.displayPhoneNumber,
        to: customer.phone === undefined ? undefined : `+${customer.phone}`,
        to_user_id: customer.userId,
        id: message.wamid,
        timestamp: unixSeconds(message.at),
        type: message.type,
        [message.type]: message.payload,
      },
    ],
  };
}

/** A webhook `value` with statuses of messages the business sent. */
export function statusValue(
  customer: LocalCustomer,
  statuses: readonly { wamid: string; status: string; at: Date; errors?: unknown[] }[],
): Record<string, unknown> {
  return {
    ...metadata(),
    statuses: statuses.map((s) => ({
      id: s.wamid,
      status: s.status,
      timestamp: unixSeconds(s.at),
      recipient_id: customer.phone,
      recipient_user_id: customer.userId,
      ...(s.status === 'failed'
        ? { errors: s.errors }
        : { pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } }),
    })),
  };
}

/**
 * An EventBridge event of End User Messaging Social about one of the local business number's
 * sends, in the documented shape (event-facts.md §10).
 */
function sendEvent(detailType: string, awsMessageId: string, at: Date, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.social-messaging',
    account: LOCAL_BUSINESS.accountId,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_BUSINESS.region,
    resources: [],
    detail: {
      wabaId: LOCAL_BUSINESS.wabaId,
      originationPhoneNumber: LOCAL_BUSINESS.displayPhoneNumber,
      originationPhoneNumberId: LOCAL_BUSINESS.metaPhoneNumberId,
      messageId: awsMessageId,
      eventTimestamp: unixSeconds(at),
      ...detail,
    },
  };
}

/**
 * An EventBridge `WhatsApp Message Handover Succeeded` (or `Failed`) event: EUM handed a send to
 * Meta, or could not (the send ledger's hand-off, docs/send-ledger.md).
 */
export function handoverEvent(awsMessageId: string, at: Date, outcome: 'succeeded' | 'failed') {
  return outcome === 'succeeded'
    ? sendEvent('WhatsApp Message Handover Succeeded', awsMessageId, at, { status: 'handover_succeeded' })
    : sendEvent('WhatsApp Message Handover Failed', awsMessageId, at, {
        status: 'handover_failed',
        errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong' }],
      });
}

/** An EventBridge `WhatsApp Message Failed` event about an AWS message id. */
export function messageFailedEvent(awsMessageId: string, at: Date, error: { code: number; title: string }) {
  return sendEvent('WhatsApp Message Failed', awsMessageId, at, {
    status: 'failed',
    errors: [{ ...error, message: error.title }],
  });
}

/** The inbound topic's ARN in local runs. */
export const LOCAL_TOPIC_ARN = PLACEHOLDER_TOPIC_ARN;
export { snsEventOf };
