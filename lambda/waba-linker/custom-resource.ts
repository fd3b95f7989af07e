import * as z from 'zod/mini';

/** A CloudFormation custom resource request, as Lambda receives it. */
const requestSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().check(z.minLength(1)),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.record(z.string(), z.unknown()),
  OldResourceProperties: z.optional(z.record(z.string(), z.unknown())),
});
export type CustomResourceRequest = z.infer<typeof requestSchema>;

/** What the resource handler decided. */
export interface CustomResourceResult {
  readonly physicalResourceId: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** Sends the response document to CloudFormation's presigned URL. */
export type ResponseSender = (url: string, body: string) => Promise<void>;

/** PUTs the response with no content type, as the presigned S3 URL requires. */
export const putResponse: ResponseSender = async (url, body) => {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response rejected: HTTP ${response.status}`);
};

/** CloudFormation keeps at most this much of a failure reason. */
const MAX_REASON = 1000;

/**
 * Wraps a resource handler in the custom resource protocol: whatever happens, CloudFormation gets
 * an answer — SUCCESS with the physical id and data, or FAILED with the error's name and message
 * (the API's own words) — including when the function is about to time out, so a stack never
 * waits an hour for a reply that will not come and never records success for a failure.
 */
/** What the resource handler gets besides the request and its deadline. */
export interface HandlerControls {
  /** Aborted when the time is up: start no further call. */
  readonly signal: AbortSignal;
  /** Tells the wrapper the latest error, so a time-out can name its real cause. */
  readonly noteFailure: (error: unknown) => void;
}

export function customResourceHandler(
  handle: (
    request: CustomResourceRequest,
    deadline: number,
    controls: HandlerControls,
  ) => Promise<CustomResourceResult>,
  options: { send?: ResponseSender; log?: (message: string, details: Record<string, unknown>) => void } = {},
) {
  const send = options.send ?? putResponse;
  return async (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<void> => {
    const parsed = requestSchema.safeParse(event);
    if (!parsed.success) {
      // Without a ResponseURL there is no one to answer; failing the invocation is all that is left.
      throw new Error('Not a CloudFormation custom resource request', { cause: parsed.error });
    }
    const request = parsed.data;
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    const deadline = Date.now() + remaining - 5000;
    const respond = (status: 'SUCCESS' | 'FAILED', result: Partial<CustomResourceResult>, reason?: string) =>
      send(
        request.ResponseURL,
        JSON.stringify({
          Status: status,
          Reason: reason?.slice(0, MAX_REASON) ?? 'OK',
          PhysicalResourceId:
            result.physicalResourceId ?? request.PhysicalResourceId ?? request.LogicalResourceId,
          StackId: request.StackId,
          RequestId: request.RequestId,
          LogicalResourceId: request.LogicalResourceId,
          NoEcho: false,
          Data: result.data ?? {},
        }),
      );

    let timer: NodeJS.Timeout | undefined;
    // Aborted when the time is up, so that no call starts after CloudFormation got its answer.
    const controller = new AbortController();
    let lastFailure: unknown;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now() + 2000));
    });
    try {
      const outcome = await Promise.race([
        handle(request, deadline, {
          signal: controller.signal,
          noteFailure: (error) => {
            lastFailure = error;
          },
        }),
        timeout,
      ]);
      if (outcome === 'timeout') {
        controller.abort();
        const cause = lastFailure === undefined ? '' : `; the last error was ${reasonOf(lastFailure)}`;
        options.log?.('Custom resource timed out', { requestType: request.RequestType });
        await respond('FAILED', {}, `Timed out before the WABA could be updated${cause}`);
        return;
      }
      await respond('SUCCESS', outcome);
    } catch (error) {
      const reason = reasonOf(error);
      options.log?.('Custom resource failed', { requestType: request.RequestType, reason });
      await respond('FAILED', {}, reason);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The failure reason CloudFormation shows: the innermost error of the `cause` chain, in its own
 * words (the API's error name and message rather than a wrapper's).
 */
export function reasonOf(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root);
}
