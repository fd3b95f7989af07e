import { z } from 'zod';
import {
  type AutoResponsePolicy,
  isSilentType,
  KNOWN_MESSAGE_TYPES,
  type KnownMessageType,
  type RateCard,
  RESPONSE_ACTIONS,
  type ResponseAction,
  rateCardProblems,
} from '../contracts';
import type { AlarmThresholds } from './constructs/pipeline-monitoring';
import { parseWabaReference } from './constructs/waba-links';
import {
  type AutoResponseOptions,
  autoResponsePolicyOf,
  PROP_RULES,
  type PropRule,
} from './whatsapp-pipeline';

export type { AlarmThresholds };

/** The cdk.json context key that holds the pipeline's configuration. */
export const CONFIG_CONTEXT_KEY = 'whatsappPipeline';

/** Retention periods that CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What happens to stateful resources (table, keys, queues) when the stack is deleted. */
export type RemovalPolicyName = 'retain' | 'destroy';

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

/** A number checked by one of the construct's rules, with its words. */
function ruled(rule: PropRule<number>) {
  return z.number(`expected ${rule.expected}`).refine(rule.test, `expected ${rule.expected}`);
}

/**
 * What a deployer may set. Nothing here has a default: a key left out is left out of the
 * construct's props, so the construct's defaults (WHATSAPP_PIPELINE_DEFAULTS) are the only ones.
 */
const schema = z
  .strictObject({
    metaApiVersion: z.string().regex(/^v\d+\.\d+$/, 'expected a Meta Graph API version such as "v24.0"'),
    phoneNumberIds: z
      .array(
        z.string().refine(PROP_RULES.phoneNumberId.test, `expected ${PROP_RULES.phoneNumberId.expected}`),
      )
      .refine((ids) => new Set(ids).size === ids.length, 'expected each phone-number id once'),
    reactionEmoji: emoji,
    alarmEmail: z
      .string()
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an e-mail address such as "ops@example.com"')
      .optional(),
    dataRetentionDays: ruled(PROP_RULES.dataRetentionDays),
    processorMaxConcurrency: ruled(PROP_RULES.processorMaxConcurrency),
    humanTakeoverMinutes: ruled(PROP_RULES.humanTakeoverMinutes),
    stallMinutes: ruled(PROP_RULES.stallMinutes),
    // One schema of the cards, the contracts' (the digest reads them with it): its problems, with paths.
    rateCards: z.custom<readonly RateCard[]>().superRefine((cards, ctx) => {
      for (const problem of rateCardProblems(cards)) {
        ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
      }
    }),
    logRetentionDays: z.union(
      LOG_RETENTION_DAYS.map((days) => z.literal(days)),
      `expected one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    ),
    removalPolicy: z.enum(['retain', 'destroy'], 'expected "retain" or "destroy"'),
    autoResponse: z
      .strictObject({
        enabled: z.boolean('expected true or false'),
        typingIndicator: z.boolean('expected true or false'),
        groups: z.boolean('expected true or false'),
        maxMessageAgeHours: z
          .number('expected a number of hours from 1 to 720')
          .min(1, 'expected a number of hours from 1 to 720')
          .max(720, 'expected a number of hours from 1 to 720'),
        actions: z
          .partialRecord(messageType, responseAction)
          .refine(
            (actions) => !Object.keys(actions).some(isSilentType),
            `expected no action for ${KNOWN_MESSAGE_TYPES.filter(isSilentType).join(' or ')}: they are never answered`,
          ),
        defaultAction: responseAction,
        emojiByType: z.partialRecord(messageType, emoji),
      })
      .partial(),
    alarmThresholds: z
      .strictObject({
        failedMessagesPer5Minutes: positiveCount,
        deadLetterMaxAgeHours: z
          .number('expected a number of hours from 1 to 336 (the queues keep 14 days)')
          .min(1, 'expected a number of hours from 1 to 336 (the queues keep 14 days)')
          .max(336, 'expected a number of hours from 1 to 336 (the queues keep 14 days)'),
        whatsAppMessageFeesPerHour: positiveCount,
        metaTemplateMessageFeesPerHour: positiveCount,
      })
      .partial(),
    tracing: z.boolean('expected true or false'),
    /** The conversation event bus and its publisher. */
    events: z.boolean('expected true or false'),
    /** The media archive (it needs the event bus). */
    mediaArchive: z.strictObject({ enabled: z.boolean('expected true or false') }).partial(),
    alertDigestMinutes: ruled(PROP_RULES.alertDigestMinutes),
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
      }),
  })
  .partial();

/** Every key a configuration may set, in the order the error for an unknown key lists them. */
export const CONFIG_KEYS: readonly (keyof PipelineConfig)[] = Object.keys(schema.shape).filter(
  (key): key is keyof PipelineConfig => key in schema.shape,
);

/** Thrown when the configuration is invalid; its message lists every problem and how to fix it. */
export class ConfigValidationError extends Error {
  public override readonly name = 'ConfigValidationError';
}

/** The pipeline's configuration as a deployer set it: every key optional, validated. */
export type PipelineConfig = z.infer<typeof schema>;

/**
 * Validates the raw `whatsappPipeline` context value. Defaults are not applied here: they are the
 * construct's.
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
