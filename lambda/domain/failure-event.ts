import * as z from 'zod/mini';
import {
  FAILURE_DETAIL_TYPES,
  FAILURE_STATUSES,
  SEND_PROGRESS_DETAIL_TYPES,
  SOCIAL_MESSAGING_SOURCE,
} from '../../contracts';
import { EventDecodeError } from './errors';
import type { WhatsAppError } from './model';
import type { ReportedStep } from './send-ledger';

const stringish = z.union([z.string(), z.pipe(z.number(), z.transform(String))]);

const eventSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.string(),
  source: z.string(),
  time: z.optional(z.string()),
  detail: z.looseObject({
    messageId: z.optional(z.string()),
    status: z.optional(z.string()),
    wabaId: z.optional(stringish),
    originationPhoneNumber: z.optional(stringish),
    originationPhoneNumberId: z.optional(stringish),
    eventTimestamp: z.optional(stringish),
    errors: z.optional(
      z.array(
        z.looseObject({
          code: z.optional(stringish),
          title: z.optional(z.string()),
          message: z.optional(z.string()),
        }),
      ),
    ),
  }),
});

/** A failure End User Messaging Social reported through EventBridge. */
export interface MessageFailure {
  readonly kind: 'failure';
  /** The EventBridge event id: the idempotency key of this report. */
  readonly eventId: string;
  readonly detailType: string;
  readonly status?: string;
  /**
   * The AWS message id `SendWhatsAppMessage` returned (not a wamid). Absent in a malformed event,
   * which is then kept raw and flagged.
   */
  readonly awsMessageId?: string;
  /** Meta's numeric phone-number id (not `phone-number-id-…`). */
  readonly metaPhoneNumberId?: string;
  readonly displayPhoneNumber?: string;
  readonly wabaId?: string;
  readonly errors: readonly WhatsAppError[];
  /** ISO time of the event. */
  readonly occurredAt?: string;
  /** The event exactly as received, as JSON. */
  readonly rawJson: string;
}

/** A step of a send EUM reported by AWS message id: its hand-off to Meta, or a status (docs/send-ledger.md). */
export interface SendProgressReport {
  readonly kind: 'progress';
  readonly eventId: string;
  readonly detailType: string;
  readonly step: ReportedStep;
  readonly awsMessageId?: string;
  /** When it happened: `detail.eventTimestamp`, else the event's time. */
  readonly occurredAt?: string;
}

/** An EventBridge event that is neither a message failure nor a send's progress. */
export interface UnrelatedEvent {
  readonly kind: 'unrelated';
  readonly source: string;
  readonly detailType: string;
}

/** Whether an event reports a failed message, by detail-type or by `detail.status`. */
export function isFailure(detailType: string, status: string | undefined): boolean {
  return (
    (FAILURE_DETAIL_TYPES as readonly string[]).includes(detailType) ||
    (status !== undefined && (FAILURE_STATUSES as readonly string[]).includes(status.toLowerCase()))
  );
}

/**
 * Decodes an EventBridge event delivered to the failure recorder.
 *
 * @throws EventDecodeError when the input is not an EventBridge event with a detail object
 */
export function decodeFailureEvent(event: unknown): MessageFailure | SendProgressReport | UnrelatedEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new EventDecodeError(
      'not-an-eventbridge-event',
      'The input is not an EventBridge event with a detail',
      {
        cause: parsed.error,
      },
    );
  }
  const { id, source, time, detail } = parsed.data;
  const detailType = parsed.data['detail-type'];
  const steps: Readonly<Record<string, ReportedStep>> = SEND_PROGRESS_DETAIL_TYPES;
  const step = Object.hasOwn(steps, detailType) ? steps[detailType] : undefined;
  if (source === SOCIAL_MESSAGING_SOURCE && step !== undefined && !isFailure(detailType, detail.status)) {
    return {
      kind: 'progress',
      eventId: id,
      detailType,
      step,
      awsMessageId: detail.messageId === '' ? undefined : detail.messageId,
      occurredAt: isoOfEventTimestamp(detail.eventTimestamp) ?? time,
    };
  }
  if (source !== SOCIAL_MESSAGING_SOURCE || !isFailure(detailType, detail.status)) {
    return { kind: 'unrelated', source, detailType };
  }
  return {
    kind: 'failure',
    eventId: id,
    detailType,
    status: detail.status,
    awsMessageId: detail.messageId === '' ? undefined : detail.messageId,
    metaPhoneNumberId: detail.originationPhoneNumberId,
    displayPhoneNumber: detail.originationPhoneNumber,
    wabaId: detail.wabaId,
    errors: (detail.errors ?? []).map((e) => ({
      code: e.code ?? 'unknown',
      title: e.title,
      message: e.message,
    })),
    occurredAt: time,
    // The event exactly as received, not the parse (which normalizes codes to strings).
    rawJson: JSON.stringify(event),
  };
}

/** `detail.eventTimestamp` (Unix seconds, a string) as ISO time; undefined when it is not one. */
function isoOfEventTimestamp(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  return new Date(Number(value) * 1000).toISOString();
}
