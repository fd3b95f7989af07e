import type * as z from 'zod/mini';
import {
  type DecodedHealthChange,
  decodeHealthChange,
  type HealthChangeSource,
  HealthDecodeError,
} from './account-health';
import { type DriftSample, skeletonOf } from './drift';
import { EventDecodeError } from './errors';
import { decodeContent, MESSAGE_TYPE_REGISTRY, type MessageTypeRegistry, specOf } from './message-types';
import {
  type CallDirection,
  type CallEvent,
  type ConversationInfo,
  type Customer,
  type DecodedNotification,
  type EchoMessage,
  type HistoryMessage,
  type InboundMessage,
  isKnownStatus,
  type Pricing,
  type Referral,
  type Routing,
  type Source,
  type StatusUpdate,
  toMessageStatus,
  type WebhookError,
  type WhatsAppError,
} from './model';
import {
  appStateSyncValueSchema,
  callIdentitySchema,
  callSchema,
  callStatusIdentitySchema,
  callStatusSchema,
  callsValueSchema,
  type EnvelopeContext,
  echoesValueSchema,
  echoSchema,
  envelopeSchema,
  errorItemSchema,
  historyMessageSchema,
  historyValueSchema,
  messageIdentitySchema,
  messageSchema,
  messagesValueSchema,
  snsEventSchema,
  snsRecordSchema,
  statusIdentitySchema,
  statusSchema,
  type WireContact,
  type WireError,
  webhookEntrySchema,
} from './schemas';

/**
 * Decodes a Lambda SNS event into one notification per record.
 *
 * Every record is decoded before anything is returned, so a caller that stores nothing until this
 * succeeds never half-processes an event.
 *
 * @throws EventDecodeError when any record is not a well-formed End User Messaging Social event
 */
export function decodeSnsEvent(
  event: unknown,
  registry: MessageTypeRegistry = MESSAGE_TYPE_REGISTRY,
): DecodedNotification[] {
  const parsed = snsEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new EventDecodeError('not-an-sns-event', 'The event is not an SNS event with Records', {
      cause: parsed.error,
    });
  }
  return parsed.data.Records.map((record, index) => decodeSnsRecord(record, index, registry));
}

/**
 * Decodes one SNS record: the envelope, its webhook entry (a JSON string, or an object when a
 * producer already decoded it), every change, and every message, status and error in it.
 *
 * @throws EventDecodeError naming the record index and, for items, the JSON path of the problem
 */
