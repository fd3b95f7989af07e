import * as path from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE } from '../../contracts';

/** The directory of the Lambda sources. */
export const LAMBDA_SOURCE_DIR = path.join(__dirname, '..', '..', 'lambda');

/**
 * Modules the bundles replace, for cold start (measured in docs/benchmarks.md). Paths are relative
 * to the project root, where esbuild runs, so asset hashes do not depend on the checkout's location.
 */
export const BUNDLE_ALIASES = {
  /** The SDK's default credential chain: the environment provider is the only one Lambda needs (lambda/shared/lambda-credentials.ts). */
  credentials: { '@aws-sdk/credential-provider-node': './lambda/shared/lambda-credentials.ts' },
  /** The SDK's event-stream support, which no function's operation uses (lambda/shared/no-event-streams.ts). */
  eventStreams: { '@smithy/core/event-streams': './lambda/shared/no-event-streams.ts' },
} as const;

/**
 * esbuild options of a function, chosen for cold start (measured in docs/benchmarks.md):
 * - `module` first lets esbuild take the AWS SDK's and Powertools' ES module builds, which
 *   tree-shake to a much smaller bundle than the CommonJS `main` builds the default picks;
 * - minified, but with names kept, so stack traces are readable without source maps; the maps
 *   ship with the code for offline use, but are not enabled at run time (`--enable-source-maps`
 *   adds about 7 ms to every cold start);
 * - the modules of {@link BUNDLE_ALIASES} replaced, the event-stream support unless
 *   `sdkEventStreams` keeps it.
 */
export function bundling(options: { readonly sdkEventStreams: boolean }): nodejs.BundlingOptions {
  const aliases: Record<string, string> = {
    ...BUNDLE_ALIASES.credentials,
    ...(options.sdkEventStreams ? {} : BUNDLE_ALIASES.eventStreams),
  };
  return {
    minify: true,
    keepNames: true,
    sourceMap: true,
    sourcesContent: false,
    format: nodejs.OutputFormat.CJS,
    mainFields: ['module', 'main'],
    // The runtime's SDK is not pinned; ours is, so it ships in the bundle.
    bundleAwsSDK: true,
    esbuildArgs: Object.fromEntries(Object.entries(aliases).map(([from, to]) => [`--alias:${from}`, to])),
    logLevel: nodejs.LogLevel.WARNING,
  };
}

/**
 * The esbuild options of the pipeline's own functions ({@link bundling} without event-stream
 * support), for a function of a team's own built the same way.
 */
export const BUNDLING: nodejs.BundlingOptions = bundling({ sdkEventStreams: false });

/** The shipped handler of a function folder under lambda/. */
export function shippedHandler(handlerDir: string): string {
  return path.join(LAMBDA_SOURCE_DIR, handlerDir, 'handler.ts');
}

/** Properties of a {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  /** The TypeScript file that exports `handler` (see {@link shippedHandler}). */
  readonly entry: string;
  readonly description: string;
  /**
   * The `service` of every log line and metric (Powertools): the pipeline's name prefix, so two
   * pipelines in one account never share metrics.
   */
  readonly serviceName: string;
  /** Days the function's logs are kept. */
  readonly logRetentionDays: logs.RetentionDays;
  /** Fate of the log group on stack deletion. */
  readonly removalPolicy: RemovalPolicy;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** @default - none beyond Powertools' */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * X-Ray active tracing. Costs $5 per million traces recorded (after the free tier) and adds the
   * X-Ray permissions to the role; the functions add no SDK instrumentation, so it shows Lambda's
   * own segments (init, invocation) only.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Whether the bundle keeps the AWS SDK's event-stream support. The clients of S3, Lambda, Bedrock
   * Runtime and Transcribe Streaming need it; the pipeline's own functions do not, and leaving it out
   * saves about 6 ms of every cold start (see lambda/shared/no-event-streams.ts).
   * @default false - left out: a client that needs it fails the build, an event-stream operation throws
   */
  readonly sdkEventStreams?: boolean;
}

/**
 * A Node.js function with the team's defaults: the newest Node.js runtime on arm64, a bundle built
 * by the local esbuild, an explicit log group with retention, and a role that may write to that log
 * group and nothing else until grants add to it.
 */
export class PipelineFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      bundling: bundling({ sdkEventStreams: props.sdkEventStreams === true }),

      environment: {
        [ENV.serviceName]: props.serviceName,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        ...props.environment,
      },
    });
    if (props.tracing === true) this.traceActively();
  }

  /**
   * Active X-Ray tracing, with its two permissions in a policy of their own, acknowledged there
   * alone: on the whole role, the acknowledgement would also silence any later grant on `*`.
   */
  private traceActively(): void {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const tracing = new iam.Policy(this, 'TracingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    // Lambda checks the role may write traces when the function is created with active tracing.
    this.function.node.addDependency(tracing);
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords take no resource: Resource * is the only form.',
    });
  }
}
