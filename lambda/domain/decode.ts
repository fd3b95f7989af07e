import type * as z from 'zod/mini';
import { EventDecodeError } from './errors';
import type {
  Customer,
  DecodedNotification,
  InboundMessage,
  MessageContent,
  Routing,
  Source,
  StatusUpdate,
  WebhookError,
  WhatsAppError,
} from './model';
import {
  buttonPayloadSchema,
  contactsPayloadSchema,
  type EnvelopeContext,
  envelopeSchema,
  errorItemSchema,
  interactivePayloadSchema,
  locationPayloadSchema,
  mediaPayloadSchema,
  messageIdentitySchema,
  messageSchema,
  messagesValueSchema,
  orderPayloadSchema,
  reactionPayloadSchema,
  snsEventSchema,
  snsRecordSchema,
  statusIdentitySchema,
  statusSchema,
  systemPayloadSchema,
  textPayloadSchema,
  unsupportedPayloadSchema,
  type WireContact,
  type WireError,
  webhookEntrySchema,
} from './schemas';

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/**
 * Decodes a Lambda SNS event into one notification per record.
 *
 * Every record is decoded before anything is returned, so a caller that stores nothing until this
 * succeeds never half-processes an event.
 *
 * @throws EventDecodeError when any record is not a well-formed End User Messaging Social event
 */
export function decodeSnsEvent(event: unknown): DecodedNotification[] {
  const parsed = snsEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new EventDecodeError('not-an-sns-event', 'The event is not an SNS event with Records', {
      cause: parsed.error,
    });
  }
  return parsed.data.Records.map((record, index) => decodeSnsRecord(record, index));
}

/**
 * Decodes one SNS record: the envelope, its webhook entry (a JSON string, or an object when a
 * producer already decoded it), every change, and every message, status and error in it.
 *
 * @throws EventDecodeError naming the record index and, for items, the JSON path of the problem
 */
export function decodeSnsRecord(record: unknown, index = 0): DecodedNotification {
  const parsedRecord = snsRecordSchema.safeParse(record);
  if (!parsedRecord.success) {
    throw new EventDecodeError('not-an-sns-event', `Records[${index}] is not an SNS notification`, {
      cause: parsedRecord.error,
    });
  }
  const { MessageId: snsMessageId, Message: message } = parsedRecord.data.Sns;

  const envelope = envelopeSchema.safeParse(parseJson(message));
  const entryValue = envelope.success
    ? (envelope.data.whatsAppWebhookEntry ?? envelope.data.whatsappWebhookEntry)
    : undefined;
  if (!envelope.success || entryValue === undefined) {
    throw new EventDecodeError(
      'not-an-eum-envelope',
      `SNS message ${snsMessageId} is not an End User Messaging Social envelope (no whatsAppWebhookEntry)`,
      envelope.success ? undefined : { cause: envelope.error },
    );
  }

  const entryJson = typeof entryValue === 'string' ? parseJson(entryValue) : entryValue;
  if (entryJson === NOT_JSON) {
    throw new EventDecodeError(
      'entry-not-json',
      `SNS message ${snsMessageId}: whatsAppWebhookEntry is not valid JSON`,
    );
  }
  const entry = webhookEntrySchema.safeParse(entryJson);
  if (!entry.success) {
    throw new EventDecodeError(
      'entry-invalid',
      `SNS message ${snsMessageId}: whatsAppWebhookEntry is not a webhook entry {id, changes[]}: ${describeIssues(entry.error)}`,
      { cause: entry.error },
    );
  }

  const context: EnvelopeContext = envelope.data.context ?? {
    MetaWabaIds: envelope.data.MetaWabaIds,
    MetaPhoneNumberIds: envelope.data.MetaPhoneNumberIds,
  };
  const messages: InboundMessage[] = [];
  const statuses: StatusUpdate[] = [];
  const errors: WebhookError[] = [];
  const skippedFields: string[] = [];

  entry.data.changes.forEach((change, changeIndex) => {
    const path = `changes[${changeIndex}].value`;
    if (change.field !== 'messages') {
      skippedFields.push(change.field);
      return;
    }
    const value = messagesValueSchema.safeParse(change.value);
    if (!value.success) {
      throw new EventDecodeError(
        'entry-invalid',
        `SNS message ${snsMessageId}: ${path} is not a messages value: ${describeIssues(value.error)}`,
        { cause: value.error },
      );
    }
    const source: Source = {
      snsMessageId,
      wabaId: entry.data.id,
      businessPhoneNumberId: value.data.metadata.phone_number_id,
      displayPhoneNumber: value.data.metadata.display_phone_number,
    };
    const routing = resolveRouting(context, source.businessPhoneNumberId);
    const contacts = value.data.contacts ?? [];

    value.data.messages?.forEach((item, i) => {
      messages.push(decodeMessage(item, `${path}.messages[${i}]`, source, routing, contacts));
    });
    value.data.statuses?.forEach((item, i) => {
      statuses.push(decodeStatus(item, `${path}.statuses[${i}]`, source, contacts));
    });
    value.data.errors?.forEach((item, i) => {
      const parsed = errorItemSchema.safeParse(item);
      if (!parsed.success) {
        throw itemError(snsMessageId, `${path}.errors[${i}]`, 'an error without code', parsed.error);
      }
      errors.push({ source, ...toWhatsAppError(parsed.data), raw: asRecord(item) });
    });
  });

  return {
    snsMessageId,
    publishedAt: envelope.data.message_timestamp,
    messages,
    statuses,
    errors,
    skippedFields,
  };
}

