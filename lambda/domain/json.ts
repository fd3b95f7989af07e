/**
 * JSON that arrives as a string inside a message (a Flow's `response_json`), read as data when every
 * part of the pipeline can hold it: a DynamoDB item (at most 32 levels of nesting, numbers between
 * 1e-130 and 1e126 in magnitude), the SDK's marshalling (whole numbers only up to 2^53, beyond
 * which JSON.parse has already rounded them) and an event. Anything else stays a string, so nothing
 * is lost.
 */
import type { JsonObject, JsonValue } from '../../contracts';

/** Deepest nesting kept as data: well inside DynamoDB's 32 levels, with room for the item around it. */
const MAX_DEPTH = 16;
/** DynamoDB's number range, by magnitude. */
const MIN_MAGNITUDE = 1e-130;
const MAX_MAGNITUDE = 1e125;

/** The JSON object a string holds, or undefined when it is not one, or one a record cannot hold. */
export function parseJsonObject(text: string): JsonObject | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isPlainObject(parsed) && storable(parsed, 1) ? toJsonObject(parsed) : undefined;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function storable(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return false;
    const magnitude = Math.abs(value);
    return magnitude === 0 || (magnitude >= MIN_MAGNITUDE && magnitude < MAX_MAGNITUDE);
  }
  if (Array.isArray(value)) return value.every((v) => storable(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => storable(v, depth + 1));
  return true;
}

function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  return isPlainObject(value) ? toJsonObject(value) : null;
}

function toJsonObject(value: object): JsonObject {
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, toJsonValue(member)]));
}
