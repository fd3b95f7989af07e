/**
 * One builder of DynamoDB update expressions for the stores: placeholders for every name and
 * value, and undefined values left out, so an optional field never overwrites a stored one.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Attributes } from './items';

/** What one update writes, and on which condition. */
export interface UpdateSpec {
  /** Attributes to set; a name with dots sets a nested map entry (`autoResponse.receipt`). */
  readonly set?: Attributes;
  readonly setIfNotExists?: Attributes;
  /** Appends one element to a list attribute, creating the list if needed. */
  readonly appendToList?: Attributes;
  readonly add?: Readonly<Record<string, number>>;
  readonly addToSet?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
  /** Refers to attributes by name (none of ours is a reserved word, or through `names`) and to `values` by `:name`. */
  readonly condition?: {
    readonly expression: string;
    readonly values?: Attributes;
    readonly names?: Readonly<Record<string, string>>;
  };
  readonly returnOldOnFailure?: boolean;
}

/**
 * Builds an UpdateExpression with placeholders for every name and value, leaving out undefined
 * values so optional fields never overwrite stored ones with nothing.
 */
export function buildUpdateExpression(spec: UpdateSpec): {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = { ...spec.condition?.names };
  const values: Record<string, unknown> = { ...spec.condition?.values };
  const clauses: Record<'SET' | 'ADD' | 'REMOVE', string[]> = { SET: [], ADD: [], REMOVE: [] };
  let counter = 0;
  const path = (name: string) =>
    name
      .split('.')
      .map((segment) => {
        const placeholder = `#a${counter++}`;
        names[placeholder] = segment;
        return placeholder;
      })
      .join('.');
  const value = (v: unknown) => {
    const placeholder = `:v${counter++}`;
    values[placeholder] = v;
    return placeholder;
  };

  for (const [name, v] of Object.entries(spec.set ?? {})) {
    if (v !== undefined) clauses.SET.push(`${path(name)} = ${value(v)}`);
  }
  for (const [name, v] of Object.entries(spec.setIfNotExists ?? {})) {
    if (v === undefined) continue;
    const p = path(name);
    clauses.SET.push(`${p} = if_not_exists(${p}, ${value(v)})`);
  }
  for (const [name, v] of Object.entries(spec.appendToList ?? {})) {
    const p = path(name);
    clauses.SET.push(`${p} = list_append(if_not_exists(${p}, ${value([])}), ${value([v])})`);
  }
  for (const [name, v] of Object.entries(spec.add ?? {})) clauses.ADD.push(`${path(name)} ${value(v)}`);
  for (const [name, v] of Object.entries(spec.addToSet ?? {}))
    clauses.ADD.push(`${path(name)} ${value(new Set([v]))}`);
  for (const name of spec.remove ?? []) clauses.REMOVE.push(path(name));

  const marshalled = marshall(values, { removeUndefinedValues: true });
  return {
    UpdateExpression: (['SET', 'ADD', 'REMOVE'] as const)
      .filter((verb) => clauses[verb].length > 0)
      .map((verb) => `${verb} ${clauses[verb].join(', ')}`)
      .join(' '),
    ConditionExpression: spec.condition?.expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: Object.keys(marshalled).length > 0 ? marshalled : undefined,
  };
}