/**
 * Finds the AWS phone-number resource of the business number that received an event. Never falls
 * back to the first listed number: answering from the wrong number would be worse than not at all.
 */
export function resolveRouting(context: EnvelopeContext, metaPhoneNumberId: string): Routing {
  const candidates = context.MetaPhoneNumberIds;
  if (candidates === undefined || candidates.length === 0) {
    return { kind: 'no-context' };
  }
  const match = candidates.find((c) => c.metaPhoneNumberId === metaPhoneNumberId);
  const resourceId = match?.arn.match(
    /^arn:[^:]+:social-messaging:[^:]*:[^:]*:phone-number-id\/([0-9a-zA-Z]+)$/,
  )?.[1];
  if (match === undefined || resourceId === undefined) {
    return { kind: 'unmatched' };
  }
  return {
    kind: 'routed',
    originationPhoneNumberId: `phone-number-id-${resourceId}`,
    phoneNumberArn: match.arn,
  };
}

function decodeMessage(
  item: unknown,
  path: string,
  source: Source,
  routing: Routing,
  contacts: readonly WireContact[],
): InboundMessage {
  const identity = messageIdentitySchema.safeParse(item);
  if (!identity.success) {
    throw itemError(source.snsMessageId, path, 'a message without id, timestamp or type', identity.error);
  }
  // The identity is sound; the optional parts are best effort so an odd field never loses a message.
  const optional = messageSchema.safeParse(item).data;
  const raw = asRecord(item);
  const phone = optional?.from;
  const userId = optional?.from_user_id;
  const contact = findContact(contacts, phone, userId);

  return {
    source,
    wamid: identity.data.id,
    type: identity.data.type,
    timestamp: Number(identity.data.timestamp),
    routing,
    customer: toCustomer(phone, userId, contact),
    content: decodeContent(identity.data.type, raw),
    replyTo: optional?.context?.id,
    forwarded: optional?.context?.forwarded,
    frequentlyForwarded: optional?.context?.frequently_forwarded,
    referral: optional?.referral,
    errors: optional?.errors?.map(toWhatsAppError),
    raw,
  };
}

function decodeStatus(
  item: unknown,
  path: string,
  source: Source,
  contacts: readonly WireContact[],
): StatusUpdate {
  const identity = statusIdentitySchema.safeParse(item);
  if (!identity.success) {
    throw itemError(source.snsMessageId, path, 'a status without id, status or timestamp', identity.error);
  }
  const optional = statusSchema.safeParse(item).data;
  const phone = optional?.recipient_id;
  const userId = optional?.recipient_user_id;
  const recipient =
    phone === undefined && userId === undefined
      ? undefined
      : toCustomer(phone, userId, findContact(contacts, phone, userId));
  return {
    source,
    wamid: identity.data.id,
    status: identity.data.status,
    timestamp: Number(identity.data.timestamp),
    recipient,
    errors: optional?.errors?.map(toWhatsAppError),
    pricing: optional?.pricing,
    conversation: optional?.conversation,
    raw: asRecord(item),
  };
}

