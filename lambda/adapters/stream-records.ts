/**
 * DynamoDB stream records as Lambda delivers them, parsed at the boundary: the images arrive in
 * DynamoDB's JSON (`{"S": "…"}`), which is read here into plain attributes for the item codecs.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { type Attributes, fromItem, ItemDecodeError, type TableItem } from './items';

const imageSchema = z.record(z.string(), z.unknown());

const recordSchema = z.object({
  eventID: z.optional(z.string()),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    SequenceNumber: z.string(),
    NewImage: z.optional(imageSchema),
    OldImage: z.optional(imageSchema),
  }),
});

const streamEventSchema = z.object({ Records: z.array(recordSchema) });

/** A committed write: the item before (absent for a new item) and after, typed. */
export interface RecordChange {
  readonly old?: TableItem;
  readonly new: TableItem;
}

/**
 * One stream record. Its images stay in DynamoDB JSON until {@link StreamChange.read}, so that one
 * malformed image fails its record only.
 */
export interface StreamChange {
  readonly sequenceNumber: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The image's `entity`, when it has a readable one: what kind of item it is, for logs. */
  readonly entity?: string;
  /**
   * The typed item before and after the write; undefined for a removal. An old image that cannot be
   * read counts as absent (the change is then that of a new item).
   *
   * @throws ItemDecodeError or StreamImageError when the new image is not an item of this table
   */
  read(): RecordChange | undefined;
}

/** A Lambda event that is not a DynamoDB stream batch. */
export class StreamEventError extends Error {
  public override readonly name = 'StreamEventError';
}

/** An image attribute that is not DynamoDB JSON. */
export class StreamImageError extends Error {
  public override readonly name = 'StreamImageError';
}

/**
 * Parses a DynamoDB stream batch. Images are read one by one later, so that one malformed image
 * fails its record only.
 *
 * @throws StreamEventError when the event is not one
 */
export function parseStreamEvent(event: unknown): StreamChange[] {
  const parsed = streamEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new StreamEventError('Not a DynamoDB stream event', { cause: parsed.error });
  }
  return parsed.data.Records.map((record) => {
    const { NewImage, OldImage } = record.dynamodb;
    return {
      sequenceNumber: record.dynamodb.SequenceNumber,
      eventName: record.eventName,
      entity: NewImage === undefined ? undefined : entityOf(NewImage),
      read: () =>
        NewImage === undefined
          ? undefined
          : {
              new: fromItem(fromImage(NewImage), false),
              old: OldImage === undefined ? undefined : readOld(OldImage),
            },
    };
  });
}

function readOld(image: Readonly<Record<string, unknown>>): TableItem | undefined {
  try {
    return fromItem(fromImage(image), false);
  } catch (error) {
    if (error instanceof ItemDecodeError || error instanceof StreamImageError) return undefined;
    throw error;
  }
}

/** The `entity` of an image in DynamoDB JSON, when it has a readable one. */
function entityOf(image: Readonly<Record<string, unknown>>): string | undefined {
  const entity = image.entity;
  return typeof entity === 'object' && entity !== null && 'S' in entity && typeof entity.S === 'string'
    ? entity.S
    : undefined;
}

/** The attribute types of DynamoDB JSON. */
const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

/** Whether every attribute of an image is typed DynamoDB JSON at its top (the SDK reads what is inside). */
function isAttributeMap(image: Readonly<Record<string, unknown>>): image is Record<string, AttributeValue> {
  return Object.values(image).every((value) => {
    if (typeof value !== 'object' || value === null) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && ATTRIBUTE_TYPES.has(keys[0] ?? '');
  });
}

/**
 * An image in DynamoDB JSON as plain attributes (maps, lists, numbers, sets as `Set`s), read by the
 * SDK's own `unmarshall`.
 *
 * @throws StreamImageError for an attribute that is not DynamoDB JSON
 */
export function fromImage(image: Readonly<Record<string, unknown>>): Attributes {
  if (!isAttributeMap(image)) throw new StreamImageError('An attribute is not typed DynamoDB JSON');
  try {
    return unmarshall(image);
  } catch (error) {
    throw new StreamImageError('An attribute is not DynamoDB JSON', { cause: error });
  }
}
