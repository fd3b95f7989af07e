import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import * as z from 'zod';
import { type ContentKinds, MESSAGE_CONTENT_KINDS } from '../../contracts';
import { contentEventSchema, messageContentSchema } from '../../events/content-schema';
import { contentItemSchema, storedContentSchema } from '../../lambda/adapters/items/content';
import { contentArbitrary } from '../support/content-arbitraries';

/** As DynamoDB stores it and the SDK reads it back. */
const throughDynamoDb = (value: unknown) =>
  unmarshall(marshall({ value }, { removeUndefinedValues: true })).value;
/** As the bus carries it. */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function jsonSchemaValidator(schema: z.ZodType) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('x-personal-data');
  return ajv.compile(z.toJSONSchema(schema, { target: 'draft-2020-12' }));
}

describe('message content: one definition, every form derived from it', () => {
  test('every kind reads back from the table as it was stored', () => {
    fc.assert(
      fc.property(contentArbitrary(MESSAGE_CONTENT_KINDS), (content) => {
        expect(throughJson(storedContentSchema.parse(throughDynamoDb(content)))).toEqual(
          throughJson(content),
        );
      }),
    );
  });

  test("every kind is a valid event content, and valid against the event's JSON Schema", () => {
    const validate = jsonSchemaValidator(messageContentSchema);
    fc.assert(
      fc.property(contentArbitrary(MESSAGE_CONTENT_KINDS), (content) => {
        expect(messageContentSchema.safeParse(throughJson(content)).success).toBe(true);
        expect(validate(throughJson(content))).toBe(true);
      }),
    );
  });

  test('a field of the wrong type is refused by the codec and by the event schema', () => {
    const bad = { kind: 'location', latitude: 'north', longitude: 1 };
    expect(storedContentSchema.safeParse(bad).success).toBe(false);
    expect(messageContentSchema.safeParse(bad).success).toBe(false);
  });

  describe('a kind added to the table alone', () => {
    // What a fork (or "The WhatsApp of 2026") adds: one entry, nothing else.
    const withPoll = {
      ...MESSAGE_CONTENT_KINDS,
      poll: {
        question: { type: 'string', personal: "The customer's words." },
        choice: { type: 'integer' },
        anonymous: { type: 'boolean', optional: true },
      },
    } as const satisfies ContentKinds;
    const poll = { kind: 'poll', question: 'Which day?', choice: 2 } as const;

    test('is stored and read back by the derived codec', () => {
      expect(contentItemSchema(withPoll).parse(throughDynamoDb(poll))).toEqual(poll);
    });

    test('is published by the derived event schema and validates against its JSON Schema', () => {
      const schema = contentEventSchema(withPoll);
      expect(schema.parse(throughJson(poll))).toEqual(poll);
      expect(jsonSchemaValidator(schema)(throughJson(poll))).toBe(true);
    });

    test('carries its personal-data mark into the JSON Schema', () => {
      const json = JSON.stringify(z.toJSONSchema(contentEventSchema(withPoll), { target: 'draft-2020-12' }));
      expect(json).toMatch(
        /"question":\{"type":"string","description":"The customer's words.","x-personal-data":true\}/,
      );
    });

    test('is refused by the codec of the table without it', () => {
      expect(storedContentSchema.safeParse(poll).success).toBe(false);
    });

    test('every kind of the extended table, old and new, round-trips', () => {
      fc.assert(
        fc.property(contentArbitrary(withPoll), (content) => {
          expect(throughJson(contentItemSchema(withPoll).parse(throughDynamoDb(content)))).toEqual(
            throughJson(content),
          );
        }),
      );
    });
  });
});