export function decodeSnsRecord(
  record: unknown,
  index = 0,
  registry: MessageTypeRegistry = MESSAGE_TYPE_REGISTRY,
): DecodedNotification {
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
  // Meta writes `null` and `""` where it means absent; the entry as received is kept for raw payloads.
  const received = entryJson;
  const entry = webhookEntrySchema.safeParse(withoutAbsentMembers(entryJson));
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
  const health: DecodedHealthChange[] = [];
  const echoes: EchoMessage[] = [];
  const history: HistoryMessage[] = [];
  const appStateSync: { type?: string; action?: string }[] = [];
  const calls: CallEvent[] = [];
  const drift: DriftSample[] = [];

  entry.data.changes.forEach((change, changeIndex) => {
    const path = `changes[${changeIndex}].value`;
    const receivedValue = memberAt(received, 'changes', changeIndex, 'value');
    if (change.field === ECHOES_FIELD) {
      echoes.push(
        ...decodeEchoes(change.value, path, { snsMessageId, wabaId: entry.data.id }, receivedValue, registry),
      );
      return;
    }
    if (change.field === HISTORY_FIELD) {
      const imported = decodeHistory(
        change.value,
        path,
        { snsMessageId, wabaId: entry.data.id },
        receivedValue,
        registry,
      );
      history.push(...imported.messages);
      errors.push(...imported.errors);
      return;
    }
    if (change.field === CALLS_FIELD) {
      const decodedCalls = decodeCalls(change.value, path, { snsMessageId, wabaId: entry.data.id });
      calls.push(...decodedCalls);
      for (const call of decodedCalls.filter((c) => !KNOWN_CALL_EVENTS.includes(c.event))) {
        drift.push({ kind: 'call-event', name: call.event, shape: skeletonOf(change.value) });
      }
      return;
    }
    if (change.field === APP_STATE_SYNC_FIELD) {
      // The business's address book: counted, never stored (the pipeline keeps conversations).
      const sync = appStateSyncValueSchema.safeParse(change.value);
      appStateSync.push(...(sync.data?.state_sync ?? []).map((s) => ({ type: s.type, action: s.action })));
      return;
    }
    if (change.field !== 'messages') {
      const decoded = decodeHealth(
        change.field,
        change.value,
        path,
        {
          wabaId: entry.data.id,
          snsMessageId,
          entryTime: entry.data.time,
          publishedAt: envelope.data.message_timestamp,
        },
        receivedValue,
      );
      if (decoded === undefined) {
        skippedFields.push(change.field);
        drift.push({ kind: 'field', name: change.field, shape: skeletonOf(change.value) });
      } else {
        health.push(...decoded);
        for (const h of decoded.filter((d) => !d.knownEvent)) {
          const event = 'event' in h ? h.event : h.preference;
          drift.push({ kind: 'health-event', name: `${h.field}:${event}`, shape: skeletonOf(change.value) });
        }
      }
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
      const raw = JSON.stringify(memberAt(receivedValue, 'messages', i) ?? item);
      const message = decodeMessage(item, `${path}.messages[${i}]`, source, routing, contacts, registry, raw);
      messages.push(message);
      if (specOf(registry, message.type) === undefined) {
        drift.push({ kind: 'message-type', name: message.type, shape: skeletonOf(item) });
      }
    });
    value.data.statuses?.forEach((item, i) => {
      const raw = JSON.stringify(memberAt(receivedValue, 'statuses', i) ?? item);
      const status = decodeStatus(item, `${path}.statuses[${i}]`, source, contacts, raw);
      statuses.push(status);
      if (!isKnownStatus(status.status)) {
        drift.push({ kind: 'status', name: status.status, shape: skeletonOf(item) });
      }
    });
    value.data.errors?.forEach((item, i) => {
      const parsed = errorItemSchema.safeParse(item);
      if (!parsed.success) {
        throw itemError(snsMessageId, `${path}.errors[${i}]`, 'an error without code', parsed.error);
      }
      const raw = JSON.stringify(memberAt(receivedValue, 'errors', i) ?? item);
      errors.push({ source, ...toWhatsAppError(parsed.data), rawJson: raw });
    });
  });

  return {
    snsMessageId,
    wabaId: entry.data.id,
    publishedAt: envelope.data.message_timestamp,
    messages,
    echoes,
    history,
    calls,
    appStateSync,
    statuses,
    errors,
    health,
    skippedFields,
    drift,
  };
}

/** A number as Meta sometimes writes it (as dialled, `+16505551234`), digits only as keys are. */
function digitsOf(number: string | undefined): string | undefined {
  return number?.replace(/^\+/, '');
}

/**
 * A change's value read with its field's schema, and the business number it came to.
 *
 * @throws EventDecodeError naming the path when the value is not one of `what`
 */
