import { uuidShapedDigest } from '../../../lambda/shared/digest';

describe('uuidShapedDigest', () => {
  test("is the SHA-256's first 128 bits in UUID groups", () => {
    // sha256("a") = ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb
    expect(uuidShapedDigest('a')).toBe('ca978112-ca1b-bdca-fac2-31b39a23dc4d');
  });

  test('is the same for the same text and differs for another', () => {
    expect(uuidShapedDigest('sns-1')).toBe(uuidShapedDigest('sns-1'));
    expect(uuidShapedDigest('sns-1')).not.toBe(uuidShapedDigest('sns-2'));
  });
});
