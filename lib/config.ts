import { z } from 'zod';
import {
  type AutoResponsePolicy,
  DEFAULT_ACTION_FOR_UNKNOWN_TYPES,
  KNOWN_MESSAGE_TYPES,
  type KnownMessageType,
  RESPONSE_ACTIONS,
  type ResponseAction,
} from '../contracts';
import { type AlarmThresholds, DEFAULT_ALARM_THRESHOLDS } from './constructs/pipeline-monitoring';
import { parseWabaReference } from './constructs/waba-links';
import { type AutoResponseOptions, autoResponsePolicyOf } from './whatsapp-pipeline';

export type { AlarmThresholds };

/** The cdk.json context key that holds the pipeline's configuration. */
export const CONFIG_CONTEXT_KEY = 'whatsappPipeline';

/** Retention periods that CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What happens to stateful resources (table, keys, queues) when the stack is deleted. */
export type RemovalPolicyName = 'retain' | 'destroy';

/** How the pipeline answers inbound messages. */
export interface AutoResponseConfig {
  /**
   * Send read receipts and reactions at all. Off, the function only records and gets no send permission.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Show "typing…" to the customer with the read receipt.
   * @default false
   */
  readonly typingIndicator: boolean;
  /**
   * Messages older than this many hours get no auto-response (a replay after an outage must not spam).
   * @default 24 - the customer-service window
   */
  readonly maxMessageAgeHours: number;
  /**
   * Action per message type, merged over the defaults: receipt and reaction for what customers
   * write or send, none for reactions and system messages.
   * @default - see MESSAGE_TYPES in contracts/message-types.ts
   */
  readonly actions: Readonly<Partial<Record<KnownMessageType, ResponseAction>>>;
  /**
   * Action for types without an entry in `actions` (unsupported, unknown and future types).
   * @default 'receipt'
   */
  readonly defaultAction: ResponseAction;
  /**
   * Reaction emoji per message type, overriding `reactionEmoji`.
   * @default {}
   */
  readonly emojiByType: Readonly<Partial<Record<KnownMessageType, string>>>;
}

/** The pipeline's whole configuration, validated and with every default applied. */
export interface PipelineConfig {
  /**
   * Meta Graph API version sent with every `SendWhatsAppMessage` call.
   * @default 'v24.0'
   */
  readonly metaApiVersion: string;
  /**
   * AWS phone-number ids (`phone-number-id-<id>`) this stack answers for. They scope the
   * `SendWhatsAppMessage` permission to those numbers' ARNs.
   * @default - none: the function may send from every phone number of the account (a synth warning says so)
   */
  readonly phoneNumberIds: readonly string[];
  /**
   * Emoji the pipeline reacts with.
   * @default '👍'
   */
  readonly reactionEmoji: string;
  /**
   * Address subscribed to the alerts topic.
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /**
   * Days a conversation record is kept after its last write (DynamoDB TTL).
   * @default 365
   */
  readonly dataRetentionDays: number;
  /**
   * Days Lambda logs are kept.
   * @default 30
   */
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /**
   * Fate of stateful resources on stack deletion. `retain` also turns on deletion protection.
   * @default 'retain'
   */
  readonly removalPolicy: RemovalPolicyName;
  /** Read receipts and reactions. */
  readonly autoResponse: AutoResponseConfig;
  /** When alarms fire. */
  readonly alarmThresholds: AlarmThresholds;
  /**
   * X-Ray active tracing of every function ($5 per million traces after the free tier).
   * @default false
   */
  readonly tracing: boolean;
  /**
   * Minutes of a failure-digest window: at most one alert per business number and error code each.
   * @default 15
   */
  readonly alertDigestMinutes: number;
  /**
   * WhatsApp Business Accounts (`waba-<id>` or their ARNs) whose event destination the stack sets
   * to the inbound topic on deploy, and restores on destroy.
   * @default [] - link each WABA in the End User Messaging Social console instead
   */
  readonly linkedWabas: readonly string[];
}