function fieldValue<T extends { metadata: { phone_number_id: string; display_phone_number?: string } }>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  path: string,
  entry: { readonly snsMessageId: string; readonly wabaId: string },
  what: string,
): { data: T; source: Source } {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new EventDecodeError(
      'entry-invalid',
      `SNS message ${entry.snsMessageId}: ${path} is not a ${what} value: ${describeIssues(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return {
    data: parsed.data,
    source: {
      snsMessageId: entry.snsMessageId,
      wabaId: entry.wabaId,
      businessPhoneNumberId: parsed.data.metadata.phone_number_id,
      displayPhoneNumber: parsed.data.metadata.display_phone_number,
    },
  };
}

/** The coexistence field of messages a person sent from the WhatsApp Business app. */
const ECHOES_FIELD = 'smb_message_echoes';
/** The coexistence field of the app's chat history, imported in phases. */
const HISTORY_FIELD = 'history';
/** The coexistence field of the app's contacts. */
const APP_STATE_SYNC_FIELD = 'smb_app_state_sync';
/** The field of WhatsApp calls. */
const CALLS_FIELD = 'calls';
/** The call events Meta documents; a status of a business-placed call is `status` here. */
export const KNOWN_CALL_EVENTS: readonly string[] = ['connect', 'terminate', 'status'];

/**
 * Every call webhook of a `calls` value. A webhook without its call id, event or time, or whose
 * customer cannot be told (neither number is the business's), fails the notification.
 */
function decodeCalls(
  value: unknown,
  path: string,
  entry: { readonly snsMessageId: string; readonly wabaId: string },
): CallEvent[] {
  const { data, source } = fieldValue(callsValueSchema, value, path, entry, 'calls');
  const business = digitsOf(source.displayPhoneNumber);
  const events = (data.calls ?? []).map((item, i): CallEvent => {
    const identity = callIdentitySchema.safeParse(item);
    if (!identity.success) {
      throw itemError(
        entry.snsMessageId,
        `${path}.calls[${i}]`,
        'a call without id, event or timestamp',
        identity.error,
      );
    }
    const call = callSchema.safeParse(item).data;
    const direction = directionOf(call?.direction);
    const from = digitsOf(call?.from);
    const to = digitsOf(call?.to);
    // The customer is the party that is not the business: by direction, else by the number.
    const customer =
      direction === 'inbound' ? from : direction === 'outbound' ? to : from === business ? to : from;
    if (customer === undefined) {
      throw new EventDecodeError(
        'item-without-identity',
        `SNS message ${entry.snsMessageId}: ${path}.calls[${i}] is a call whose customer is neither from nor to`,
      );
    }
    const status = call?.status;
    return {
      source,
      callId: identity.data.id,
      event: identity.data.event,
      direction,
      customer: toCustomer(customer, undefined),
      timestamp: Number(identity.data.timestamp),
      status: Array.isArray(status) ? status[0] : status,
      startTime: call?.start_time,
      endTime: call?.end_time,
      durationSeconds: call?.duration,
      errors: call?.errors?.map(toWhatsAppError),
    };
  });
  const statuses = (data.statuses ?? []).map((item, i): CallEvent => {
    const identity = callStatusIdentitySchema.safeParse(item);
    const optional = callStatusSchema.safeParse(item).data;
    const recipient = digitsOf(optional?.recipient_id);
    if (!identity.success || recipient === undefined) {
      throw new EventDecodeError(
        'item-without-identity',
        `SNS message ${entry.snsMessageId}: ${path}.statuses[${i}] is a call status without id, status, timestamp or recipient`,
        identity.success ? undefined : { cause: identity.error },
      );
    }
    return {
      source,
      callId: identity.data.id,
      event: 'status',
      // Only calls the business places have statuses (Meta's business-initiated calls guide).
      direction: 'outbound',
      customer: toCustomer(recipient, undefined),
      timestamp: Number(identity.data.timestamp),
      status: identity.data.status,
      errors: optional?.errors?.map(toWhatsAppError),
    };
  });
  return [...events, ...statuses];
}

function directionOf(direction: string | undefined): CallDirection | undefined {
  if (direction === 'USER_INITIATED') return 'inbound';
  if (direction === 'BUSINESS_INITIATED') return 'outbound';
  return undefined;
}

/**
 * Every message of every thread of a `history` value, and the errors of a declined import. A
 * message without id, time or type, in a thread without its customer, fails the notification.
 */
function decodeHistory(
  value: unknown,
  path: string,
  entry: { readonly snsMessageId: string; readonly wabaId: string },
  received: unknown,
  registry: MessageTypeRegistry,
): { messages: HistoryMessage[]; errors: WebhookError[] } {
  const { data, source } = fieldValue(historyValueSchema, value, path, entry, 'history');
  const messages = (data.history ?? []).flatMap((chunk, c) =>
    (chunk.threads ?? []).flatMap((thread, t) =>
      (thread.messages ?? []).map((item, m): HistoryMessage => {
        const where = `${path}.history[${c}].threads[${t}].messages[${m}]`;
        const message = historyMessageSchema.safeParse(item);
        const customer = digitsOf(thread.id);
        if (!message.success || customer === undefined) {
          throw new EventDecodeError(
            'item-without-identity',
            `SNS message ${entry.snsMessageId}: ${where} is a history message without id, timestamp, type or thread${message.success ? '' : `: ${describeIssues(message.error)}`}`,
            message.success ? undefined : { cause: message.error },
          );
        }
        const { data } = message;
        const fromCustomer = digitsOf(data.from) === customer && data.history_context?.from_me !== true;
        return {
          source,
          wamid: data.id,
          type: data.type,
          timestamp: Number(data.timestamp),
          customer: toCustomer(customer, undefined),
          direction: fromCustomer ? 'inbound' : 'outbound',
          content: decodeContent(registry, data.type, Reflect.get(asObject(item), data.type)),
          status: data.history_context?.status,
          phase: chunk.metadata?.phase,
          chunkOrder: chunk.metadata?.chunk_order,
          rawJson: JSON.stringify(memberAt(received, 'history', c, 'threads', t, 'messages', m) ?? item),
        };
      }),
    ),
  );
  const errorOf = (item: unknown, where: string, raw: unknown): WebhookError => {
    const error = errorItemSchema.safeParse(item);
    if (!error.success) {
      throw itemError(entry.snsMessageId, where, 'an error without code', error.error);
    }
    return { source, ...toWhatsAppError(error.data), rawJson: JSON.stringify(raw ?? item) };
  };
  const errors = [
    ...(data.errors ?? []).map((item, i) =>
      errorOf(item, `${path}.errors[${i}]`, memberAt(received, 'errors', i)),
    ),
    ...(data.history ?? []).flatMap((chunk, c) =>
      (chunk.errors ?? []).map((item, i) =>
        errorOf(item, `${path}.history[${c}].errors[${i}]`, memberAt(received, 'history', c, 'errors', i)),
      ),
    ),
  ];
  return { messages, errors };
}

/** Every echo of a `smb_message_echoes` value; an echo without id, time, type or customer fails. */
function decodeEchoes(
  value: unknown,
  path: string,
  entry: { readonly snsMessageId: string; readonly wabaId: string },
  received: unknown,
  registry: MessageTypeRegistry,
): EchoMessage[] {
  const { data, source } = fieldValue(echoesValueSchema, value, path, entry, 'smb_message_echoes');
  return (data.message_echoes ?? []).map((item, i) => {
    const echo = echoSchema.safeParse(item);
    const to = echo.data?.to;
    const toUserId = echo.data?.to_user_id;
    if (!echo.success || (to === undefined && toUserId === undefined)) {
      throw new EventDecodeError(
        'item-without-identity',
        `SNS message ${entry.snsMessageId}: ${path}.message_echoes[${i}] is an echo without id, timestamp, type or recipient${echo.success ? '' : `: ${describeIssues(echo.error)}`}`,
        echo.success ? undefined : { cause: echo.error },
      );
    }
    return {
      source,
      wamid: echo.data.id,
      type: echo.data.type,
      timestamp: Number(echo.data.timestamp),
      // Meta writes the number as it was dialled (`+16505551234`); the customer key is digits only.
      customer: toCustomer(digitsOf(to), toUserId),
      content: decodeContent(registry, echo.data.type, Reflect.get(asObject(item), echo.data.type)),
      rawJson: JSON.stringify(memberAt(received, 'message_echoes', i) ?? item),
    };
  });
}

/** An account-health change, or undefined for a field the pipeline does not record. */
function decodeHealth(
  field: string,
  value: unknown,
  path: string,
  source: HealthChangeSource,
  received: unknown,
): DecodedHealthChange[] | undefined {
  try {
    return decodeHealthChange(field, value, source, received);
  } catch (error) {
    if (!(error instanceof HealthDecodeError)) throw error;
    throw new EventDecodeError(
      'entry-invalid',
      `SNS message ${source.snsMessageId}: ${path}: ${error.message}`,
      { cause: error },
    );
  }
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
  registry: MessageTypeRegistry,
  rawJson: string,
): InboundMessage {
  const identity = messageIdentitySchema.safeParse(item);
  if (!identity.success) {
    throw itemError(source.snsMessageId, path, 'a message without id, timestamp or type', identity.error);
  }
  // The identity is sound; the optional parts are best effort so an odd field never loses a message.
  const optional = messageSchema.safeParse(item).data;
  const phone = optional?.from;
  const userId = optional?.from_user_id;
  const contact = findContact(contacts, phone, userId);

  return {
    source,
    wamid: identity.data.id,
    type: identity.data.type,
    timestamp: Number(identity.data.timestamp),
    routing,
    customer: {
      ...toCustomer(phone, userId, contact),
      parentUserId: optional?.from_parent_user_id ?? contact?.parent_user_id,
    },
    groupId: optional?.group_id,
    content: decodeContent(registry, identity.data.type, Reflect.get(asObject(item), identity.data.type)),
    replyTo: optional?.context?.id,
    forwarded: optional?.context?.forwarded,
    frequentlyForwarded: optional?.context?.frequently_forwarded,
    referral: toReferral(optional?.referral),
    errors: optional?.errors?.map(toWhatsAppError),
    rawJson,
  };
}

function decodeStatus(
  item: unknown,
  path: string,
  source: Source,
  contacts: readonly WireContact[],
  rawJson: string,
): StatusUpdate {
  const identity = statusIdentitySchema.safeParse(item);
  if (!identity.success) {
    throw itemError(source.snsMessageId, path, 'a status without id, status or timestamp', identity.error);
  }
  const optional = statusSchema.safeParse(item).data;
  // A status of a message to a group names the group, not a person (Meta's groups reference).
  const groupId = optional?.recipient_type === 'group' ? optional.recipient_id : undefined;
  const phone = groupId === undefined ? optional?.recipient_id : undefined;
  const userId = groupId === undefined ? optional?.recipient_user_id : undefined;
  const recipient =
    phone === undefined && userId === undefined
      ? undefined
      : {
          ...toCustomer(phone, userId, findContact(contacts, phone, userId)),
          parentUserId: optional?.recipient_parent_user_id,
        };
  return {
    source,
    wamid: identity.data.id,
    status: toMessageStatus(identity.data.status),
    timestamp: Number(identity.data.timestamp),
    recipient,
    groupId,
    errors: optional?.errors?.map(toWhatsAppError),
    pricing: toPricing(optional?.pricing),
    conversation: toConversationInfo(optional?.conversation),
    rawJson,
  };
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

/**
 * The value with every object member that is `null` or `""` left out, at any depth: Meta writes
 * both where it means "absent" (`"from": ""` for username users, `"rejection_reason": null`), so an
 * optional member never fails its record, and a record's identity left empty fails as missing.
 * Array elements keep their places, so a path into the result is a path into the value.
 */
export function withoutAbsentMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAbsentMembers);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, member]) =>
      member === null || member === '' ? [] : [[key, withoutAbsentMembers(member)]],
    ),
  );
}

/** The member at a path of JSON, if every step is there. */
function memberAt(value: unknown, ...path: (string | number)[]): unknown {
  let node: unknown = value;
  for (const step of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Reflect.get(node, step);
  }
  return node;
}

/** A value a schema has already accepted as an object. */
function asObject(value: unknown): object {
  return typeof value === 'object' && value !== null ? value : {};
}

type WireMessage = NonNullable<z.infer<typeof messageSchema>>;
type WireStatus = NonNullable<z.infer<typeof statusSchema>>;

function toReferral(referral: WireMessage['referral']): Referral | undefined {
  if (referral === undefined) return undefined;
  return {
    sourceType: referral.source_type,
    sourceId: referral.source_id,
    sourceUrl: referral.source_url,
    headline: referral.headline,
    body: referral.body,
    mediaType: referral.media_type,
    ctwaClid: referral.ctwa_clid,
  };
}

function toPricing(pricing: WireStatus['pricing']): Pricing | undefined {
  if (pricing === undefined) return undefined;
  return {
    billable: pricing.billable,
    pricingModel: pricing.pricing_model,
    category: pricing.category,
    type: pricing.type,
  };
}

function toConversationInfo(conversation: WireStatus['conversation']): ConversationInfo | undefined {
  if (conversation === undefined) return undefined;
  const expiresAt = Number(conversation.expiration_timestamp);
  return {
    id: conversation.id,
    expiresAt: Number.isSafeInteger(expiresAt) && expiresAt > 0 ? expiresAt : undefined,
    originType: conversation.origin?.type,
  };
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
