import fc from 'fast-check';
import { MEDIA_KEY_PREFIX, mediaKeyPrefix } from '../../contracts';

const number = fc.oneof(fc.stringMatching(/^[0-9]{10,17}$/), fc.string({ maxLength: 80 }));
const wamid = fc.oneof(
  fc.string({ minLength: 1, maxLength: 200 }),
  fc.base64String().map((b) => `wamid.${b}`),
);
const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });

/** S3's safe characters for key names, per its object key naming guidelines. */
const SAFE_KEY = /^[A-Za-z0-9!_.*'()/-]+$/;

describe('mediaKeyPrefix', () => {
  test('is a valid S3 key prefix with room for the media id and extension, for any number, time and wamid', () => {
    fc.assert(
      fc.property(number, date, wamid, (n, at, w) => {
        const prefix = mediaKeyPrefix(n, at, w);
        expect(prefix).toMatch(SAFE_KEY);
        expect(prefix.startsWith(MEDIA_KEY_PREFIX)).toBe(true);
        expect(prefix.endsWith('/')).toBe(true);
        expect(Buffer.byteLength(prefix) + 100 + 10).toBeLessThanOrEqual(1024);
      }),
    );
  });

  test('never gives two different messages the same prefix', () => {
    fc.assert(
      fc.property(number, wamid, number, wamid, date, (n1, w1, n2, w2, at) => {
        fc.pre(n1 !== n2 || w1 !== w2);
        expect(mediaKeyPrefix(n1, at, w1)).not.toBe(mediaKeyPrefix(n2, at, w2));
      }),
    );
  });

  test('holds no part of the wamid, and partitions by number and UTC day', () => {
    const wamid = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRCRDcwNzgzMTRGNjAwRjg1NQA=';
    const prefix = mediaKeyPrefix('574086085794038', new Date('2026-12-01T23:30:00Z'), wamid);
    expect(prefix).toMatch(/^media\/574086085794038\/2026\/12\/01\/[0-9a-f]{32}\/$/);
    expect(prefix).not.toContain('HBgL');
  });
});
