import type { FinalizeRequestMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';

/** Requests a client made, by command name (e.g. `TransactWriteItemsCommand`). */
export type RequestCounts = Map<string, number>;

/** Any AWS SDK v3 client. */
interface AnyClient {
  // biome-ignore lint/suspicious/noExplicitAny: the stack is generic over every client's input and output types.
  readonly middlewareStack: MiddlewareStack<any, MetadataBearer>;
}

/**
 * Counts every request a client sends, at the client, by command. Each attempt counts, so SDK
 * retries show up as an AWS bill would see them.
 */
export function countRequests(client: AnyClient): RequestCounts {
  const counts: RequestCounts = new Map();
  const counter: FinalizeRequestMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  client.middlewareStack.add(counter, { step: 'finalizeRequest', name: 'pipelineRequestCounter' });
  return counts;
}
