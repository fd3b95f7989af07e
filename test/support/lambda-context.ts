import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context with `remainingMs` left from now. The request id is new unless given: Lambda
 * keeps it when it retries an asynchronous invocation, which tests of retries pass on purpose.
 */
export function lambdaContext(remainingMs = 30_000, requestId: string = randomUUID()): Context {
  const started = Date.now();
  return {
    awsRequestId: requestId,
    functionName: 'processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/processor',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs - (Date.now() - started),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
