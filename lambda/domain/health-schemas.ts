/**
 * Wire schemas of the account-health webhook fields, after Meta's WhatsApp Business Account webhook
 * reference (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/<field>).
 *
 * Only what identifies the subject and the event is required; everything else is optional and
 * loose, because Meta adds and retires fields here often (`current_limit` gave way to
 * `max_daily_conversations_per_business` in 2026). A value missing its identity is a decode error.
 */
import * as z from 'zod/mini';
import { presentString, stringish, unixSeconds } from './schemas';

const requiredString = z.string().check(z.minLength(1));
/** Template ids are numbers on the wire (up to 16 digits, within a double's exact range). */
const templateId = z.pipe(stringish, z.string().check(z.minLength(1)));

const templateIdentity = {
  message_template_id: templateId,
  message_template_name: presentString,
  message_template_language: presentString,
};

export const templateStatusValueSchema = z.looseObject({
  ...templateIdentity,
  event: requiredString,
  reason: presentString,
  message_template_category: presentString,
  disable_info: z.optional(z.looseObject({ disable_date: z.optional(stringish) })),
  other_info: z.optional(z.looseObject({ title: presentString, description: presentString })),
});

export const templateQualityValueSchema = z.looseObject({
  ...templateIdentity,
  new_quality_score: requiredString,
  previous_quality_score: presentString,
});

export const templateCategoryValueSchema = z.looseObject({
  ...templateIdentity,
  new_category: requiredString,
  previous_category: presentString,
  /** Impending changes only: the category the template will be moved to. */
  correct_category: presentString,
  /** Impending changes only: when it will be moved (Unix seconds). */
  category_update_timestamp: z.optional(unixSeconds),
});

export const phoneNumberQualityValueSchema = z.looseObject({
  display_phone_number: stringish,
  event: requiredString,
  current_limit: presentString,
  old_limit: presentString,
  max_daily_conversations_per_business: presentString,
});

export const phoneNumberNameValueSchema = z.looseObject({
  display_phone_number: stringish,
  decision: requiredString,
  requested_verified_name: presentString,
  rejection_reason: presentString,
});

const restrictionSchema = z.looseObject({
  restriction_type: presentString,
  expiration: z.optional(stringish),
});

export const accountUpdateValueSchema = z.looseObject({
  event: requiredString,
  ban_info: z.optional(
    z.looseObject({ waba_ban_state: presentString, waba_ban_date: z.optional(stringish) }),
  ),
  violation_info: z.optional(z.looseObject({ violation_type: presentString })),
  // The reference shows a list; some relays send one object.
  restriction_info: z.optional(z.union([z.array(restrictionSchema), restrictionSchema])),
});

export const accountReviewValueSchema = z.looseObject({ decision: requiredString });

export const businessCapabilityValueSchema = z.looseObject({
  max_daily_conversation_per_phone: z.optional(stringish),
  max_daily_conversations_per_business: z.optional(stringish),
  max_phone_numbers_per_business: z.optional(stringish),
  max_phone_numbers_per_waba: z.optional(stringish),
});

export const accountAlertValueSchema = z.looseObject({
  entity_type: presentString,
  entity_id: z.optional(stringish),
  alert_info: z.looseObject({
    alert_type: requiredString,
    alert_severity: presentString,
    alert_status: presentString,
    alert_description: presentString,
  }),
});

/**
 * A `flows` value: `FLOW_STATUS_CHANGE` with the old and new status, or an endpoint alert
 * (`ENDPOINT_ERROR_RATE`, `ENDPOINT_LATENCY`, `ENDPOINT_AVAILABILITY`, `CLIENT_ERROR_RATE`,
 * `FLOW_VERSION_EXPIRY_WARNING`) with its threshold and message (Meta's Flows webhooks reference).
 */
export const flowValueSchema = z.looseObject({
  event: requiredString,
  flow_id: z.pipe(stringish, z.string().check(z.minLength(1))),
  flow_name: presentString,
  old_status: presentString,
  new_status: presentString,
  reason: presentString,
  message: presentString,
  threshold: z.optional(stringish),
  alert_state: presentString,
});

export const userPreferencesValueSchema = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.optional(stringish), phone_number_id: stringish }),
  contacts: z.optional(
    z.array(
      z.looseObject({
        wa_id: presentString,
        user_id: presentString,
        profile: z.optional(z.looseObject({ name: presentString, username: presentString })),
      }),
    ),
  ),
  user_preferences: z.array(
    z.looseObject({
      wa_id: presentString,
      user_id: presentString,
      detail: presentString,
      category: requiredString,
      value: requiredString,
      timestamp: z.optional(unixSeconds),
    }),
  ),
});
