/**
 * Wire schemas for everything between the SNS event and a single WhatsApp message or status.
 *
 * Objects are loose (unknown fields pass through) because Meta adds fields and types often; only
 * what the pipeline relies on is required. See ../../../shared/reference/event-facts.md for sources.
 */
// zod/mini: the same schemas as classic zod, tree-shakable; the classic API adds ~430 KB to a bundle.
import * as z from 'zod/mini';

/**
 * An optional string where Meta sends `""` to mean "absent" (`"from": ""` for username users):
 * the empty string decodes as absent, so no code downstream can mistake it for an address.
 */
export const presentString = z.optional(
  z.pipe(
    z.string(),
    z.transform((value) => (value === '' ? undefined : value)),
  ),
);

/** A string, or a number that Meta or an SDK sometimes sends where the docs say string. */
export const stringish = z.union([z.string(), z.pipe(z.number(), z.transform(String))]);
/** Unix seconds as Meta sends them (a string of digits), or as a number. */
export const unixSeconds = z.union([
  // Eleven digits reach the year 5138; longer values cannot be dates.
  z.string().check(z.regex(/^\d{1,11}$/, 'expected Unix seconds')),
  z.pipe(z.int().check(z.nonnegative(), z.maximum(99_999_999_999)), z.transform(String)),
]);
/** A number, or a numeric string (location coordinates arrive as either). */
const numberish = z.union([
  z.number(),
  z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number)),
]);

export const snsRecordSchema = z.looseObject({
  EventSource: z.optional(z.string()),
  Sns: z.looseObject({
    MessageId: z.string().check(z.minLength(1)),
    TopicArn: z.optional(z.string()),
    Timestamp: z.optional(z.string()),
    Subject: z.nullish(z.string()),
    Message: z.string(),
  }),
});

export const snsEventSchema = z.looseObject({ Records: z.array(z.unknown()).check(z.minLength(1)) });

const phoneNumberRefSchema = z.looseObject({ metaPhoneNumberId: stringish, arn: z.string() });
const wabaRefSchema = z.looseObject({ wabaId: stringish, arn: z.string() });
const envelopeContextSchema = z.looseObject({
  MetaWabaIds: z.optional(z.array(wabaRefSchema)),
  MetaPhoneNumberIds: z.optional(z.array(phoneNumberRefSchema)),
});
export type EnvelopeContext = z.infer<typeof envelopeContextSchema>;

const entryValueSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

/**
 * The End User Messaging Social envelope. Both spellings of the entry key occur in AWS's docs, and
 * one translated page shows the context keys at the top level, without the `context` wrapper.
 */
export const envelopeSchema = z.looseObject({
  context: z.optional(envelopeContextSchema),
  MetaWabaIds: z.optional(z.array(wabaRefSchema)),
  MetaPhoneNumberIds: z.optional(z.array(phoneNumberRefSchema)),
  whatsAppWebhookEntry: z.optional(entryValueSchema),
  whatsappWebhookEntry: z.optional(entryValueSchema),
  aws_account_id: z.optional(stringish),
  message_timestamp: z.optional(z.string()),
  messageId: z.optional(z.string()),
});

export const webhookEntrySchema = z.looseObject({
  id: stringish,
  time: z.optional(z.number()),
  changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
});

const errorSchema = z.looseObject({
  code: stringish,
  title: z.optional(z.string()),
  message: z.optional(z.string()),
  error_data: z.optional(z.looseObject({ details: z.optional(z.string()) })),
  details: z.optional(z.string()),
  href: z.optional(z.string()),
});
export type WireError = z.infer<typeof errorSchema>;

const contactSchema = z.looseObject({
  wa_id: presentString,
  user_id: presentString,
  /** The parent BSUID of linked business portfolios. */
  parent_user_id: presentString,
  profile: z.optional(z.looseObject({ name: presentString, username: presentString })),
});
export type WireContact = z.infer<typeof contactSchema>;

/** Fields every inbound message must have to be stored exactly once. */
export const messageIdentitySchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  timestamp: unixSeconds,
  type: z.string().check(z.minLength(1)),
});

