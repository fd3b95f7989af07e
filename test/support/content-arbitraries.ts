import fc from 'fast-check';
import type { ContentField, ContentKinds, ContentOf } from '../../contracts';

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
    case 'enum':
      return fc.constantFrom(...field.values);
  }
}

/**
 * Content of every kind of `kinds`, every field present or (when optional) absent: derived from
 * the same table as the codec and the event schema, so a new kind is generated without a line here.
 */
export function contentArbitrary<T extends ContentKinds>(kinds: T): fc.Arbitrary<ContentOf<T>> {
  const variants = Object.entries(kinds).map(([kind, fields]) =>
    fc.record<Record<string, unknown>>(
      {
        kind: fc.constant(kind),
        ...Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, fieldArbitrary(field)])),
      },
      {
        requiredKeys: ['kind', ...Object.entries(fields).flatMap(([name, f]) => (f.optional ? [] : [name]))],
      },
    ),
  );
  // Generated from the table ContentOf<T> is derived from.
  return fc.oneof(...variants) as unknown as fc.Arbitrary<ContentOf<T>>;
}
