/** The call item: one WhatsApp call with a customer, in its conversation. */
import * as z from 'zod/mini';
import { callKey, ENTITY, type TableKey } from '../../../contracts';
import type { CallDirection, WhatsAppError } from '../../domain/model';
import { count, errorsSchema, optionalText, text } from './common';

/** One status of a call the business placed, as recorded. */
export interface CallStatusEntry {
  readonly status: string;
  /** ISO time of the status. */
  readonly at: string;
}

/** A call, as stored: filled in by its webhooks in whatever order they come. */
export interface CallItem {
  readonly entity: typeof ENTITY.call;
  readonly callId: string;
  readonly businessPhoneNumberId: string;
  readonly wabaId?: string;
  readonly conversationKey: string;
  /** `<ISO time>#<call id>`: the call's place in its conversation. */
  readonly conversationSort: string;
  readonly customerKey: string;
  readonly customerPhone?: string;
  readonly direction?: CallDirection;
  /** ISO time of the connect webhook. */
  readonly connectedAt?: string;
  /** ISO time of the terminate webhook, and what it said. */
  readonly terminatedAt?: string;
  readonly terminateStatus?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly durationSeconds?: number;
  readonly errors?: readonly WhatsAppError[];
  /** Statuses of a call the business placed, oldest first. */
  readonly statuses: readonly CallStatusEntry[];
  readonly expiresAt: number;
}

/** The key of a call item. */
export function callItemKey(item: Pick<CallItem, 'callId'>): TableKey {
  return callKey(item.callId);
}

/** The idempotency key of one status of a call. */
export function callStatusKeyOf(status: string, at: string): string {
  return `${status}#${at}`;
}

export const callItemSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.call),
    callId: text,
    businessPhoneNumberId: text,
    wabaId: optionalText,
    conversationKey: text,
    conversationSort: text,
    customerKey: text,
    customerPhone: optionalText,
    direction: z.optional(z.enum(['inbound', 'outbound'])),
    connectedAt: optionalText,
    terminatedAt: optionalText,
    terminateStatus: optionalText,
    startedAt: optionalText,
    endedAt: optionalText,
    durationSeconds: z.optional(count),
    errors: errorsSchema,
    statuses: z.optional(z.array(z.object({ status: text, at: text }))),
    expiresAt: count,
  }),
  z.transform(
    (c): CallItem => ({
      ...c,
      // Appended in arrival order; read oldest first.
      statuses: [...(c.statuses ?? [])].sort(
        (a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status),
      ),
    }),
  ),
);
