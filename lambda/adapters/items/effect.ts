/**
 * The side-effect item: one exactly-once effect's claim and then its outcome (see
 * lambda/shared/exactly-once.ts). Its own module, as every item kind should be: the shape, the
 * codec and the schema in one place, which items.ts puts into the table's union.
 */
import * as z from 'zod/mini';
import { ENTITY, sideEffectKey, type TableKey } from '../../../contracts';
import type { EffectRecord } from '../../shared/exactly-once';

/** A side effect, as stored. */
export interface SideEffectItem {
  readonly entity: typeof ENTITY.sideEffect;
  /** The partition of what the effect belongs to (a message's `MSG#<wamid>`). */
  readonly scope: string;
  /** Which effect of that scope (`hook#faq#reply#1`). */
  readonly effect: string;
  /** Absent once a claim was released (the effect surely did not happen): free to claim again. */
  readonly record?: EffectRecord;
  readonly expiresAt: number;
}

const error = z.object({ name: z.string(), message: z.string() });

/** The stored record of an effect, by state. */
export const effectRecordSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('in-progress'),
    at: z.string(),
    owner: z.string(),
    token: z.string(),
    expiresAtMs: z.number(),
  }),
  z.object({
    state: z.literal('done'),
    at: z.string(),
    reference: z.optional(z.string()),
    attempts: z.optional(z.number()),
  }),
  z.object({ state: z.enum(['failed', 'unknown']), at: z.string(), error }),
]);

/** A side-effect item's attributes; `record` is a map of its own. */
export const sideEffectItemSchema = z.object({
  entity: z.literal(ENTITY.sideEffect),
  scope: z.string(),
  effect: z.string(),
  record: z.optional(effectRecordSchema),
  expiresAt: z.number(),
});

/** The key of a side-effect item. */
export function sideEffectItemKey(item: Pick<SideEffectItem, 'scope' | 'effect'>): TableKey {
  return sideEffectKey(item.scope, item.effect);
}
