// zod/mini: this schema ships in the processor bundle, where classic zod adds ~430 KB.
import * as z from 'zod/mini';
import {
  DEFAULT_ACTION_FOR_UNKNOWN_TYPES,
  defaultActions,
  RESPONSE_ACTIONS,
  type ResponseAction,
} from './message-types';

/**
 * The resolved auto-response policy, as the construct hands it to the processor (one JSON
 * environment variable). The construct validates what it writes with this schema and the function
 * validates what it reads with the same one.
 */
export interface AutoResponsePolicy {
  /** Action per message type; types not listed get {@link AutoResponsePolicy.defaultAction}. */
  readonly actions: Readonly<Record<string, ResponseAction>>;
  /** Action for unsupported, unknown and future types. */
  readonly defaultAction: ResponseAction;
  /** The reaction emoji. */
  readonly emoji: string;
  /** Per-type emoji overrides. */
  readonly emojiByType: Readonly<Record<string, string>>;
  /** Show "typing…" with the read receipt. */
  readonly typingIndicator: boolean;
  /** Messages older than this get no response, so a replay after an outage does not spam. */
  readonly maxMessageAgeSeconds: number;
  /**
   * Answer messages in groups, in the group. Off, a group message gets neither receipt nor reaction:
   * a 👍 on every message of a group is not what its members expect.
   * @default false
   */
  readonly groups?: boolean;
}

const action = z.enum(RESPONSE_ACTIONS as [ResponseAction, ...ResponseAction[]]);

/** The one schema of {@link AutoResponsePolicy}. */
export const autoResponsePolicySchema = z.strictObject({
  actions: z.record(z.string(), action),
  defaultAction: action,
  emoji: z.string().check(z.minLength(1)),
  emojiByType: z.record(z.string(), z.string().check(z.minLength(1))),
  typingIndicator: z.boolean(),
  maxMessageAgeSeconds: z.number().check(z.positive()),
  groups: z.optional(z.boolean()),
});

/**
 * The defaults of the auto-response, written once: the construct's `autoResponse` options fall
 * back to them, and {@link DEFAULT_AUTO_RESPONSE_POLICY} is made of them.
 */
export const AUTO_RESPONSE_DEFAULTS = {
  enabled: true,
  reactionEmoji: '👍',
  typingIndicator: false,
  /** The customer-service window: a replay after an outage must not answer older messages. */
  maxMessageAgeHours: 24,
  defaultAction: DEFAULT_ACTION_FOR_UNKNOWN_TYPES,
  groups: false,
} as const;

/**
 * The policy with every default: a read receipt and a reaction for what customers write or send,
 * nothing for reactions and system messages, a read receipt for everything else (unsupported,
 * unknown and future types), and nothing once the 24-hour window has passed.
 */
export const DEFAULT_AUTO_RESPONSE_POLICY: AutoResponsePolicy = {
  actions: defaultActions(),
  defaultAction: AUTO_RESPONSE_DEFAULTS.defaultAction,
  emoji: AUTO_RESPONSE_DEFAULTS.reactionEmoji,
  emojiByType: {},
  typingIndicator: AUTO_RESPONSE_DEFAULTS.typingIndicator,
  maxMessageAgeSeconds: AUTO_RESPONSE_DEFAULTS.maxMessageAgeHours * 3600,
};
