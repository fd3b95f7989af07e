/** The contract-drift item: one shape Meta sent that this code does not know yet. */
import * as z from 'zod/mini';
import { contractDriftKey, ENTITY, type TableKey } from '../../../contracts';
import type { DriftKind } from '../../domain/drift';
import { count, optionalText, text } from './common';

/** One drifted shape, stored once: its kind, name, skeleton (as JSON) and where it was first seen. */
export interface ContractDriftItem {
  readonly entity: typeof ENTITY.contractDrift;
  readonly kind: DriftKind;
  readonly name: string;
  /** A digest of the skeleton: the same shape is stored once, another shape of the same name again. */
  readonly shapeDigest: string;
  /** The skeleton as JSON (keys, types and naming words; never a value). */
  readonly shape: string;
  readonly firstSeenAt: string;
  readonly wabaId?: string;
  readonly snsMessageId?: string;
  readonly expiresAt: number;
}

/** The key of a contract-drift item. */
export function contractDriftItemKey(
  item: Pick<ContractDriftItem, 'kind' | 'name' | 'shapeDigest'>,
): TableKey {
  return contractDriftKey(item.kind, item.name, item.shapeDigest);
}

export const contractDriftSchema = z.object({
  entity: z.literal(ENTITY.contractDrift),
  kind: z.enum(['field', 'message-type', 'status', 'health-event', 'call-event']),
  name: text,
  shapeDigest: text,
  shape: text,
  firstSeenAt: text,
  wabaId: optionalText,
  snsMessageId: optionalText,
  expiresAt: count,
});
