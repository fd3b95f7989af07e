/**
 * The conversation events, for consumers: a Lambda function behind a rule of the pipeline's bus
 * parses what it receives here, and gets the typed event or a clear error.
 *
 * ```ts
 * import { parseConversationEvent } from '<pipeline>/events';
 * export const handler = async (raw: unknown) => {
 *   const event = parseConversationEvent(raw);
 *   if (event.detailType === 'Message Received' && event.detail.content.kind === 'text') { … }
 * };
 * ```
 */

import type { z } from 'zod';
import {
  CONVERSATION_EVENT_SCHEMA_VERSION,
  CONVERSATION_EVENT_SOURCE,
  CONVERSATION_EVENT_TYPES,
  type ConversationEventType,
} from '../contracts';
import { type ConversationEventEntry, DETAIL_SCHEMAS, eventEnvelopeSchema } from './schemas';

export { CONVERSATION_EVENT, CONVERSATION_EVENT_SOURCE, type ConversationEventType } from '../contracts';
export * from './schemas';

/** A conversation event as a target receives it: EventBridge's id and time, and the typed detail. */
export type ConversationEvent = ConversationEventEntry & {
  /** EventBridge's id of this delivery attempt's event; use `detail.eventId` to dedupe. */
  readonly id: string;
  readonly time?: string;
};

/** An event that is not a conversation event of a schema version this code reads. */
export class ConversationEventParseError extends Error {
  public override readonly name = 'ConversationEventParseError';
}

/**
 * Parses an EventBridge event of the pipeline's bus into its typed form. Fields a newer pipeline
 * adds within the same schema version are dropped, so a consumer keeps working.
 *
 * @throws ConversationEventParseError naming the detail-type and the first problems
 */
export function parseConversationEvent(event: unknown): ConversationEvent {
  const envelope = eventEnvelopeSchema.safeParse(event);
  if (!envelope.success) {
    throw new ConversationEventParseError(
      `Not a conversation event (source ${CONVERSATION_EVENT_SOURCE}): ${envelope.error.issues[0]?.message ?? 'invalid'}`,
      { cause: envelope.error },
    );
  }
  const detailType = envelope.data['detail-type'];
  if (!isConversationEventType(detailType)) {
    throw new ConversationEventParseError(`Unknown conversation event detail-type "${detailType}"`);
  }
  const { id, time } = envelope.data;
  return withDetail(detailType, envelope.data.detail, { id, time });
}

/** Whether a string is one of the bus's detail-types. */
export function isConversationEventType(value: string): value is ConversationEventType {
  return (CONVERSATION_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Checks a detail against the schema of its detail-type.
 *
 * @throws ConversationEventParseError naming the detail-type and the first problems
 */
function checked<S extends z.ZodType>(schema: S, detailType: string, detail: unknown): z.output<S> {
  const parsed = schema.safeParse(detail);
  if (parsed.success) return parsed.data;
  const version =
    typeof detail === 'object' && detail !== null && 'schemaVersion' in detail
      ? String(detail.schemaVersion)
      : 'none';
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(detail)'}: ${issue.message}`)
    .join('; ');
  throw new ConversationEventParseError(
    `Invalid "${detailType}" detail (schema version ${version}, this code reads ${CONVERSATION_EVENT_SCHEMA_VERSION}): ${problems}`,
    { cause: parsed.error },
  );
}

function withDetail(
  detailType: ConversationEventType,
  detail: unknown,
  meta: { id: string; time?: string },
): ConversationEvent {
  switch (detailType) {
    case 'Message Received':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Call Completed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Call Missed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Human Replied':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Flow Completed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Message Edited':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Message Deleted':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Message Status Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Message Failed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Auto Response Completed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Webhook Error':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Media Archived':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Template Status Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Phone Number Quality Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Account Status Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Flow Status Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Contract Drift Detected':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Marketing Preference Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Customer Identity Changed':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
    case 'Message Stalled':
      return { ...meta, detailType, detail: checked(DETAIL_SCHEMAS[detailType], detailType, detail) };
  }
}
