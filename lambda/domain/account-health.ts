/**
 * Account health: the changes Meta publishes besides messages (templates, phone numbers, the
 * account, customers' marketing preferences), decoded into one typed model, and the policy of
 * which of them need a human. Pure: no I/O. See docs/account-health.md.
 */
import type * as z from 'zod/mini';
import {
  type AccountAspect,
  type FlowAspect,
  type HealthField,
  isHealthField,
  MARKETING_PREFERENCE_CATEGORY,
  type PhoneNumberAspect,
  type TemplateAspect,
} from '../../contracts';
import {
  accountAlertValueSchema,
  accountReviewValueSchema,
  accountUpdateValueSchema,
  businessCapabilityValueSchema,
  flowValueSchema,
  phoneNumberNameValueSchema,
  phoneNumberQualityValueSchema,
  templateCategoryValueSchema,
  templateQualityValueSchema,
  templateStatusValueSchema,
  userPreferencesValueSchema,
} from './health-schemas';
import type { Customer } from './model';

declare const unknownHealthEvent: unique symbol;
/** An event value Meta added after this code was written, kept verbatim. */
export type UnknownHealthEvent = string & { readonly [unknownHealthEvent]: true };

/** A template as health changes name it. */
export interface TemplateSubject {
  readonly kind: 'template';
  readonly templateId: string;
  readonly templateName?: string;
  readonly language?: string;
  readonly category?: string;
}

/** A business phone number: Meta names it by its display number in these webhooks. */
export interface PhoneNumberSubject {
  readonly kind: 'phone-number';
  readonly displayPhoneNumber: string;
}

/** The WhatsApp Business Account itself. */
export interface AccountSubject {
  readonly kind: 'account';
}

/** A WhatsApp Flow of the account. */
export interface FlowSubject {
  readonly kind: 'flow';
  readonly flowId: string;
  readonly flowName?: string;
}

/** What a health change is about. */
export type HealthSubject = TemplateSubject | PhoneNumberSubject | AccountSubject | FlowSubject;

/** A restriction Meta placed on an account, until `expiration`. */
export interface AccountRestriction {
  readonly type?: string;
  readonly expiration?: string;
}

/** What every change of a template, number or account carries. */
interface ChangeCommon {
  readonly field: HealthField;
  readonly wabaId: string;
  /** Meta's word for what happened (`PAUSED`, `RED`, `DOWNGRADE`, …), verbatim. */
  readonly event: string;
  /** Whether `event` is one Meta documents for this field; unknown ones are stored all the same. */
  readonly knownEvent: boolean;
  /** The state before, when Meta says (`previous_quality_score`, `old_limit`, `previous_category`). */
  readonly previous?: string;
  /** The value that came with the event: a messaging limit, a ban state, a requested name. */
  readonly value?: string;
  /** The reason Meta gave. */
  readonly reason?: string;
  /** More of Meta's words: a title and description, a disable date, an impending change. */
  readonly detail?: string;
  readonly severity?: string;
  readonly restrictions?: readonly AccountRestriction[];
  /** Meta's time of the change (ISO): newer wins. */
  readonly occurredAt: string;
  readonly snsMessageId: string;
  /** The change's `value` exactly as received, as JSON. */
  readonly payload: string;
}

/** A change of a template's status, quality or category. */
export interface TemplateHealthChange extends ChangeCommon {
  readonly subject: TemplateSubject;
  readonly aspect: TemplateAspect;
}

/** A change of a business number's quality flag and messaging limit, or of its display name. */
export interface PhoneNumberHealthChange extends ChangeCommon {
  readonly subject: PhoneNumberSubject;
  readonly aspect: PhoneNumberAspect;
}

/** A change of the account's status, review, capabilities or alerts. */
export interface AccountHealthChange extends ChangeCommon {
  readonly subject: AccountSubject;
  readonly aspect: AccountAspect;
}

/** A change of a Flow's status, or an alert of its endpoint. */
export interface FlowHealthChange extends ChangeCommon {
  readonly subject: FlowSubject;
  readonly aspect: FlowAspect;
}

/** Any change of a template, number, account or Flow, discriminated on `subject.kind`. */
export type HealthChange =
  | TemplateHealthChange
  | PhoneNumberHealthChange
  | AccountHealthChange
  | FlowHealthChange;

/** The marketing preferences Meta documents; any other value is kept verbatim. */
export type MarketingPreference = 'stop' | 'resume' | UnknownHealthEvent;

