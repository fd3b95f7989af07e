import fc from 'fast-check';
import { parseJsonObject } from '../../../lambda/domain/json';

describe('parseJsonObject: a JSON string read as data when every record can hold it', () => {
  test('an object is read as data', () => {
    expect(parseJsonObject('{"flow_token":"abc","rating":5,"tags":["a",null,true]}')).toEqual({
      flow_token: 'abc',
      rating: 5,
      tags: ['a', null, true],
    });
  });

  test.each([
    ['not JSON', '{"flow_token":'],
    ['an array', '[1,2]'],
    ['a string', '"abc"'],
    ['null', 'null'],
    ['a whole number JSON.parse has rounded', '{"id":9007199254740993}'],
    ['a number DynamoDB cannot store', '{"big":1e200}'],
    ['a number too small for DynamoDB', '{"tiny":1e-200}'],
    ['nesting deeper than a record holds', `${'{"a":'.repeat(20)}1${'}'.repeat(20)}`],
  ])('%s stays a string (undefined here)', (_what, text) => {
    expect(parseJsonObject(text)).toBeUndefined();
  });

  test('what it reads says the same as the string, read again through JSON', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJsonObject(text);
        if (parsed !== undefined) expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
  });

  test('-0 is read as 0, which is what JSON and DynamoDB keep', () => {
    expect(Object.is(parseJsonObject('{"n":-0}')?.n, 0)).toBe(true);
  });
});
