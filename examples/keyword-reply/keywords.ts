/**
 * The example's one decision, kept pure: which configured reply, if any, a customer's text asks for.
 */

/** Keywords and their replies, as configured. */
export type KeywordReplies = Readonly<Record<string, string>>;

/** A text as compared with keywords: trimmed, in lower case, without closing punctuation. */
export function normalized(text: string): string {
  return text
    .trim()
    .toLocaleLowerCase('en')
    .replace(/[\s.!?¡¿,;:]+$/u, '');
}

/**
 * The reply for a text that is exactly one of the keywords (ignoring case, surrounding spaces and
 * closing punctuation: "Hours?" matches `hours`), or undefined.
 */
export function replyFor(text: string, keywords: KeywordReplies): string | undefined {
  const wanted = normalized(text);
  for (const [keyword, reply] of Object.entries(keywords)) {
    if (normalized(keyword) === wanted) return reply;
  }
  return undefined;
}
