/** The failure items: webhook-level errors, orphan failures, and failure-digest counts. */
import * as z from 'zod/mini';
import { ENTITY } from '../../../contracts';
import { compact, count, type DeliveryFailure, deliverySchema, optionalText, text } from './common';

/** A webhook-level error of a business number. */
export interface WebhookErrorItem {
  readonly entity: typeof ENTITY.webhookError;
  readonly businessPhoneNumberId: string;
  /** The envelope's publication time, or the recording time; with `digest`, the sort key. */
  readonly occurredAt: string;
  /** A hash of the error's content, so a redelivery overwrites the same item. */
  readonly digest: string;
  readonly wabaId: string;
  readonly snsMessageId: string;
  readonly code: string;
  readonly title?: string;
  readonly message?: string;
  readonly details?: string;
  readonly payload: string;
  readonly recordedAt: string;
  readonly expiresAt: number;
}

/** A failure event that matched no message of this pipeline, or that had no message id. */
export interface OrphanFailureItem {
  readonly entity: typeof ENTITY.orphanFailure;
  readonly reason: 'unknown-message-id' | 'missing-message-id';
  readonly failure: DeliveryFailure;
  readonly businessPhoneNumberId?: string;
  readonly wabaId?: string;
  readonly payload: string;
  readonly expiresAt: number;
}

/** How many messages failed with one error code on one business number in one digest window. */
export interface FailureDigestItem {
  readonly entity: typeof ENTITY.failureDigest;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly businessPhoneNumberId: string;
  readonly displayPhoneNumber?: string;
  readonly code: string;
  readonly title?: string;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** The count the last notification reported; absent before the first. */
  readonly notifiedCount?: number;
  readonly expiresAt: number;
}

export const webhookErrorSchema = z.pipe(
  z.object({
    entity: z.literal(ENTITY.webhookError),
    businessPhoneNumberId: text,
    wabaId: text,
    snsMessageId: text,
    code: text,
    title: optionalText,
    message: optionalText,
    details: optionalText,
    payload: text,
    recordedAt: text,
    expiresAt: count,
    occurredAt: text,
    digest: text,
  }),
  z.transform(
    (e): WebhookErrorItem => ({
      entity: e.entity,
      businessPhoneNumberId: e.businessPhoneNumberId,
      occurredAt: e.occurredAt,
      digest: e.digest,
      wabaId: e.wabaId,
      snsMessageId: e.snsMessageId,
      code: e.code,
      ...compact({ title: e.title, message: e.message, details: e.details }),
      payload: e.payload,
      recordedAt: e.recordedAt,
      expiresAt: e.expiresAt,
    }),
  ),
);

export const orphanSchema = z.pipe(
  // Stored flat: the failure's fields at the top of the item (see toAttributes).
  z.extend(deliverySchema, {
    entity: z.literal(ENTITY.orphanFailure),
    reason: z.enum(['unknown-message-id', 'missing-message-id']),
    businessPhoneNumberId: optionalText,
    wabaId: optionalText,
    payload: text,
    expiresAt: count,
  }),
  z.transform(
    (o): OrphanFailureItem => ({
      entity: o.entity,
      reason: o.reason,
      failure: {
        status: o.status,
        detailType: o.detailType,
        ...compact({ awsMessageId: o.awsMessageId, occurredAt: o.occurredAt }),
        errors: o.errors,
        eventId: o.eventId,
        recordedAt: o.recordedAt,
      },
      ...compact({ businessPhoneNumberId: o.businessPhoneNumberId, wabaId: o.wabaId }),
      payload: o.payload,
      expiresAt: o.expiresAt,
    }),
  ),
);

export const failureDigestSchema = z.object({
  entity: z.literal(ENTITY.failureDigest),
  windowStart: text,
  windowEnd: text,
  businessPhoneNumberId: text,
  displayPhoneNumber: optionalText,
  code: text,
  title: optionalText,
  count,
  firstAt: text,
  lastAt: text,
  notifiedCount: z.optional(count),
  expiresAt: count,
});
