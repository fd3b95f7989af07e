/** The account-health items: templates, numbers, accounts, marketing preferences and health alerts. */
import * as z from 'zod/mini';
import {
  type AccountAspect,
  ENTITY,
  type FlowAspect,
  HEALTH_ASPECTS,
  type HealthAspect,
  type PhoneNumberAspect,
  type TemplateAspect,
} from '../../../contracts';
import { compact, count, optionalText, text } from './common';

/** The state one aspect of a template, number or account was left in by its newest change. */
export interface HealthAspectState {
  /** Meta's word for what happened, verbatim (`PAUSED`, `RED`, `DOWNGRADE`, …). */
  readonly event: string;
  /** Meta's time of the change (ISO): a change older than this one never replaces it. */
  readonly at: string;
  /** The webhook field it came in. */
  readonly field: string;
  readonly previous?: string;
  readonly value?: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly severity?: string;
  readonly restrictions?: readonly { readonly type?: string; readonly expiration?: string }[];
}

/** One change of a subject's history, newest-wins or not. */
export interface HealthHistoryEntry extends HealthAspectState {
  readonly aspect: HealthAspect;
  readonly snsMessageId: string;
  readonly recordedAt: string;
}

/** What every template, number and account health record has. */
export interface SubjectHealthCommon<A extends HealthAspect> {
  readonly wabaId: string;
  /** The newest state of each aspect seen so far. */
  readonly current: { readonly [K in A]?: HealthAspectState };
  /** Every change recorded, oldest first. */
  readonly history: readonly HealthHistoryEntry[];
  readonly updatedAt: string;
}

/** A template's health: status, quality and category. No TTL: it holds no personal data. */
export interface TemplateHealthItem extends SubjectHealthCommon<TemplateAspect> {
  readonly entity: typeof ENTITY.templateHealth;
  readonly templateId: string;
  readonly templateName?: string;
  readonly language?: string;
}

/** A business phone number's health: its quality flag and messaging limit, and its display name. */
export interface PhoneNumberHealthItem extends SubjectHealthCommon<PhoneNumberAspect> {
  readonly entity: typeof ENTITY.phoneNumberHealth;
  readonly displayPhoneNumber: string;
}

/** A WABA's health: status (restrictions, bans, violations), review, capabilities, alerts. */
export interface AccountHealthItem extends SubjectHealthCommon<AccountAspect> {
  readonly entity: typeof ENTITY.accountHealth;
}

/** A Flow's health: its status and its endpoint's alerts. No TTL: it holds no personal data. */
export interface FlowHealthItem extends SubjectHealthCommon<FlowAspect> {
  readonly entity: typeof ENTITY.flowHealth;
  readonly flowId: string;
  readonly flowName?: string;
}

/** One recorded preference change of a customer. */
export interface PreferenceHistoryEntry {
  readonly preference: string;
  readonly at: string;
  readonly snsMessageId: string;
  readonly recordedAt: string;
}

/** A customer's preference of one category of messages on one business number. */
export interface MarketingPreferenceItem {
  readonly entity: typeof ENTITY.marketingPreference;
  readonly conversationKey: string;
  readonly businessPhoneNumberId: string;
  readonly wabaId: string;
  readonly category: string;
  readonly customerKey: string;
  readonly customerPhone?: string;
  readonly customerUserId?: string;
  /** `stop` or `resume` (or a value Meta added later), as of `preferenceAt`. */
  readonly preference: string;
  readonly preferenceAt: string;
  readonly detail?: string;
  readonly history: readonly PreferenceHistoryEntry[];
  readonly expiresAt: number;
}

/** A health change that needs a human, waiting for the digest of its window. */
export interface HealthAlertItem {
  readonly entity: typeof ENTITY.healthAlert;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly wabaId: string;
  /** The sort key of the subject's health record (`TEMPLATE#<id>`, `NUMBER#<n>`, `ACCOUNT`). */
  readonly subjectKey: string;
  /** A human name of the subject: the template's name and language, the number, the account. */
  readonly subject: string;
  readonly aspect: HealthAspect;
  readonly event: string;
  readonly severity: 'critical' | 'warning';
  readonly headline: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly runbookSection: string;
  /** Meta's time of the newest change of this subject and aspect in the window. */
  readonly at: string;
  /** Changes of this subject and aspect recorded in the window. */
  readonly count: number;
  readonly notifiedCount?: number;
  readonly expiresAt: number;
}

/** The health record kinds of a subject. */
export type SubjectHealthItem =
  | TemplateHealthItem
  | PhoneNumberHealthItem
  | AccountHealthItem
  | FlowHealthItem;

/** The idempotency key of one change of a subject's health: a redelivery has the same one. */
export function healthHistoryKeyOf(aspect: string, event: string, at: string): string {
  return `${aspect}#${event}#${at}`;
}

