/**
 * Names of the account-health records: the webhook fields the pipeline decodes besides `messages`,
 * and the subjects and aspects it records them under (docs/account-health.md). Which changes need a
 * human is policy, and lives in lambda/domain/account-health.ts.
 */

/**
 * The webhook `field`s that carry account health, as Meta's WhatsApp Business Account webhook
 * reference names them. Any other field except `messages` is skipped and counted.
 */
export const HEALTH_FIELDS = [
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
  'phone_number_quality_update',
  'phone_number_name_update',
  'account_update',
  'account_review_update',
  'business_capability_update',
  'account_alerts',
  'user_preferences',
  /** Flow status changes and endpoint alerts (AWS user guide "managing-flows-webhooks"). */
  'flows',
] as const;

/** One of the account-health webhook fields. */
export type HealthField = (typeof HEALTH_FIELDS)[number];

/** Whether a webhook field is one the pipeline records as account health. */
export function isHealthField(field: string): field is HealthField {
  return (HEALTH_FIELDS as readonly string[]).includes(field);
}

/** What a health record is about. */
export const HEALTH_SUBJECT = {
  template: 'template',
  phoneNumber: 'phone-number',
  account: 'account',
  flow: 'flow',
} as const;

/** One of the subjects of health records. */
export type HealthSubjectKind = (typeof HEALTH_SUBJECT)[keyof typeof HEALTH_SUBJECT];

/**
 * The aspects a subject's current state is kept in. Each aspect has its own time, so an older event
 * of one aspect never overwrites a newer one, and never holds back another aspect.
 */
export const HEALTH_ASPECTS = {
  template: ['status', 'quality', 'category'],
  'phone-number': ['quality', 'name'],
  account: ['status', 'review', 'capability', 'alert'],
  /** A Flow's status (DRAFT, PUBLISHED, DEPRECATED, BLOCKED, THROTTLED), and its endpoint's alerts. */
  flow: ['status', 'endpoint'],
} as const satisfies Record<HealthSubjectKind, readonly string[]>;

/** An aspect of a template. */
export type TemplateAspect = (typeof HEALTH_ASPECTS.template)[number];
/** An aspect of a business phone number. */
export type PhoneNumberAspect = (typeof HEALTH_ASPECTS)['phone-number'][number];
/** An aspect of a WhatsApp Business Account. */
export type AccountAspect = (typeof HEALTH_ASPECTS.account)[number];
/** An aspect of a Flow. */
export type FlowAspect = (typeof HEALTH_ASPECTS.flow)[number];
/** Any aspect. */
export type HealthAspect = TemplateAspect | PhoneNumberAspect | AccountAspect | FlowAspect;

/** The `category` of the marketing preference, as `user_preferences` carries it. */
export const MARKETING_PREFERENCE_CATEGORY = 'marketing_messages';