/** A customer stopped or resumed a category of messages (today: marketing). */
export interface PreferenceChange {
  readonly field: 'user_preferences';
  readonly wabaId: string;
  readonly businessPhoneNumberId: string;
  readonly displayPhoneNumber?: string;
  readonly customer: Customer;
  readonly category: string;
  readonly preference: MarketingPreference;
  readonly knownEvent: boolean;
  readonly detail?: string;
  readonly occurredAt: string;
  readonly snsMessageId: string;
  readonly payload: string;
}

/** What one health change decodes into. */
export type DecodedHealthChange = HealthChange | PreferenceChange;

/** Where a change came from: the entry and the SNS message. */
export interface HealthChangeSource {
  readonly wabaId: string;
  readonly snsMessageId: string;
  /** `entry.time` (Unix seconds), when Meta sends it. */
  readonly entryTime?: number;
  /** The envelope's `message_timestamp`: the time of last resort. */
  readonly publishedAt?: string;
}

/** A health value that does not have the shape its field's reference documents. */
export class HealthDecodeError extends Error {
  public override readonly name = 'HealthDecodeError';
}

/** The event values Meta documents per field; anything else is an {@link UnknownHealthEvent}. */
export const KNOWN_HEALTH_EVENTS: Readonly<Record<HealthField, readonly string[] | 'any'>> = {
  message_template_status_update: [
    'APPROVED',
    'REJECTED',
    'PENDING',
    'PAUSED',
    'DISABLED',
    'FLAGGED',
    'IN_APPEAL',
    'PENDING_DELETION',
    'DELETED',
    'REINSTATED',
    'ARCHIVED',
    'UNARCHIVED',
    'LIMIT_EXCEEDED',
    'LOCKED',
    'UNLOCKED',
  ],
  message_template_quality_update: ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'],
  template_category_update: ['MARKETING', 'UTILITY', 'AUTHENTICATION'],
  phone_number_quality_update: [
    'FLAGGED',
    'UNFLAGGED',
    'DOWNGRADE',
    'UPGRADE',
    'ONBOARDING',
    'THROUGHPUT_UPGRADE',
  ],
  phone_number_name_update: ['APPROVED', 'REJECTED', 'DEFERRED'],
  account_update: [
    'ACCOUNT_RESTRICTION',
    'ACCOUNT_VIOLATION',
    'DISABLED_UPDATE',
    'ACCOUNT_DELETED',
    'ACCOUNT_OFFBOARDED',
    'ACCOUNT_RECONNECTED',
    'PARTNER_ADDED',
    'PARTNER_REMOVED',
    'PARTNER_APP_INSTALLED',
    'PARTNER_APP_UNINSTALLED',
    'AUTH_INTL_PRICE_ELIGIBILITY_UPDATE',
    'BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE',
    'VOLUME_BASED_PRICING_TIER_UPDATE',
    'MM_LITE_TERMS_SIGNED',
  ],
  account_review_update: ['APPROVED', 'REJECTED', 'PENDING', 'DEFERRED'],
  // No event on the wire: the pipeline names every capability change UPDATED.
  business_capability_update: ['UPDATED'],
  // Alert types are open-ended; Meta lists examples, not a closed set.
  account_alerts: 'any',
  user_preferences: ['stop', 'resume'],
  // A status change's event is its new status; the other events are the endpoint's alerts.
  flows: [
    'DRAFT',
    'PUBLISHED',
    'DEPRECATED',
    'BLOCKED',
    'THROTTLED',
    'ENDPOINT_ERROR_RATE',
    'ENDPOINT_LATENCY',
    'ENDPOINT_AVAILABILITY',
    'CLIENT_ERROR_RATE',
    'FLOW_VERSION_EXPIRY_WARNING',
  ],
};

function isKnown(field: HealthField, event: string): boolean {
  const known = KNOWN_HEALTH_EVENTS[field];
  return known === 'any' || known.includes(event);
}

/**
 * Decodes the `value` of one account-health change. Returns undefined for a field that is not a
 * health field (the caller skips and counts it).
 *
 * @throws HealthDecodeError when the value lacks what identifies its subject or event, or has no time
 */
