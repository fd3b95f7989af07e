import * as z from 'zod';

/** The context key of the example: `-c keywordReply='{"enabled":true,"keywords":{"hours":"…"}}'`. */
export const KEYWORD_REPLY_CONTEXT_KEY = 'keywordReply';

/** The example's configuration. */
export interface KeywordReplyConfig {
  readonly enabled: boolean;
  /** Keyword → reply text. */
  readonly keywords: Readonly<Record<string, string>>;
}

/** The example's configuration does not make sense; the message says what to change. */
export class KeywordReplyConfigError extends Error {
  public override readonly name = 'KeywordReplyConfigError';
}

const schema = z.object({
  enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  keywords: z
    .record(z.string().trim().min(1, 'a keyword may not be empty'), z.string().min(1).max(4096))
    .default({}),
});

/**
 * Reads the example's configuration from the app context: an object (cdk.json) or a JSON string
 * (`-c`), with `keywordReply.enabled=true` also accepted on its own, as the CDK CLI passes strings.
 *
 * @returns the configuration when the example is enabled, otherwise undefined
 * @throws KeywordReplyConfigError
 */
export function keywordReplyConfigOf(
  context: Readonly<Record<string, unknown>>,
): KeywordReplyConfig | undefined {
  let value = context[KEYWORD_REPLY_CONTEXT_KEY];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new KeywordReplyConfigError(`${KEYWORD_REPLY_CONTEXT_KEY} is not JSON`, { cause: error });
    }
  }
  const enabledFlag = context[`${KEYWORD_REPLY_CONTEXT_KEY}.enabled`];
  const merged = {
    ...(typeof value === 'object' && value !== null ? value : {}),
    ...(enabledFlag === undefined ? {} : { enabled: enabledFlag }),
  };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new KeywordReplyConfigError(`Invalid ${KEYWORD_REPLY_CONTEXT_KEY}: ${problems}`);
  }
  if (!parsed.data.enabled) return undefined;
  if (Object.keys(parsed.data.keywords).length === 0) {
    throw new KeywordReplyConfigError(
      `${KEYWORD_REPLY_CONTEXT_KEY} is enabled but has no keywords: add "keywords": {"hours": "We are open 9 to 5"}`,
    );
  }
  return parsed.data;
}
