/**
 * EventBridge event-pattern matching, for routing events to the stack's rules locally and testing them
 * offline. Implements the documented semantics for what our patterns use: a field matches when the
 * event's value (or any element, for arrays) equals one of the listed values or satisfies one of
 * the listed operators (`equals-ignore-case`, `prefix`, `exists`, `anything-but`); nested objects
 * match field by field; `$or` matches when any branch does; every field of the pattern must match.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error('A pattern is an object');
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected)) throw new Error('$or takes an array of patterns');
      return expected.some((branch) => matchesPattern(branch, event));
    }
    const actual = isObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) return matchesField(expected, actual);
    return isObject(expected) && isObject(actual) && matchesPattern(expected, actual);
  });
}

function matchesField(expected: unknown[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return expected.some((rule) => {
    if (isObject(rule)) return values.some((value) => matchesOperator(rule, value, actual !== undefined));
    return actual !== undefined && values.some((value) => value === rule);
  });
}

function matchesOperator(rule: Record<string, unknown>, value: unknown, present: boolean): boolean {
  const [[operator, operand] = []] = Object.entries(rule);
  switch (operator) {
    case 'exists':
      return operand === present;
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'anything-but':
      return present && !(Array.isArray(operand) ? operand : [operand]).includes(value);
    default:
      throw new Error(`Operator ${operator} is not supported by this matcher`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