export const messageSchema = z.extend(messageIdentitySchema, {
  from: presentString,
  from_user_id: presentString,
  from_parent_user_id: presentString,
  /** A message in a group the business is in (Meta's group messages webhook reference). */
  group_id: presentString,
  context: z.optional(
    z.looseObject({
      from: presentString,
      id: presentString,
      forwarded: z.optional(z.boolean()),
      frequently_forwarded: z.optional(z.boolean()),
      referred_product: z.optional(z.looseObject({})),
    }),
  ),
  referral: z.optional(
    z.looseObject({
      source_type: presentString,
      source_id: presentString,
      source_url: presentString,
      headline: presentString,
      body: presentString,
      media_type: presentString,
      ctwa_clid: presentString,
    }),
  ),
  errors: z.optional(z.array(errorSchema)),
});

/** Fields every status must have to be applied to its message. */
export const statusIdentitySchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  timestamp: unixSeconds,
});

export const statusSchema = z.extend(statusIdentitySchema, {
  recipient_id: presentString,
  /** `group` for a message the business sent to a group: `recipient_id` is then the group's id. */
  recipient_type: presentString,
  recipient_user_id: presentString,
  recipient_parent_user_id: presentString,
  biz_opaque_callback_data: z.optional(z.string()),
  conversation: z.optional(
    z.looseObject({
      id: presentString,
      expiration_timestamp: z.optional(stringish),
      origin: z.optional(z.looseObject({ type: presentString })),
    }),
  ),
  pricing: z.optional(
    z.looseObject({
      billable: z.optional(z.boolean()),
      pricing_model: presentString,
      category: presentString,
      type: presentString,
    }),
  ),
  errors: z.optional(z.array(errorSchema)),
});

/** The `value` of a change whose `field` is `messages`. Items are checked one by one later. */
export const messagesValueSchema = z.looseObject({
  messaging_product: z.optional(z.string()),
  metadata: z.looseObject({ display_phone_number: z.optional(stringish), phone_number_id: stringish }),
  contacts: z.optional(z.array(contactSchema)),
  messages: z.optional(z.array(z.unknown())),
  statuses: z.optional(z.array(z.unknown())),
  errors: z.optional(z.array(z.unknown())),
});

/**
 * The `value` of a `smb_message_echoes` change (coexistence): messages a person sent from the
 * WhatsApp Business app or a linked device, in `message_echoes` (Meta's smb_message_echoes webhook
 * reference).
 */
export const echoesValueSchema = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.optional(stringish), phone_number_id: stringish }),
  message_echoes: z.optional(z.array(z.unknown())),
});

/** An echo: a message as sent, to the customer in `to` (`to_user_id` for a BSUID is inferred). */
export const echoSchema = z.extend(messageIdentitySchema, {
  to: presentString,
  to_user_id: presentString,
});

/**
 * The `value` of a `history` change (coexistence): up to six months of the WhatsApp Business app's
 * chats, in phases and chunks (Meta's history webhook reference). A business that declined
 * sharing gets `errors` instead.
 */
export const historyValueSchema = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.optional(stringish), phone_number_id: stringish }),
  history: z.optional(
    z.array(
      z.looseObject({
        metadata: z.optional(
          z.looseObject({
            phase: z.optional(z.union([z.number(), z.pipe(z.string(), z.transform(Number))])),
            chunk_order: z.optional(z.union([z.number(), z.pipe(z.string(), z.transform(Number))])),
            progress: z.optional(z.union([z.number(), z.pipe(z.string(), z.transform(Number))])),
          }),
        ),
        threads: z.optional(
          z.array(z.looseObject({ id: presentString, messages: z.optional(z.array(z.unknown())) })),
        ),
        // A declined import ("history.errors[]"): whether under the chunk or the value is not
        // documented, so both are read.
        errors: z.optional(z.array(z.unknown())),
      }),
    ),
  ),
  errors: z.optional(z.array(z.unknown())),
});

/** A message of a history thread: sent by the customer, or by the business (`from_me`, or `to`). */
export const historyMessageSchema = z.extend(messageIdentitySchema, {
  from: presentString,
  to: presentString,
  history_context: z.optional(z.looseObject({ status: presentString, from_me: z.optional(z.boolean()) })),
});

/** The `value` of a `smb_app_state_sync` change: the business's address book, added and removed. */
export const appStateSyncValueSchema = z.looseObject({
  state_sync: z.optional(z.array(z.looseObject({ type: presentString, action: presentString }))),
});

