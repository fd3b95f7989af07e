/**
 * Validates conversation events against the committed JSON Schemas of docs/events/ with ajv, an
 * validator independent of the zod schemas they were generated from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { CONVERSATION_EVENT_TYPES, type ConversationEventType } from '../../contracts';
import { schemaFileName } from '../../events/json-schema';

export const EVENT_SCHEMA_DIR = join(__dirname, '..', '..', 'docs', 'events');

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addKeyword('x-personal-data');
// `format` is an annotation in our schemas; ajv checks formats only with ajv-formats.
ajv.addFormat('date-time', true);

const validators = new Map<string, ValidateFunction>(
  CONVERSATION_EVENT_TYPES.map((type) => [
    type,
    ajv.compile(JSON.parse(readFileSync(join(EVENT_SCHEMA_DIR, schemaFileName(type)), 'utf8'))),
  ]),
);

/** The problems of a detail against its committed schema: empty when valid. */
export function schemaProblems(detailType: string, detail: unknown): string[] {
  const validate = validators.get(detailType);
  if (validate === undefined) return [`no schema for detail-type "${detailType}"`];
  // As the bus receives it: JSON, without undefined members.
  if (validate(JSON.parse(JSON.stringify(detail)))) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(detail)'} ${e.message ?? ''}`);
}

/** Fails the test when an event (an EventBridge event, or a PutEvents entry) breaks its schema. */
export function expectValidEvent(event: {
  detailType: ConversationEventType | string;
  detail: unknown;
}): void {
  expect({ detailType: event.detailType, problems: schemaProblems(event.detailType, event.detail) }).toEqual({
    detailType: event.detailType,
    problems: [],
  });
}
