/**
 * The questions the FAQ hook answers: edit this list in a fork. A question matches when the text
 * contains every word of one of its phrasings, in any order and case.
 */
export const FAQ: readonly { readonly phrasings: readonly string[]; readonly answer: string }[] = [
  {
    phrasings: ['opening hours', 'when open', 'hours'],
    answer: 'We are open Monday to Friday, 9:00 to 17:00.',
  },
  {
    phrasings: ['where order', 'track order', 'order status'],
    answer: 'You can follow your order with the link in your confirmation e-mail.',
  },
  {
    phrasings: ['return', 'refund'],
    answer: 'Returns are free within 30 days: reply "return" with your order number and we will start one.',
  },
];

/** The words of a text, lower case, without punctuation. */
function wordsOf(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w !== ''),
  );
}

/** The answer to the first question `text` asks, if it asks one of {@link FAQ}. */
export function answerFor(text: string, faq: typeof FAQ = FAQ): string | undefined {
  const words = wordsOf(text);
  return faq.find((entry) =>
    entry.phrasings.some((phrasing) => [...wordsOf(phrasing)].every((word) => words.has(word))),
  )?.answer;
}
