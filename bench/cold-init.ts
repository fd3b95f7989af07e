/**
 * Cold init, measured: the shipped bundles next to what aws-lambda-nodejs builds by default, and
 * the processor's bundle with one build choice changed at a time. Every sample is a fresh Node
 * process of the Lambda runtime's major that loads a bundle; samples of all bundles interleave, so
 * a busy moment of the machine falls on all of them alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, buildSync } from 'esbuild';
import { BUNDLE_ALIASES } from '../lib/constructs/pipeline-function';
import type { ShippedFunction } from '../local/assembly';
import { cdkJsonContext } from '../local/assembly';
import { LOCAL_AWS_ENV } from '../local/aws-env';
import { lambdaNodeBinary } from '../local/lambda-node';
import { median } from './stats';

const ROOT = join(__dirname, '..');

/** The functions the stack ships: the folder under lambda/ and the construct path of each. */
export const SHIPPED_FUNCTIONS = {
  'inbound-processor': 'InboundProcessor/Processor',
  'failure-recorder': 'Alerts/Recorder',
  'failure-digest': 'Alerts/Digest',
  'event-publisher': 'Events/Publisher',
  'media-archiver': 'Media/Archiver',
} as const;

/** One of {@link SHIPPED_FUNCTIONS}. */
export type FunctionName = keyof typeof SHIPPED_FUNCTIONS;

/** A bundle to load, with the environment its module scope reads. */
export interface InitSubject {
  readonly bundle: string;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The variables a function reads at init: the stack's literal values, and a stand-in of the right
 * shape for each reference to a resource (an ARN, a queue URL, a name), which CloudFormation would fill.
 */
export function initEnvironment(fn: ShippedFunction): Record<string, string> {
  const standIn = (name: string) => {
    if (name.endsWith('_ARN')) {
      return name.includes('SECRET')
        ? 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf'
        : 'arn:aws:sns:us-east-1:123456789012:bench';
    }
    if (name.endsWith('_URL')) return 'https://sqs.us-east-1.amazonaws.com/123456789012/bench';
    return 'bench';
  };
  return {
    ...fn.environment,
    ...Object.fromEntries(Object.keys(fn.references).map((name) => [name, standIn(name)])),
  };
}

/**
 * The same handlers as aws-lambda-nodejs bundles them by default (the AWS SDK left out and loaded
 * from node_modules, as Lambda would load the runtime's copy; CommonJS, not minified).
 */
export function synthesizeBaseline(outdir: string): Record<FunctionName, string> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const stack = new Stack(app, 'Baseline');
  for (const dir of Object.keys(SHIPPED_FUNCTIONS)) {
    new nodejs.NodejsFunction(stack, dir, {
      entry: join(ROOT, 'lambda', dir, 'handler.ts'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      bundling: { logLevel: nodejs.LogLevel.WARNING },
    });
  }
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, 'Baseline.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const bundles: Partial<Record<FunctionName, string>> = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || resource.Metadata === undefined) continue;
    const path = resource.Metadata['aws:cdk:path'] ?? '';
    const name = (Object.keys(SHIPPED_FUNCTIONS) as FunctionName[]).find((dir) => path.includes(`/${dir}/`));
    if (name !== undefined)
      bundles[name] = join(outdir, resource.Metadata['aws:asset:path'] ?? '', 'index.js');
  }
  const missing = Object.keys(SHIPPED_FUNCTIONS).filter((name) => !(name in bundles));
  if (missing.length > 0) throw new Error(`baseline bundles missing: ${missing.join(', ')}`);
  return bundles as Record<FunctionName, string>;
}

/** The shipped esbuild options (lib/constructs/pipeline-function.ts), for builds of one variant. */
const SHIPPED_OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node24',
  minify: true,
  keepNames: true,
  format: 'cjs',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  alias: { ...BUNDLE_ALIASES.credentials, ...BUNDLE_ALIASES.eventStreams },
};

/**
 * A function's handler built as it ships, with line breaks kept and a source map beside it
 * (`<outfile>.map`), for bench/init-profile.ts: V8 counts profile ticks per line.
 */
export function buildForProfile(name: FunctionName, outdir: string): string {
  mkdirSync(outdir, { recursive: true });
  return buildShipped(name, join(ROOT, 'lambda', name, 'handler.ts'), outdir, {
    minify: false,
    minifyIdentifiers: true,
    minifySyntax: true,
    sourcemap: 'linked',
  });
}

/** The package of each AWS SDK client a function builds at start. */
const CLIENT_PACKAGES = {
  DynamoDBClient: '@aws-sdk/client-dynamodb',
  EventBridgeClient: '@aws-sdk/client-eventbridge',
  SecretsManagerClient: '@aws-sdk/client-secrets-manager',
  SNSClient: '@aws-sdk/client-sns',
  SocialMessagingClient: '@aws-sdk/client-socialmessaging',
  SQSClient: '@aws-sdk/client-sqs',
} as const;

/** One of the AWS SDK clients of {@link FUNCTION_CLIENTS}. */
export type SdkClient = keyof typeof CLIENT_PACKAGES;

/** The AWS SDK clients each function's handler.ts builds at module scope (a test keeps them in step). */
export const FUNCTION_CLIENTS: Record<FunctionName, readonly SdkClient[]> = {
  'inbound-processor': ['DynamoDBClient', 'SecretsManagerClient', 'SocialMessagingClient'],
  'failure-recorder': ['DynamoDBClient'],
  'failure-digest': ['DynamoDBClient', 'SNSClient'],
  'event-publisher': ['EventBridgeClient', 'SQSClient'],
  'media-archiver': ['DynamoDBClient', 'SocialMessagingClient'],
};

