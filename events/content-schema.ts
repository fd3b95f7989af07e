/**
 * The event form of message content, built from the one definition of the kinds
 * (contracts/message-content.ts), with each field's description and personal-data mark for the
 * JSON Schemas in docs/events/.
 */
import * as z from 'zod';
import {
  type ContentField,
  type ContentKinds,
  type ContentOf,
  MESSAGE_CONTENT_KINDS,
  type MessageContent,
  mapContentKinds,
} from '../contracts';

function eventField(field: ContentField): z.ZodType {
  const base = baseOf(field);
  const typed = field.optional === true ? base.optional() : base;
  if (field.personal !== undefined)
    return typed.meta({ description: field.personal, 'x-personal-data': true });
  return field.description === undefined ? typed : typed.meta({ description: field.description });
}

function baseOf(field: ContentField): z.ZodType {
  switch (field.type) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'integer':
      return z.number().int();
    case 'boolean':
      return z.boolean();
    case 'json':
      return z.record(z.string(), z.json());
    case 'enum':
      return z.enum(field.values);
  }
}

/** The event schema of the content of `kinds`, typed as the content they describe. */
export function contentEventSchema<T extends ContentKinds>(kinds: T): z.ZodType<ContentOf<T>> {
  const [first, ...rest] = mapContentKinds(kinds, eventField).map(({ kind, fields }) =>
    z.object({ kind: z.literal(kind), ...fields }),
  );
  if (first === undefined) throw new Error('No content kinds');
  // Built from the same table as ContentOf<T>; zod cannot infer a mapped type.
  return z.discriminatedUnion('kind', [first, ...rest]) as unknown as z.ZodType<ContentOf<T>>;
}

/** What a message says, by kind, in every event that carries it. */
export const messageContentSchema: z.ZodType<MessageContent> = contentEventSchema(MESSAGE_CONTENT_KINDS);