/** A whole number Meta sends as a number or a string of digits (call times and durations). */
const wholeNumberish = z.union([
  z.int().check(z.nonnegative()),
  z.pipe(z.string().check(z.regex(/^\d{1,15}$/)), z.transform(Number)),
]);

/**
 * The `value` of a `calls` change: `calls[]` (connect and terminate, Meta's calling webhooks
 * reference) and, for calls the business placed, `statuses[]` of `type: call`.
 */
export const callsValueSchema = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.optional(stringish), phone_number_id: stringish }),
  calls: z.optional(z.array(z.unknown())),
  statuses: z.optional(z.array(z.unknown())),
});

/** What every call webhook needs to be recorded once: the call, the event, the time. */
export const callIdentitySchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  event: z.string().check(z.minLength(1)),
  timestamp: unixSeconds,
});

export const callSchema = z.extend(callIdentitySchema, {
  from: presentString,
  to: presentString,
  direction: presentString,
  status: z.optional(z.union([z.string(), z.array(z.string())])),
  start_time: z.optional(wholeNumberish),
  end_time: z.optional(wholeNumberish),
  duration: z.optional(wholeNumberish),
  errors: z.optional(z.array(errorSchema)),
});

/** A status of a call the business placed: `RINGING`, `ACCEPTED`, `REJECTED`. */
export const callStatusIdentitySchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  timestamp: unixSeconds,
});

export const callStatusSchema = z.extend(callStatusIdentitySchema, {
  recipient_id: presentString,
  errors: z.optional(z.array(errorSchema)),
});

export const errorItemSchema = errorSchema;

// Type-specific payloads. A payload that does not match is still stored raw; only its summary is lost.
export const textPayloadSchema = z.looseObject({ body: z.string() });
export const mediaPayloadSchema = z.looseObject({
  id: z.optional(
    z.pipe(
      stringish,
      z.transform((id) => (id === '' ? undefined : id)),
    ),
  ),
  mime_type: presentString,
  sha256: presentString,
  caption: presentString,
  filename: presentString,
  voice: z.optional(z.boolean()),
  animated: z.optional(z.boolean()),
  url: z.optional(z.string()),
});
export const locationPayloadSchema = z.looseObject({
  latitude: numberish,
  longitude: numberish,
  name: z.optional(z.string()),
  address: z.optional(z.string()),
});
export const contactsPayloadSchema = z.array(z.unknown());
export const interactivePayloadSchema = z.looseObject({
  type: z.string(),
  button_reply: z.optional(z.looseObject({ id: z.string(), title: z.string() })),
  list_reply: z.optional(
    z.looseObject({ id: z.string(), title: z.string(), description: z.optional(z.string()) }),
  ),
  nfm_reply: z.optional(
    z.looseObject({
      name: z.optional(z.string()),
      body: z.optional(z.string()),
      response_json: z.optional(z.string()),
    }),
  ),
});
export const buttonPayloadSchema = z.looseObject({
  text: z.optional(z.string()),
  payload: z.optional(z.string()),
});
export const reactionPayloadSchema = z.looseObject({ message_id: z.string(), emoji: z.optional(z.string()) });
export const orderPayloadSchema = z.looseObject({
  catalog_id: z.optional(z.string()),
  text: z.optional(z.string()),
  product_items: z.optional(z.array(z.unknown())),
});
export const systemPayloadSchema = z.looseObject({
  type: presentString,
  body: presentString,
  wa_id: presentString,
  /** The name of older Graph API versions for `wa_id`. */
  new_wa_id: presentString,
  user_id: presentString,
  parent_user_id: presentString,
  previous_user_id: presentString,
});
/** `messages[].edit`: the edited message's id, and the message as it is now. */
export const editPayloadSchema = z.looseObject({
  original_message_id: z.string().check(z.minLength(1)),
  message: z.optional(
    z.looseObject({
      type: presentString,
      text: z.optional(z.looseObject({ body: presentString })),
      image: z.optional(z.looseObject({ caption: presentString })),
      video: z.optional(z.looseObject({ caption: presentString })),
      document: z.optional(z.looseObject({ caption: presentString })),
    }),
  ),
});
/** `messages[].revoke`: the deleted message's id. */
export const revokePayloadSchema = z.looseObject({ original_message_id: z.string().check(z.minLength(1)) });
export const unsupportedPayloadSchema = z.looseObject({ type: z.optional(z.string()) });