/** Defaults applied to every key the context leaves out. */
export const DEFAULT_CONFIG: PipelineConfig = {
  metaApiVersion: 'v24.0',
  phoneNumberIds: [],
  reactionEmoji: '👍',
  dataRetentionDays: 365,
  logRetentionDays: 30,
  removalPolicy: 'retain',
  autoResponse: {
    enabled: true,
    typingIndicator: false,
    maxMessageAgeHours: 24,
    actions: {},
    defaultAction: DEFAULT_ACTION_FOR_UNKNOWN_TYPES,
    emojiByType: {},
  },
  alarmThresholds: DEFAULT_ALARM_THRESHOLDS,
  tracing: false,
  alertDigestMinutes: 15,
  linkedWabas: [],
};

// The `v` flag is built at run time: TypeScript rejects it in literals below an ES2024 target.
const SINGLE_EMOJI = /^\p{RGI_Emoji}$/v;

const emoji = z.string().regex(SINGLE_EMOJI, 'expected exactly one emoji such as "👍"');
// Keys are the registry's types: a typo ("txt") must fail synth, not silently configure nothing.
const messageType = z.enum(
  KNOWN_MESSAGE_TYPES as [KnownMessageType, ...KnownMessageType[]],
  `expected a message type the pipeline knows: ${KNOWN_MESSAGE_TYPES.join(', ')}`,
);
const responseAction = z.enum(
  RESPONSE_ACTIONS as [ResponseAction, ...ResponseAction[]],
  'expected "receipt-and-reaction", "receipt" or "none"',
);

const positiveCount = z
  .number('expected a whole number of at least 1')
  .int('expected a whole number of at least 1')
  .min(1, 'expected a whole number of at least 1');

