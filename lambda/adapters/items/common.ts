/** Building blocks the item codecs share: the read schemas of errors and deliveries, and `compact`. */
import * as z from 'zod/mini';
import type { WhatsAppError } from '../../domain/model';

/** A delivery failure End User Messaging Social reported later, through EventBridge. */
export interface DeliveryFailure {
  readonly status: string;
  readonly detailType: string;
  readonly awsMessageId?: string;
  readonly errors: readonly WhatsAppError[];
  /** The EventBridge event id: the idempotency key of the report. */
  readonly eventId: string;
  readonly occurredAt?: string;
  readonly recordedAt: string;
}

/** A stored error of a send. */
export interface SendError {
  readonly name: string;
  readonly message: string;
}

// Read schemas. Loose where a newer writer may add attributes; strict enough
// that nothing untyped escapes.
export const text = z.string();
export const optionalText = z.optional(z.string());
export const count = z.number();

export const errorSchema = z.object({
  code: text,
  title: optionalText,
  message: optionalText,
  details: optionalText,
});
export const errorsSchema = z.optional(z.array(errorSchema));

export const deliverySchema = z.object({
  status: text,
  detailType: text,
  awsMessageId: optionalText,
  errors: z.array(errorSchema),
  eventId: text,
  occurredAt: optionalText,
  recordedAt: text,
});

export const addressSchema = z.union([
  z.object({ to: text }),
  z.object({ recipient: text }),
  z.object({ group: text }),
]);
export const sendErrorSchema = z.object({ name: text, message: text });

/** The value without its undefined members (DynamoDB stores none). */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
