/**
 * The stored form of message content, built from the one definition of the kinds
 * (contracts/message-content.ts): a kind added there is stored and read back with no change here.
 */
import * as z from 'zod/mini';
import {
  type ContentField,
  type ContentKinds,
  type ContentOf,
  MESSAGE_CONTENT_KINDS,
  type MessageContent,
  mapContentKinds,
} from '../../../contracts';

/** A field as stored. Numbers are read as numbers, whole or not: the decoder made them. */
function storedField(field: ContentField): z.ZodMiniType {
  const base = baseOf(field);
  return field.optional === true ? z.optional(base) : base;
}

function baseOf(field: ContentField): z.ZodMiniType {
  switch (field.type) {
    case 'string':
      return z.string();
    case 'number':
    case 'integer':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'json':
      return z.record(z.string(), z.json());
    case 'enum':
      return z.enum(field.values);
  }
}

/**
 * The schema of stored content of `kinds`. Its type is the content the kinds describe: the
 * schema is built from the same table the type is derived from, which the codec's property test
 * (every kind, every field) holds to.
 */
export function contentItemSchema<T extends ContentKinds>(kinds: T): z.ZodMiniType<ContentOf<T>> {
  const [first, ...rest] = mapContentKinds(kinds, storedField).map(({ kind, fields }) =>
    z.object({ kind: z.literal(kind), ...fields }),
  );
  if (first === undefined) throw new Error('No content kinds');
  // The variants are built from the same table as ContentOf<T>; zod cannot infer a mapped type.
  return z.discriminatedUnion('kind', [first, ...rest]) as unknown as z.ZodMiniType<ContentOf<T>>;
}

/** The stored content of every kind the pipeline knows. */
export const storedContentSchema: z.ZodMiniType<MessageContent> = contentItemSchema(MESSAGE_CONTENT_KINDS);
