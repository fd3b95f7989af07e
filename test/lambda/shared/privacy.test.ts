import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { loggableError, memoizedPseudonyms, Pseudonymizer, scrub } from '../../../lambda/shared/privacy';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);

describe('Pseudonymizer', () => {
  test('a pseudonym is its kind prefix and 16 letters from a to p, never a digit', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(new Pseudonymizer(KEY).customer(value)).toMatch(/^c-[a-p]{16}$/);
        expect(new Pseudonymizer(KEY).message(value)).toMatch(/^m-[a-p]{16}$/);
      }),
    );
  });

  test('is stable for one key and differs between keys', () => {
    const a = new Pseudonymizer(KEY);
    expect(a.customer('14255550150')).toBe(new Pseudonymizer(KEY).customer('14255550150'));
    expect(a.customer('14255550150')).not.toBe(new Pseudonymizer(OTHER_KEY).customer('14255550150'));
  });

  test('is not an unkeyed hash of the identifier', () => {
    const pseudonym = new Pseudonymizer(KEY).customer('14255550150').slice(2);
    for (const algorithm of ['sha256', 'sha1', 'md5']) {
      const hex = createHash(algorithm).update('14255550150').digest('hex').slice(0, 16);
      const letters = [...hex].map((d) => String.fromCharCode(97 + Number.parseInt(d, 16))).join('');
      expect(pseudonym).not.toBe(letters);
    }
  });

  test('gives every written form of a phone number the same pseudonym', () => {
    const p = new Pseudonymizer(KEY);
    expect(p.customer('+1 425-555-0150')).toBe(p.customer('14255550150'));
    expect(p.customer('(1) 425 555 0150')).toBe(p.customer('14255550150'));
  });

  test('separates kinds: a message and a customer with the same text differ', () => {
    const p = new Pseudonymizer(KEY);
    expect(p.customer('x').slice(2)).not.toBe(p.message('x').slice(2));
  });

  test('refuses a short key', () => {
    expect(() => new Pseudonymizer('short')).toThrow('at least 32 characters');
  });
});

describe('memoizedPseudonyms', () => {
  test('loads the key once, and again after a failed load', async () => {
    let loads = 0;
    const source = memoizedPseudonyms(async () => {
      loads++;
      if (loads === 1) throw new Error('unavailable');
      return KEY;
    });
    await expect(source()).rejects.toThrow('unavailable');
    await source();
    await source();
    expect(loads).toBe(2);
  });
});

describe('scrub', () => {
  test.each([
    [
      'Recipient phone number 14255550150 not in allowed list',
      'Recipient phone number [number] not in allowed list',
    ],
    ['to +1 (425) 555-0150 failed', 'to +[number] failed'],
    ['message wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz was rejected', 'message wamid.[redacted] was rejected'],
  ])('%s', (text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  test("keeps Meta's six-digit error codes and short numbers", () => {
    expect(scrub('Error 131047: Re-engagement message, 24 hours passed')).toBe(
      'Error 131047: Re-engagement message, 24 hours passed',
    );
  });

  test('leaves no run of 7 or more digits, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.stringMatching(/^\d{1,12}$/), fc.constantFrom(' ', '-', 'a', '.', '(')), {
          maxLength: 20,
        }),
        (parts) => {
          expect(scrub(parts.join(''))).not.toMatch(/\d{7}/);
        },
      ),
    );
  });
});

describe('loggableError', () => {
  test('keeps the name and scrubs the message of an error and its causes', () => {
    const error = new Error('outer 14255550150', { cause: new TypeError('inner wamid.ABCDEF') });
    expect(loggableError(error)).toEqual({
      name: 'Error',
      message: 'outer [number]',
      cause: { name: 'TypeError', message: 'inner wamid.[redacted]' },
    });
  });
});

describe('the recording logger every source test uses', () => {
  test('refuses a line with a wamid or a phone number, so no suite can log one unnoticed', async () => {
    const { RecordingLogger } = await import('../../support/recording-observability');
    const logger = new RecordingLogger();
    expect(() => logger.info('x', { id: 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz' })).toThrow('personal data');
    expect(() => logger.info('x', { to: '14255550150' })).toThrow('personal data');
    expect(() =>
      logger.info('x', { snsMessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', code: '131047' }),
    ).not.toThrow();
  });
});
