import { resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_ALIASES, BUNDLING, bundling } from '../../lib/constructs/pipeline-function';

const ROOT = resolve(__dirname, '..', '..');

describe('bundling', () => {
  const aliases = (sdkEventStreams: boolean) =>
    Object.keys(bundling({ sdkEventStreams }).esbuildArgs ?? {}).filter((arg) => arg.startsWith('--alias:'));

  test('replaces the SDK credential chain and its event-stream support by default', () => {
    expect(aliases(false)).toEqual([
      '--alias:@aws-sdk/credential-provider-node',
      '--alias:@smithy/core/event-streams',
    ]);
  });

  test("BUNDLING, the pipeline's own functions' options, leaves the event-stream support out", () => {
    expect(BUNDLING.esbuildArgs).toHaveProperty(['--alias:@smithy/core/event-streams']);
  });

  test('keeps the event-stream support when the function asks for it', () => {
    expect(aliases(true)).toEqual(['--alias:@aws-sdk/credential-provider-node']);
  });
});

describe('the event-stream stub', () => {
  /** Bundles a module that builds an S3 client, the way the shipped functions are bundled. */
  const buildS3Client = (alias: Record<string, string>) => () =>
    buildSync({
      absWorkingDir: ROOT,
      stdin: {
        contents: "import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client({});\n",
        resolveDir: ROOT,
        loader: 'ts',
      },
      write: false,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
      alias,
    });

  test('fails the build of a client that needs event streams, naming what is missing', () => {
    expect(buildS3Client({ ...BUNDLE_ALIASES.credentials, ...BUNDLE_ALIASES.eventStreams })).toThrow(
      /No matching export in "lambda\/shared\/no-event-streams.ts" for import "resolveEventStreamSerdeConfig"/,
    );
  });

  test('is not in the way of that client when the function keeps event streams', () => {
    expect(buildS3Client({ ...BUNDLE_ALIASES.credentials })).not.toThrow();
  });
});