/**
 * A module that builds these clients and the Powertools logger and metrics, and nothing of ours:
 * what a function on these libraries loads before any of its own code.
 */
export function floorEntry(clients: readonly SdkClient[]): string {
  return [
    ...clients.map((client) => `import { ${client} } from '${CLIENT_PACKAGES[client]}';`),
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    'export const built = [',
    ...clients.map((client) => `  new ${client}({}),`),
    '  new Logger({}),',
    "  new Metrics({ namespace: 'bench' }),",
    '];',
    '',
  ].join('\n');
}

/** Builds a module with the shipped options into `outdir/<name>.cjs`. */
function buildShipped(name: string, entry: string, outdir: string, options: BuildOptions = {}): string {
  const esm = options.format === 'esm';
  const outfile = join(outdir, `${name}.${esm ? 'mjs' : 'cjs'}`);
  buildSync({
    ...SHIPPED_OPTIONS,
    ...options,
    entryPoints: [entry],
    outfile,
    // Bundled CommonJS dependencies call require(); an ES module has none of its own.
    banner: esm
      ? { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" }
      : undefined,
  });
  return outfile;
}

/** The floor of every function ({@link floorEntry} of its {@link FUNCTION_CLIENTS}), built as shipped. */
export function buildFloors(outdir: string): Record<FunctionName, string> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const floors: Partial<Record<FunctionName, string>> = {};
  for (const name of Object.keys(SHIPPED_FUNCTIONS) as FunctionName[]) {
    const entry = join(outdir, `${name}.ts`);
    writeFileSync(entry, floorEntry(FUNCTION_CLIENTS[name]));
    floors[name] = buildShipped(name, entry, outdir);
  }
  return floors as Record<FunctionName, string>;
}

/** A variant of the processor's build, and what it tells. */
export interface InitVariant {
  readonly bundle: string;
  /** Set for a variant run with a warm V8 compile cache in this directory. */
  readonly compileCache?: string;
}

/**
 * The processor built with the shipped options, and with one thing changed at a time: no
 * `keepNames`, ES module output, a warm V8 compile cache; and its floor (`floor`, from
 * {@link buildFloors}), with and without the SocialMessaging client, which bounds what creating
 * that client on the first send could save.
 */
export function buildInitVariants(outdir: string, floor: string): Record<string, InitVariant> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const processor = join(ROOT, 'lambda', 'inbound-processor', 'handler.ts');
  const withoutMessaging = join(outdir, 'floor-without-socialmessaging.ts');
  writeFileSync(
    withoutMessaging,
    floorEntry(FUNCTION_CLIENTS['inbound-processor'].filter((c) => c !== 'SocialMessagingClient')),
  );
  const build = (name: string, entry: string, options: BuildOptions = {}) =>
    buildShipped(name, entry, outdir, options);
  const shipped = build('shipped', processor);
  const cache = join(outdir, 'compile-cache');
  return {
    'shipped options': { bundle: shipped },
    'without keepNames': { bundle: build('without-keepnames', processor, { keepNames: false }) },
    'ES module output': { bundle: build('esm', processor, { format: 'esm' }) },
    'shipped, V8 compile cache warm': { bundle: shipped, compileCache: cache },
    'floor: SDK clients and Powertools only': { bundle: floor },
    'floor without the SocialMessaging client': { bundle: build('floor-without', withoutMessaging) },
  };
}

/**
 * Runs the Lambda runtime's Node with `args`, with only PATH, the local stand-in credentials and
 * `environment` set; throws with its stderr when it fails.
 */
export function runLambdaNode(args: readonly string[], environment: Readonly<Record<string, string>>): void {
  const run = spawnSync(lambdaNodeBinary(), args, {
    env: { PATH: process.env.PATH, ...LOCAL_AWS_ENV, ...environment },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
}

/**
 * Median time, over `runs` fresh processes each, to load every subject, minus a bare process of
 * the same Node, all interleaved.
 */
export function coldInit(subjects: Record<string, InitSubject>, runs: number): Record<string, number> {
  const time = (args: string[], environment: Readonly<Record<string, string>>) => {
    const t0 = performance.now();
    runLambdaNode(args, environment);
    return performance.now() - t0;
  };
  const load = (subject: InitSubject) => ['-e', 'require(process.argv[1])', subject.bundle];
  // A warm cache is what a second start in the same place would find; the first start writes it.
  for (const subject of Object.values(subjects)) {
    if (subject.environment.NODE_COMPILE_CACHE !== undefined) time(load(subject), subject.environment);
  }
  const samples = new Map<string, number[]>([['bare', []]]);
  for (let i = 0; i < runs; i++) {
    samples.get('bare')?.push(time(['-e', ''], {}));
    for (const [name, subject] of Object.entries(subjects)) {
      const list = samples.get(name) ?? [];
      list.push(time(load(subject), subject.environment));
      samples.set(name, list);
    }
  }
  const bare = median(samples.get('bare') ?? []);
  return Object.fromEntries(
    Object.keys(subjects).map((name) => [name, median(samples.get(name) ?? []) - bare]),
  );
}

/** The subjects of {@link coldInit} for the variants, all with the processor's environment. */
export function variantSubjects(
  variants: Record<string, InitVariant>,
  environment: Readonly<Record<string, string>>,
): Record<string, InitSubject> {
  return Object.fromEntries(
    Object.entries(variants).map(([name, v]) => [
      name,
      {
        bundle: v.bundle,
        environment:
          v.compileCache === undefined ? environment : { ...environment, NODE_COMPILE_CACHE: v.compileCache },
      },
    ]),
  );
}
