// One Lambda execution environment: loads a shipped bundle once, then runs one invocation at a
// time as the parent asks over IPC. Its stdout (the function's logs) goes to the parent.
'use strict';

const bundle = require(process.env.BUNDLE_PATH);
const handler = bundle[process.env.BUNDLE_EXPORT];
const timeoutMs = Number(process.env.BUNDLE_TIMEOUT_MS || 30000);

if (typeof handler !== 'function') {
  process.send({ type: 'fatal', message: `${process.env.BUNDLE_EXPORT} is not exported by the bundle` });
  process.exit(1);
}

// Written to both streams after an invocation, before its result: the parent knows it then has
// every line the invocation logged (bundle-host.ts).
const END_MARKER = '\u0000bundle-host:end:';
const endOutput = (id) =>
  Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise((resolve) => stream.write(`${END_MARKER}${id}\n`, resolve)),
    ),
  );

process.on('message', async (request) => {
  const started = Date.now();
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || 'local';
  const context = {
    awsRequestId: request.id,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const result = await handler(request.event, context);
    await endOutput(request.id);
    process.send({ type: 'result', id: request.id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    await endOutput(request.id);
    process.send({
      type: 'result',
      id: request.id,
      ok: false,
      error: { name: failure.name, message: failure.message },
    });
  }
});

process.send({ type: 'ready', nodeVersion: process.version });
