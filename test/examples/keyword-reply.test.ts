import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeywordReplyConfigError } from '../../examples';
import { keywordReplyConfigOf } from '../../examples/keyword-reply/config';
import { normalized, replyFor } from '../../examples/keyword-reply/keywords';

const KEYWORDS = { hours: 'We are open 9 to 5', 'Talk to a human': 'Someone will answer soon' };

describe('replyFor', () => {
  test.each([
    ['hours', 'We are open 9 to 5'],
    ['  HOURS?  ', 'We are open 9 to 5'],
    ['Hours!!', 'We are open 9 to 5'],
    ['talk to a human.', 'Someone will answer soon'],
  ])('"%s" asks for "%s"', (text, reply) => {
    expect(replyFor(text, KEYWORDS)).toBe(reply);
  });

  test.each(['what are your hours', 'hour', 'hours please', ''])('"%s" is not a keyword', (text) => {
    expect(replyFor(text, KEYWORDS)).toBeUndefined();
  });

  test('normalizes case, surrounding spaces and closing punctuation only', () => {
    expect(normalized(' ¿Horario? ')).toBe('¿horario');
  });
});

describe('keywordReplyConfigOf', () => {
  test('is off without configuration, and off when disabled', () => {
    expect(keywordReplyConfigOf({})).toBeUndefined();
    expect(keywordReplyConfigOf({ keywordReply: { enabled: false, keywords: KEYWORDS } })).toBeUndefined();
  });

  test('is on with -c keywordReply.enabled=true, as the CLI passes it (a string)', () => {
    expect(
      keywordReplyConfigOf({ keywordReply: { keywords: KEYWORDS }, 'keywordReply.enabled': 'true' }),
    ).toEqual({ enabled: true, keywords: KEYWORDS });
  });

  test('reads a JSON string, as -c keywordReply=… passes it', () => {
    expect(
      keywordReplyConfigOf({ keywordReply: JSON.stringify({ enabled: true, keywords: KEYWORDS }) }),
    ).toEqual({
      enabled: true,
      keywords: KEYWORDS,
    });
  });

  test('refuses to be on with no keyword, saying what to add', () => {
    expect(() => keywordReplyConfigOf({ keywordReply: { enabled: true } })).toThrow(
      /has no keywords: add "keywords"/,
    );
  });

  test('refuses an empty reply, naming the keyword', () => {
    expect(() => keywordReplyConfigOf({ keywordReply: { enabled: true, keywords: { hours: '' } } })).toThrow(
      KeywordReplyConfigError,
    );
    expect(() => keywordReplyConfigOf({ keywordReply: { enabled: true, keywords: { hours: '' } } })).toThrow(
      /keywords\.hours/,
    );
  });

  test('refuses JSON that is not', () => {
    expect(() => keywordReplyConfigOf({ keywordReply: '{enabled' })).toThrow(/is not JSON/);
  });
});

test('the example reaches AWS only through the SDK configuration: no endpoint in its code', () => {
  const dir = join(__dirname, '..', '..', 'examples', 'keyword-reply');
  const code = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  expect(code).toContain('new DynamoDBClient({})');
  expect(code).not.toMatch(/https?:\/\/|endpoint:/);
});