/** The idempotency key of one preference change. */
export function preferenceHistoryKeyOf(preference: string, at: string): string {
  return `${preference}#${at}`;
}

export const aspectStateSchema = z.object({
  event: text,
  at: text,
  field: text,
  previous: optionalText,
  value: optionalText,
  reason: optionalText,
  detail: optionalText,
  severity: optionalText,
  restrictions: z.optional(z.array(z.object({ type: optionalText, expiration: optionalText }))),
});
export const healthAspect = z.enum([
  ...new Set<HealthAspect>([
    ...HEALTH_ASPECTS.template,
    ...HEALTH_ASPECTS['phone-number'],
    ...HEALTH_ASPECTS.account,
    ...HEALTH_ASPECTS.flow,
  ]),
]);
export const healthHistorySchema = z.extend(aspectStateSchema, {
  aspect: healthAspect,
  snsMessageId: text,
  recordedAt: text,
});
export const subjectCommon = {
  wabaId: text,
  history: z.optional(z.array(healthHistorySchema)),
  updatedAt: text,
};

/** The top-level aspect attributes as `current`, and the history oldest first. */
export function currentAndHistory<A extends HealthAspect>(
  aspects: readonly A[],
  stored: { readonly history?: readonly HealthHistoryEntry[] } & { readonly [K in A]?: HealthAspectState },
): { current: { [K in A]?: HealthAspectState }; history: HealthHistoryEntry[] } {
  const current: { [K in A]?: HealthAspectState } = {};
  for (const aspect of aspects) {
    const state = stored[aspect];
    if (state !== undefined) current[aspect] = state;
  }
  return {
    current,
    history: [...(stored.history ?? [])].sort(
      (a, b) => a.at.localeCompare(b.at) || a.aspect.localeCompare(b.aspect),
    ),
  };
}

export const aspectFields = <A extends string>(aspects: readonly A[]) =>
  Object.fromEntries(aspects.map((a) => [a, z.optional(aspectStateSchema)])) as {
    [K in A]: z.ZodMiniOptional<typeof aspectStateSchema>;
  };

export const templateHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.templateHealth),
    templateId: text,
    templateName: optionalText,
    language: optionalText,
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS.template),
  }),
  z.transform((t): TemplateHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS.template, t);
    return {
      entity: t.entity,
      wabaId: t.wabaId,
      templateId: t.templateId,
      ...compact({ templateName: t.templateName, language: t.language }),
      current,
      history,
      updatedAt: t.updatedAt,
    };
  }),
);

export const phoneNumberHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.phoneNumberHealth),
    displayPhoneNumber: text,
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS['phone-number']),
  }),
  z.transform((n): PhoneNumberHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS['phone-number'], n);
    return {
      entity: n.entity,
      wabaId: n.wabaId,
      displayPhoneNumber: n.displayPhoneNumber,
      current,
      history,
      updatedAt: n.updatedAt,
    };
  }),
);

export const accountHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.accountHealth),
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS.account),
  }),
  z.transform((a): AccountHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS.account, a);
    return { entity: a.entity, wabaId: a.wabaId, current, history, updatedAt: a.updatedAt };
  }),
);

export const flowHealthSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.flowHealth),
    flowId: text,
    flowName: optionalText,
    ...subjectCommon,
    ...aspectFields(HEALTH_ASPECTS.flow),
  }),
  z.transform((f): FlowHealthItem => {
    const { current, history } = currentAndHistory(HEALTH_ASPECTS.flow, f);
    return {
      entity: f.entity,
      wabaId: f.wabaId,
      flowId: f.flowId,
      ...compact({ flowName: f.flowName }),
      current,
      history,
      updatedAt: f.updatedAt,
    };
  }),
);

export const marketingPreferenceSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.marketingPreference),
    conversationKey: text,
    businessPhoneNumberId: text,
    wabaId: text,
    category: text,
    customerKey: text,
    customerPhone: optionalText,
    customerUserId: optionalText,
    preference: text,
    preferenceAt: text,
    detail: optionalText,
    history: z.optional(
      z.array(z.object({ preference: text, at: text, snsMessageId: text, recordedAt: text })),
    ),
    expiresAt: count,
  }),
  z.transform(
    ({ history, ...p }): MarketingPreferenceItem => ({
      ...p,
      history: [...(history ?? [])].sort(
        (a, b) => a.at.localeCompare(b.at) || a.preference.localeCompare(b.preference),
      ),
    }),
  ),
);

export const healthAlertSchema = z.object({
  entity: z.literal(ENTITY.healthAlert),
  windowStart: text,
  windowEnd: text,
  wabaId: text,
  subjectKey: text,
  subject: text,
  aspect: healthAspect,
  event: text,
  severity: z.enum(['critical', 'warning']),
  headline: text,
  reason: optionalText,
  detail: optionalText,
  runbookSection: text,
  at: text,
  count,
  notifiedCount: z.optional(count),
  expiresAt: count,
});
