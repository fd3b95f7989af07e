import fc from 'fast-check';
import {
  type ContentField,
  type ContentKinds,
  type ContentOf,
  type JsonObject,
  mapContentKinds,
} from '../../contracts';
import { parseJsonObject } from '../../lambda/domain/json';

/** JSON objects through the decoder's own reading: only those every record and event can hold. */
export const jsonObject: fc.Arbitrary<JsonObject> = fc
  .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })
  .map((value) => parseJsonObject(JSON.stringify(value)))
  .filter((value) => value !== undefined);

function fieldArbitrary(field: ContentField): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 30 });
    case 'number':
      return fc.double({ min: -180, max: 180, noNaN: true, noDefaultInfinity: true });
    case 'integer':
      return fc.integer({ min: 0, max: 1000 });
    case 'boolean':
      return fc.boolean();
    case 'json':
      return jsonObject;
    case 'enum':
      return fc.constantFrom(...field.values);
  }
}

/**
 * Content of every kind of `kinds`, every field present or (when optional) absent: derived from
 * the same table as the codec and the event schema, so a new kind is generated without a line here.
 */
export function contentArbitrary<T extends ContentKinds>(kinds: T): fc.Arbitrary<ContentOf<T>> {
  const optional = mapContentKinds(kinds, (field) => field.optional === true);
  const variants = mapContentKinds(kinds, fieldArbitrary).map(({ kind, fields }, i) =>
    fc.record<Record<string, unknown>>(
      { kind: fc.constant(kind), ...fields },
      {
        requiredKeys: [
          'kind',
          ...Object.entries(optional[i]?.fields ?? {}).flatMap(([name, isOptional]) =>
            isOptional ? [] : [name],
          ),
        ],
      },
    ),
  );
  // Generated from the table ContentOf<T> is derived from.
  return fc.oneof(...variants) as unknown as fc.Arbitrary<ContentOf<T>>;
}
