/**
 * Consumed write capacity as DynamoDB itself reports it: a middleware asks every write the code
 * makes for `ReturnConsumedCapacity: INDEXES` and adds up the answers, for the table and each
 * index. It wraps the client the benchmark gives the stores, so production code is unchanged and
 * no write can escape the count.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Write capacity units, for the table and for each index. */
export interface CapacityTotals {
  table: number;
  indexes: Map<string, number>;
}

/** What a write answered about its capacity (the SDK's ConsumedCapacity shape, as far as read here). */
interface ConsumedCapacityAnswer {
  readonly Table?: { readonly CapacityUnits?: number; readonly WriteCapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Record<
    string,
    { readonly CapacityUnits?: number; readonly WriteCapacityUnits?: number }
  >;
}

function unitsOf(
  part: { readonly CapacityUnits?: number; readonly WriteCapacityUnits?: number } | undefined,
): number {
  return part?.WriteCapacityUnits ?? part?.CapacityUnits ?? 0;
}

function answersOf(output: unknown): ConsumedCapacityAnswer[] {
  if (typeof output !== 'object' || output === null || !('ConsumedCapacity' in output)) return [];
  const consumed = output.ConsumedCapacity;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.filter((c): c is ConsumedCapacityAnswer => typeof c === 'object' && c !== null);
}

/** Meters a client; `take()` returns what was consumed since the last call and starts again. */
export function meterWriteCapacity(client: DynamoDBClient): { take(): CapacityTotals } {
  let totals: CapacityTotals = { table: 0, indexes: new Map() };
  const meter: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    if (!WRITES.has(context.commandName ?? '')) return next(args);
    const input = args.input as Record<string, unknown>;
    const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'INDEXES' } });
    for (const answer of answersOf(result.output)) {
      totals.table += unitsOf(answer.Table);
      for (const [index, part] of Object.entries(answer.GlobalSecondaryIndexes ?? {})) {
        totals.indexes.set(index, (totals.indexes.get(index) ?? 0) + unitsOf(part));
      }
    }
    return result;
  };
  client.middlewareStack.add(meter, { step: 'initialize', name: 'benchWriteCapacityMeter' });
  return {
    take() {
      const taken = totals;
      totals = { table: 0, indexes: new Map() };
      return taken;
    },
  };
}

/** `table 4, byConversation 1, byActivity 1`, for a report. */
export function describeCapacity(totals: CapacityTotals): { table: string; indexes: string } {
  const indexes = [...totals.indexes]
    .filter(([, units]) => units > 0)
    .map(([index, units]) => `${index} ${units}`)
    .join(', ');
  return { table: String(totals.table), indexes: indexes === '' ? '0' : indexes };
}