function decodeContent(type: string, message: Readonly<Record<string, unknown>>): MessageContent {
  const payload = message[type];
  if (type === 'text') {
    const text = textPayloadSchema.safeParse(payload);
    return text.success ? { kind: 'text', body: text.data.body } : { kind: 'other' };
  }
  if (MEDIA_TYPES.has(type)) {
    const media = mediaPayloadSchema.safeParse(payload);
    if (!media.success) return { kind: 'other' };
    return {
      kind: 'media',
      mediaId: media.data.id,
      mimeType: media.data.mime_type,
      caption: media.data.caption,
      filename: media.data.filename,
      voice: media.data.voice,
      animated: media.data.animated,
    };
  }
  switch (type) {
    case 'location': {
      const location = locationPayloadSchema.safeParse(payload);
      return location.success ? { kind: 'location', ...location.data } : { kind: 'other' };
    }
    case 'contacts': {
      const cards = contactsPayloadSchema.safeParse(payload);
      return cards.success ? { kind: 'contacts', count: cards.data.length } : { kind: 'other' };
    }
    case 'interactive': {
      const interactive = interactivePayloadSchema.safeParse(payload);
      if (!interactive.success) return { kind: 'other' };
      const { type: replyType, button_reply, list_reply, nfm_reply } = interactive.data;
      const reply = button_reply ?? list_reply;
      return {
        kind: 'interactive',
        replyType,
        replyId: reply?.id,
        title: reply?.title,
        description: list_reply?.description,
        flowName: nfm_reply?.name,
        responseJson: nfm_reply?.response_json,
      };
    }
    case 'button': {
      const button = buttonPayloadSchema.safeParse(payload);
      return button.success ? { kind: 'button', ...button.data } : { kind: 'other' };
    }
    case 'reaction': {
      const reaction = reactionPayloadSchema.safeParse(payload);
      return reaction.success
        ? { kind: 'reaction', targetWamid: reaction.data.message_id, emoji: reaction.data.emoji || undefined }
        : { kind: 'other' };
    }
    case 'order': {
      const order = orderPayloadSchema.safeParse(payload);
      return order.success
        ? {
            kind: 'order',
            catalogId: order.data.catalog_id,
            itemCount: order.data.product_items?.length ?? 0,
            text: order.data.text,
          }
        : { kind: 'other' };
    }
    case 'system': {
      const system = systemPayloadSchema.safeParse(payload);
      return system.success
        ? {
            kind: 'system',
            systemType: system.data.type,
            body: system.data.body,
            newPhone: system.data.wa_id,
            newUserId: system.data.user_id,
          }
        : { kind: 'other' };
    }
    case 'unsupported':
    case 'unknown': {
      const unsupported = unsupportedPayloadSchema.safeParse(payload);
      return {
        kind: 'unsupported',
        unsupportedType: unsupported.success ? unsupported.data.type : undefined,
      };
    }
    default:
      return { kind: 'other' };
  }
}

function toCustomer(phone: string | undefined, userId: string | undefined, contact?: WireContact): Customer {
  return {
    key: userId ?? phone ?? 'unknown',
    phone,
    userId,
    profileName: contact?.profile?.name,
    username: contact?.profile?.username,
  };
}

function findContact(
  contacts: readonly WireContact[],
  phone: string | undefined,
  userId: string | undefined,
): WireContact | undefined {
  const byId = contacts.find(
    (c) => (userId !== undefined && c.user_id === userId) || (phone !== undefined && c.wa_id === phone),
  );
  // Meta sends one contact per message in practice; with several and no id match, guessing would mislabel.
  return byId ?? (contacts.length === 1 ? contacts[0] : undefined);
}

function toWhatsAppError(error: WireError): WhatsAppError {
  return {
    code: error.code,
    title: error.title,
    message: error.message,
    details: error.error_data?.details ?? error.details,
  };
}

/** Narrows a value a schema has already accepted as an object, keeping it exactly as received. */
function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function itemError(
  snsMessageId: string,
  path: string,
  what: string,
  cause: z.core.$ZodError,
): EventDecodeError {
  return new EventDecodeError(
    'item-without-identity',
    `SNS message ${snsMessageId}: ${path} is ${what}: ${describeIssues(cause)}`,
    { cause },
  );
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
