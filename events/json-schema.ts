/**
 * The JSON Schemas of the conversation events, generated from the zod schemas of ./schemas.ts.
 * docs/events/ holds them as committed files (`npm run events:schemas` writes them); a test fails
 * when the two differ, so the documented contract cannot drift from the code.
 */
import * as z from 'zod';
import {
  CONVERSATION_EVENT_SCHEMA_VERSION,
  CONVERSATION_EVENT_SOURCE,
  CONVERSATION_EVENT_TYPES,
  type ConversationEventType,
} from '../contracts';
import { DETAIL_SCHEMAS } from './schemas';

/** The file name of a detail-type's schema: `message-received.v1.json`. */
export function schemaFileName(detailType: ConversationEventType): string {
  return `${detailType.toLowerCase().replace(/\s+/g, '-')}.v${CONVERSATION_EVENT_SCHEMA_VERSION}.json`;
}

/** The JSON Schema (draft 2020-12) of one detail-type's `detail`. */
export function detailJsonSchema(detailType: ConversationEventType): Record<string, unknown> {
  return {
    ...z.toJSONSchema(DETAIL_SCHEMAS[detailType], { target: 'draft-2020-12' }),
    $id: `https://github.com/whatsapp-eum-social-pipeline/events/${schemaFileName(detailType)}`,
    title: `${detailType} (${CONVERSATION_EVENT_SOURCE}), schema version ${CONVERSATION_EVENT_SCHEMA_VERSION}`,
  };
}

/** Every detail-type's schema, by file name. */
export function eventJsonSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    CONVERSATION_EVENT_TYPES.map((type) => [schemaFileName(type), detailJsonSchema(type)]),
  );
}
