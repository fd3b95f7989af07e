/**
 * Wire schemas for everything between the SNS event and a single WhatsApp message or status.
 *
 * Objects are loose (unknown fields pass through) because Meta adds fields and types often; only
 * what the pipeline relies on is required. See ../../../shared/reference/event-facts.md for sources.
 */
import { z } from 'zod';

/** A string, or a number that Meta or an SDK sometimes sends where the docs say string. */
const stringish = z.union([z.string(), z.number().transform(String)]);
/** Unix seconds as Meta sends them (a string of digits), or as a number. */
const unixSeconds = z.union([
  z.string().regex(/^\d+$/, 'expected Unix seconds'),
  z.int().nonnegative().transform(String),
]);
/** A number, or a numeric string (location coordinates arrive as either). */
const numberish = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

export const snsRecordSchema = z.looseObject({
  EventSource: z.string().optional(),
  Sns: z.looseObject({
    MessageId: z.string().min(1),
    TopicArn: z.string().optional(),
    Timestamp: z.string().optional(),
    Subject: z.string().nullish(),
    Message: z.string(),
  }),
});
export type SnsRecord = z.infer<typeof snsRecordSchema>;

export const snsEventSchema = z.looseObject({ Records: z.array(z.unknown()).min(1) });

const phoneNumberRefSchema = z.looseObject({ metaPhoneNumberId: stringish, arn: z.string() });
const wabaRefSchema = z.looseObject({ wabaId: stringish, arn: z.string() });
const envelopeContextSchema = z.looseObject({
  MetaWabaIds: z.array(wabaRefSchema).optional(),
  MetaPhoneNumberIds: z.array(phoneNumberRefSchema).optional(),
});
export type EnvelopeContext = z.infer<typeof envelopeContextSchema>;

const entryValueSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

/**
 * The End User Messaging Social envelope. Both spellings of the entry key occur in AWS's docs, and
 * one translated page shows the context keys at the top level, without the `context` wrapper.
 */
export const envelopeSchema = z.looseObject({
  context: envelopeContextSchema.optional(),
  MetaWabaIds: z.array(wabaRefSchema).optional(),
  MetaPhoneNumberIds: z.array(phoneNumberRefSchema).optional(),
  whatsAppWebhookEntry: entryValueSchema.optional(),
  whatsappWebhookEntry: entryValueSchema.optional(),
  aws_account_id: stringish.optional(),
  message_timestamp: z.string().optional(),
  messageId: z.string().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const webhookEntrySchema = z.looseObject({
  id: stringish,
  time: z.number().optional(),
  changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
});

const errorSchema = z.looseObject({
  code: stringish,
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  details: z.string().optional(),
  href: z.string().optional(),
});
export type WireError = z.infer<typeof errorSchema>;

const contactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
export type WireContact = z.infer<typeof contactSchema>;

/** Fields every inbound message must have to be stored exactly once. */
export const messageIdentitySchema = z.looseObject({
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1),
});

export const messageSchema = messageIdentitySchema.extend({
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  context: z
    .looseObject({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequently_forwarded: z.boolean().optional(),
      referred_product: z.looseObject({}).optional(),
    })
    .optional(),
  referral: z
    .looseObject({
      source_type: z.string().optional(),
      source_id: z.string().optional(),
      source_url: z.string().optional(),
      ctwa_clid: z.string().optional(),
    })
    .optional(),
  errors: z.array(errorSchema).optional(),
});
export type WireMessage = z.infer<typeof messageSchema>;

/** Fields every status must have to be applied to its message. */
export const statusIdentitySchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
});

export const statusSchema = statusIdentitySchema.extend({
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z
    .looseObject({
      id: z.string().optional(),
      expiration_timestamp: stringish.optional(),
      origin: z.looseObject({ type: z.string().optional() }).optional(),
    })
    .optional(),
  pricing: z
    .looseObject({
      billable: z.boolean().optional(),
      pricing_model: z.string().optional(),
      category: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
  errors: z.array(errorSchema).optional(),
});
export type WireStatus = z.infer<typeof statusSchema>;

/** The `value` of a change whose `field` is `messages`. Items are checked one by one later. */
export const messagesValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ display_phone_number: stringish.optional(), phone_number_id: stringish }),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

export const errorItemSchema = errorSchema;

// Type-specific payloads. A payload that does not match is still stored raw; only its summary is lost.
export const textPayloadSchema = z.looseObject({ body: z.string() });
export const mediaPayloadSchema = z.looseObject({
  id: stringish.optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
  url: z.string().optional(),
});
export const locationPayloadSchema = z.looseObject({
  latitude: numberish,
  longitude: numberish,
  name: z.string().optional(),
  address: z.string().optional(),
});
export const contactsPayloadSchema = z.array(z.unknown());
export const interactivePayloadSchema = z.looseObject({
  type: z.string(),
  button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
  list_reply: z
    .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
    .optional(),
  nfm_reply: z
    .looseObject({
      name: z.string().optional(),
      body: z.string().optional(),
      response_json: z.string().optional(),
    })
    .optional(),
});
export const buttonPayloadSchema = z.looseObject({
  text: z.string().optional(),
  payload: z.string().optional(),
});
export const reactionPayloadSchema = z.looseObject({ message_id: z.string(), emoji: z.string().optional() });
export const orderPayloadSchema = z.looseObject({
  catalog_id: z.string().optional(),
  text: z.string().optional(),
  product_items: z.array(z.unknown()).optional(),
});
export const systemPayloadSchema = z.looseObject({
  type: z.string().optional(),
  body: z.string().optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
});
export const unsupportedPayloadSchema = z.looseObject({ type: z.string().optional() });
