import { exampleMessageHooks } from '../../examples';
import { answerFor, FAQ } from '../../examples/faq-hook/answers';
import { FAQ_HOOK_ENTRY, faqHookEnabled } from '../../examples/faq-hook/config';

describe('the FAQ hook example', () => {
  test('answers a question asked in other words, case and punctuation', () => {
    expect(answerFor('Hi! What are your OPENING hours, please?')).toBe(FAQ[0]?.answer);
    expect(answerFor('I want a refund')).toBe(FAQ[2]?.answer);
  });

  test('a phrasing matches only with all its words', () => {
    expect(answerFor('where is the shop')).toBeUndefined();
    expect(answerFor('where is my order')).toBe(FAQ[1]?.answer);
  });

  test('is off by default and on with -c faqHook.enabled=true or cdk.json', () => {
    expect(faqHookEnabled({})).toBe(false);
    expect(faqHookEnabled({ 'faqHook.enabled': 'true' })).toBe(true);
    expect(faqHookEnabled({ faqHook: { enabled: true } })).toBe(true);
    expect(faqHookEnabled({ faqHook: { enabled: 'false' } })).toBe(false);
  });

  test('the app registers it as a message hook only when it is on', () => {
    expect(exampleMessageHooks({})).toEqual([]);
    expect(exampleMessageHooks({ 'faqHook.enabled': 'true' })).toEqual([FAQ_HOOK_ENTRY]);
  });
});