const schema = z.strictObject({
  metaApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'expected a Meta Graph API version such as "v24.0"')
    .default(DEFAULT_CONFIG.metaApiVersion),
  phoneNumberIds: z
    .array(
      z
        .string()
        .regex(
          /^phone-number-id-[0-9a-zA-Z]+$/,
          'expected an AWS phone-number id such as "phone-number-id-0123456789abcdef0123456789abcdef"',
        ),
    )
    .refine((ids) => new Set(ids).size === ids.length, 'expected each phone-number id once')
    .default([...DEFAULT_CONFIG.phoneNumberIds]),
  reactionEmoji: emoji.default(DEFAULT_CONFIG.reactionEmoji),
  alarmEmail: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an e-mail address such as "ops@example.com"')
    .optional(),
  dataRetentionDays: z
    .number('expected a whole number of days from 1 to 3650')
    .int('expected a whole number of days from 1 to 3650')
    .min(1, 'expected a whole number of days from 1 to 3650')
    .max(3650, 'expected a whole number of days from 1 to 3650')
    .default(DEFAULT_CONFIG.dataRetentionDays),
  logRetentionDays: z
    .union(
      LOG_RETENTION_DAYS.map((days) => z.literal(days)),
      `expected one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    )
    .default(DEFAULT_CONFIG.logRetentionDays),
  removalPolicy: z
    .enum(['retain', 'destroy'], 'expected "retain" or "destroy"')
    .default(DEFAULT_CONFIG.removalPolicy),
  autoResponse: z
    .strictObject({
      enabled: z.boolean('expected true or false').default(DEFAULT_CONFIG.autoResponse.enabled),
      typingIndicator: z
        .boolean('expected true or false')
        .default(DEFAULT_CONFIG.autoResponse.typingIndicator),
      maxMessageAgeHours: z
        .number('expected a number of hours from 1 to 720')
        .min(1, 'expected a number of hours from 1 to 720')
        .max(720, 'expected a number of hours from 1 to 720')
        .default(DEFAULT_CONFIG.autoResponse.maxMessageAgeHours),
      actions: z.partialRecord(messageType, responseAction).default({}),
      defaultAction: responseAction.default(DEFAULT_CONFIG.autoResponse.defaultAction),
      emojiByType: z.partialRecord(messageType, emoji).default({}),
    })
    .default({ ...DEFAULT_CONFIG.autoResponse }),
  alarmThresholds: z
    .strictObject({
      failedMessagesPer5Minutes: positiveCount.default(
        DEFAULT_CONFIG.alarmThresholds.failedMessagesPer5Minutes,
      ),
      deadLetterMaxAgeHours: z
        .number('expected a number of hours from 1 to 336 (the queues keep 14 days)')
        .min(1, 'expected a number of hours from 1 to 336 (the queues keep 14 days)')
        .max(336, 'expected a number of hours from 1 to 336 (the queues keep 14 days)')
        .default(DEFAULT_CONFIG.alarmThresholds.deadLetterMaxAgeHours),
      whatsAppMessageFeesPerHour: positiveCount.default(
        DEFAULT_CONFIG.alarmThresholds.whatsAppMessageFeesPerHour,
      ),
      metaTemplateMessageFeesPerHour: positiveCount.default(
        DEFAULT_CONFIG.alarmThresholds.metaTemplateMessageFeesPerHour,
      ),
    })
    .default({ ...DEFAULT_CONFIG.alarmThresholds }),
  tracing: z.boolean('expected true or false').default(DEFAULT_CONFIG.tracing),
  alertDigestMinutes: z
    .number('expected a whole number of minutes from 1 to 1440')
    .int('expected a whole number of minutes from 1 to 1440')
    .min(1, 'expected a whole number of minutes from 1 to 1440')
    .max(1440, 'expected a whole number of minutes from 1 to 1440')
    .default(DEFAULT_CONFIG.alertDigestMinutes),
  linkedWabas: z
    .array(
      z
        .string()
        .refine(
          (entry) => parseWabaReference(entry) !== undefined,
          'expected a WABA id such as "waba-0123456789abcdef0123456789abcdef" or its ARN',
        ),
    )
    .superRefine((entries, ctx) => {
      // A bare id and the ARN of the same WABA are the same WABA.
      const first = new Map<string, string>();
      for (const entry of entries) {
        const id = parseWabaReference(entry)?.id;
        if (id === undefined) continue;
        const earlier = first.get(id);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `expected each WABA once, but "${earlier}" and "${entry}" are both ${id}`,
          });
        }
        first.set(id, entry);
      }
    })
    .default([]),
});

/** Thrown when the configuration is invalid; its message lists every problem and how to fix it. */
export class ConfigValidationError extends Error {
  public override readonly name = 'ConfigValidationError';
}

/**
 * Validates the raw `whatsappPipeline` context value and applies defaults.
 *
 * @param raw - the context value as read from cdk.json or `-c`; `undefined` means all defaults
 * @throws ConfigValidationError naming every invalid key, the value received and the accepted values
 */
export function parsePipelineConfig(raw: unknown): PipelineConfig {
  const result = schema.safeParse(raw ?? {});
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: accepted keys are ${Object.keys(schema.shape).join(', ')}`;
    }
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(the whole value)';
    return `"${path}" is ${describe(valueAt(raw, issue.path))}: ${issue.message}`;
  });
  throw new ConfigValidationError(
    `Invalid configuration in cdk.json context "${CONFIG_CONTEXT_KEY}":\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') {
      return undefined;
    }
    node = Reflect.get(node, key);
  }
  return node;
}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** The construct's auto-response options a configuration stands for (the emoji is a top-level key). */
export function autoResponseOptionsOf(config: PipelineConfig): AutoResponseOptions {
  return { ...config.autoResponse, reactionEmoji: config.reactionEmoji };
}

/** The auto-response policy a configuration gives the processor, with the registry's defaults merged in. */
export function autoResponsePolicyOfConfig(config: PipelineConfig): AutoResponsePolicy {
  return autoResponsePolicyOf(autoResponseOptionsOf(config));
}