export function decodeHealthChange(
  field: string,
  value: unknown,
  source: HealthChangeSource,
  /** The value as received, for the stored payload. @default value */
  received: unknown = value,
): DecodedHealthChange[] | undefined {
  if (!isHealthField(field)) return undefined;
  const payload = JSON.stringify(received);
  const at = (unix?: string | number) => occurredAt(field, source, unix);
  const base = { field, wabaId: source.wabaId, snsMessageId: source.snsMessageId, payload };
  const event = (name: string) => ({ event: name, knownEvent: isKnown(field, name) });

  switch (field) {
    case 'message_template_status_update': {
      const v = parse(field, templateStatusValueSchema, value);
      return [
        {
          ...base,
          field,
          ...event(v.event),
          subject: templateSubject(v, v.message_template_category),
          aspect: 'status',
          ...compact({
            // The category the template had at this change; template_category_update moves it later.
            value: v.message_template_category,
            reason: meaningful(v.reason),
            detail: statusDetail(v),
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'message_template_quality_update': {
      const v = parse(field, templateQualityValueSchema, value);
      return [
        {
          ...base,
          field,
          ...event(v.new_quality_score),
          subject: templateSubject(v),
          aspect: 'quality',
          ...compact({ previous: v.previous_quality_score }),
          occurredAt: at(),
        },
      ];
    }
    case 'template_category_update': {
      const v = parse(field, templateCategoryValueSchema, value);
      const when =
        v.category_update_timestamp === undefined ? undefined : isoOfUnix(v.category_update_timestamp);
      return [
        {
          ...base,
          field,
          ...event(v.new_category),
          subject: templateSubject(v, v.new_category),
          aspect: 'category',
          ...compact({
            previous: v.previous_category,
            value: v.correct_category,
            detail:
              v.correct_category === undefined
                ? undefined
                : `will be recategorized as ${v.correct_category}${when === undefined ? '' : ` on ${when}`}`,
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'phone_number_quality_update': {
      const v = parse(field, phoneNumberQualityValueSchema, value);
      return [
        {
          ...base,
          field,
          ...event(v.event),
          subject: { kind: 'phone-number', displayPhoneNumber: v.display_phone_number },
          aspect: 'quality',
          ...compact({
            value: v.max_daily_conversations_per_business ?? v.current_limit,
            previous: v.old_limit,
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'phone_number_name_update': {
      const v = parse(field, phoneNumberNameValueSchema, value);
      return [
        {
          ...base,
          field,
          ...event(v.decision),
          subject: { kind: 'phone-number', displayPhoneNumber: v.display_phone_number },
          aspect: 'name',
          ...compact({ value: v.requested_verified_name, reason: meaningful(v.rejection_reason) }),
          occurredAt: at(),
        },
      ];
    }
    case 'account_update': {
      const v = parse(field, accountUpdateValueSchema, value);
      const restrictions = v.restriction_info === undefined ? [] : [v.restriction_info].flat();
      return [
        {
          ...base,
          field,
          ...event(v.event),
          subject: { kind: 'account' },
          aspect: 'status',
          ...compact({
            value: v.ban_info?.waba_ban_state,
            reason: v.violation_info?.violation_type,
            detail:
              v.ban_info?.waba_ban_date === undefined ? undefined : `ban date ${v.ban_info.waba_ban_date}`,
            restrictions:
              restrictions.length === 0
                ? undefined
                : restrictions.map((r) => compact({ type: r.restriction_type, expiration: r.expiration })),
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'account_review_update': {
      const v = parse(field, accountReviewValueSchema, value);
      return [
        {
          ...base,
          field,
          ...event(v.decision),
          subject: { kind: 'account' },
          aspect: 'review',
          occurredAt: at(),
        },
      ];
    }
    case 'business_capability_update': {
      const v = parse(field, businessCapabilityValueSchema, value);
      const limits = [
        ['max_daily_conversations_per_business', v.max_daily_conversations_per_business],
        ['max_daily_conversation_per_phone', v.max_daily_conversation_per_phone],
        ['max_phone_numbers_per_business', v.max_phone_numbers_per_business],
        ['max_phone_numbers_per_waba', v.max_phone_numbers_per_waba],
      ].filter(([, limit]) => limit !== undefined);
      return [
        {
          ...base,
          field,
          ...event('UPDATED'),
          subject: { kind: 'account' },
          aspect: 'capability',
          ...compact({
            value: v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone,
            detail: limits.length === 0 ? undefined : limits.map(([k, l]) => `${k}=${l}`).join(', '),
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'account_alerts': {
      const v = parse(field, accountAlertValueSchema, value);
      const info = v.alert_info;
      return [
        {
          ...base,
          field,
          ...event(info.alert_type),
          subject: { kind: 'account' },
          aspect: 'alert',
          ...compact({
            value: info.alert_status,
            severity: info.alert_severity,
            reason: info.alert_description,
            detail:
              v.entity_type === undefined
                ? undefined
                : `${v.entity_type}${v.entity_id === undefined ? '' : ` ${v.entity_id}`}`,
          }),
          occurredAt: at(),
        },
      ];
    }
    case 'flows': {
      const v = parse(field, flowValueSchema, value);
      const subject: FlowSubject = { kind: 'flow', flowId: v.flow_id, ...compact({ flowName: v.flow_name }) };
      if (v.event === 'FLOW_STATUS_CHANGE') {
        return [
          {
            ...base,
            field,
            // Like a template's, the event of a status change is the new status.
            ...event(v.new_status ?? 'UNKNOWN'),
            subject,
            aspect: 'status',
            ...compact({ previous: v.old_status, reason: v.reason, detail: v.message }),
            occurredAt: at(),
          },
        ];
      }
      return [
        {
          ...base,
          field,
          ...event(v.event),
          subject,
          aspect: 'endpoint',
          ...compact({ value: v.threshold, severity: v.alert_state, detail: v.message }),
          occurredAt: at(),
        },
      ];
    }
    case 'user_preferences': {
      const v = parse(field, userPreferencesValueSchema, value);
      return v.user_preferences.map((preference, i): PreferenceChange => {
        const phone = preference.wa_id;
        const userId = preference.user_id;
        const contact =
          v.contacts?.find(
            (c) =>
              (userId !== undefined && c.user_id === userId) || (phone !== undefined && c.wa_id === phone),
          ) ?? (v.contacts?.length === 1 ? v.contacts[0] : undefined);
        const key = userId ?? phone;
        if (key === undefined) {
          throw new HealthDecodeError(`user_preferences[${i}] names no customer (no wa_id or user_id)`);
        }
        return {
          ...base,
          field,
          payload: JSON.stringify(preference),
          businessPhoneNumberId: v.metadata.phone_number_id,
          ...compact({ displayPhoneNumber: v.metadata.display_phone_number }),
          customer: compact({
            key,
            phone,
            userId,
            profileName: contact?.profile?.name,
            username: contact?.profile?.username,
          }) as Customer,
          category: preference.category,
          preference: preference.value as MarketingPreference,
          knownEvent:
            preference.category === MARKETING_PREFERENCE_CATEGORY && isKnown(field, preference.value),
          ...compact({ detail: preference.detail }),
          occurredAt: at(preference.timestamp),
        };
      });
    }
  }
}

/** Whether a change is a template's, number's or account's (not a customer's preference). */
export function isSubjectChange(change: DecodedHealthChange): change is HealthChange {
  return change.field !== 'user_preferences';
}

/** How urgent a change that needs a human is. */
export type AlertSeverity = 'critical' | 'warning';

/** The runbook sections (anchors of docs/runbook.md) health alerts link to. */
export const HEALTH_RUNBOOK_SECTIONS = [
  'template-paused-disabled-or-rejected',
  'template-quality-red',
  'phone-number-flagged-or-downgraded',
  'account-restricted-or-banned',
  'account-alert',
  'flow-blocked-or-throttled',
] as const;

/** One of the runbook sections of health alerts. */
export type HealthRunbookSection = (typeof HEALTH_RUNBOOK_SECTIONS)[number];

/** Why a change needs a human, and where the runbook says what to do. */
export interface HealthAlert {
  readonly severity: AlertSeverity;
  /** One line naming what happened, without the subject. */
  readonly headline: string;
  /** The runbook section (an anchor of docs/runbook.md). */
  readonly runbookSection: HealthRunbookSection;
}

const TEMPLATE_STATUS_ALERTS: Readonly<Record<string, AlertSeverity>> = {
  PAUSED: 'warning',
  DISABLED: 'critical',
  REJECTED: 'warning',
  FLAGGED: 'warning',
};
const ACCOUNT_STATUS_ALERTS: Readonly<Record<string, AlertSeverity>> = {
  ACCOUNT_RESTRICTION: 'critical',
  ACCOUNT_VIOLATION: 'critical',
  DISABLED_UPDATE: 'critical',
  ACCOUNT_DELETED: 'critical',
};

/**
 * The alert a change raises, or undefined for an informational change (an approval, an upgrade):
 * those are recorded and counted, not sent to a person.
 */
export function alertOf(change: HealthChange): HealthAlert | undefined {
  switch (change.subject.kind) {
    case 'template':
      return templateAlert(change.aspect as TemplateAspect, change);
    case 'phone-number':
      if (change.aspect === 'quality' && (change.event === 'FLAGGED' || change.event === 'DOWNGRADE')) {
        return {
          severity: change.event === 'DOWNGRADE' ? 'critical' : 'warning',
          headline:
            change.event === 'DOWNGRADE'
              ? `messaging limit lowered${change.previous === undefined ? '' : ` from ${change.previous}`}${change.value === undefined ? '' : ` to ${change.value}`}`
              : 'flagged for low quality: the limit goes down if feedback stays negative',
          runbookSection: 'phone-number-flagged-or-downgraded',
        };
      }
      return undefined;
    case 'flow':
      if (change.aspect === 'status' && (change.event === 'BLOCKED' || change.event === 'THROTTLED')) {
        return {
          severity: change.event === 'BLOCKED' ? 'critical' : 'warning',
          headline: `flow ${change.event.toLowerCase()}${change.previous === undefined ? '' : ` (was ${change.previous})`}`,
          runbookSection: 'flow-blocked-or-throttled',
        };
      }
      return undefined;
    case 'account': {
      if (change.aspect === 'status') {
        const severity = ACCOUNT_STATUS_ALERTS[change.event];
        if (severity === undefined && change.value === undefined) return undefined;
        return {
          severity: severity ?? 'critical',
          headline: `account ${change.event.toLowerCase().replaceAll('_', ' ')}${change.value === undefined ? '' : ` (ban state ${change.value})`}`,
          runbookSection: 'account-restricted-or-banned',
        };
      }
      if (change.aspect === 'review' && change.event === 'REJECTED') {
        return {
          severity: 'critical',
          headline: 'account review rejected',
          runbookSection: 'account-restricted-or-banned',
        };
      }
      if (change.aspect === 'alert' && change.severity === 'CRITICAL' && change.value !== 'NONE') {
        return {
          severity: 'critical',
          headline: `account alert ${change.event}`,
          runbookSection: 'account-alert',
        };
      }
      return undefined;
    }
  }
}

function templateAlert(aspect: TemplateAspect, change: HealthChange): HealthAlert | undefined {
  if (aspect === 'status') {
    const severity = TEMPLATE_STATUS_ALERTS[change.event];
    return severity === undefined
      ? undefined
      : {
          severity,
          headline: `template ${change.event.toLowerCase()}`,
          runbookSection: 'template-paused-disabled-or-rejected',
        };
  }
  if (aspect === 'quality' && change.event === 'RED') {
    return {
      severity: 'warning',
      headline: `template quality dropped to RED${change.previous === undefined ? '' : ` from ${change.previous}`}`,
      runbookSection: 'template-quality-red',
    };
  }
  return undefined;
}

/** A short human name of a subject: the template's name and language, the number, or the account. */
export function describeSubject(change: HealthChange): string {
  const subject = change.subject;
  switch (subject.kind) {
    case 'template':
      return `template ${subject.templateName ?? subject.templateId}${subject.language === undefined ? '' : ` (${subject.language})`} [id ${subject.templateId}]`;
    case 'phone-number':
      return `phone number ${subject.displayPhoneNumber}`;
    case 'account':
      return `WhatsApp Business Account ${change.wabaId}`;
    case 'flow':
      return `flow ${subject.flowName ?? subject.flowId} [id ${subject.flowId}]`;
  }
}

function templateSubject(
  v: { message_template_id: string; message_template_name?: string; message_template_language?: string },
  category?: string,
): TemplateSubject {
  return {
    kind: 'template',
    templateId: v.message_template_id,
    ...compact({ templateName: v.message_template_name, language: v.message_template_language, category }),
  };
}

function statusDetail(v: z.infer<typeof templateStatusValueSchema>): string | undefined {
  const parts = [
    v.other_info?.title,
    v.other_info?.description,
    v.disable_info?.disable_date === undefined ? undefined : `disabled on ${v.disable_info.disable_date}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(': ');
}

/** Meta sends `NONE` where there is no reason. */
function meaningful(reason: string | undefined): string | undefined {
  return reason === undefined || reason === 'NONE' ? undefined : reason;
}

function occurredAt(field: HealthField, source: HealthChangeSource, unix?: string | number): string {
  if (unix !== undefined) return isoOfUnix(unix);
  if (source.entryTime !== undefined) return isoOfUnix(source.entryTime);
  if (source.publishedAt !== undefined && !Number.isNaN(Date.parse(source.publishedAt))) {
    return new Date(Date.parse(source.publishedAt)).toISOString();
  }
  // Without a time, newest-wins cannot be decided, and a guess could overwrite a newer state.
  throw new HealthDecodeError(`${field} has no time: no entry.time and no envelope message_timestamp`);
}

function isoOfUnix(seconds: string | number): string {
  const date = new Date(Number(seconds) * 1000);
  // entry.time is any JSON number on the wire; one out of the Date range cannot be ordered.
  if (Number.isNaN(date.getTime())) throw new HealthDecodeError(`time ${seconds} is not a Unix time`);
  return date.toISOString();
}

function parse<T>(field: HealthField, schema: z.ZodMiniType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new HealthDecodeError(`${field} value is not as Meta's reference documents it: ${issues}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The value without its undefined members. */
function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
