/**
 * npm run bench: cold start, throughput at scale, log bytes, write units, requests and cost per
 * event, measured side by side with a baseline in the same run. Prints a report and writes
 * docs/benchmarks.md. Exits 1 when a target is missed. `--quick` runs smaller sizes (the report
 * says which ran). See docs/benchmarks.md for how to read it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PUBLISHER_STREAM_FILTERS } from '../contracts';
import { ConversationStore } from '../lambda/adapters/conversation-store';
import { CostStore } from '../lambda/adapters/cost-store';
import { EventBusPublisher } from '../lambda/adapters/event-bus';
import { FailureStore } from '../lambda/adapters/failure-store';
import { IdentityStore } from '../lambda/adapters/identity-store';
import { MediaArchiveStore } from '../lambda/adapters/media-archive-store';
import { MediaFetcher } from '../lambda/adapters/media-fetcher';
import { SendLedgerStore } from '../lambda/adapters/send-ledger-store';
import { UndeliveredEvents } from '../lambda/adapters/undelivered-events';
import { WhatsAppSender } from '../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../lambda/domain/auto-response';
import { reaction as reactionPayload, readReceipt as readReceiptPayload } from '../lambda/domain/outbound';
import { createEventPublisherHandler } from '../lambda/event-publisher/process';
import { createFailureHandler } from '../lambda/failure-recorder/process';
import { AutoResponder } from '../lambda/inbound-processor/auto-responder';
import { createInboundHandler } from '../lambda/inbound-processor/process';
import { createMediaArchiverHandler } from '../lambda/media-archiver/process';
import { uuidShapedDigest } from '../lambda/shared/digest';
import type { LoggerPort, MetricsPort } from '../lambda/shared/observability';
import { memoizedPseudonyms } from '../lambda/shared/privacy';
import type { CloudAssembly } from '../local/assembly';
import { localClientConfig } from '../local/aws-env';
import { BundleHost } from '../local/bundle-host';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import {
  envelope,
  inboundValue,
  LOCAL_BUSINESS,
  messageFailedEvent,
  newWamid,
  snsEventOf,
  statusValue,
} from '../local/events';
import { lambdaNodeBinary } from '../local/lambda-node';
import { LocalPipeline, synthesizeLocalAssembly } from '../local/pipeline';
import { countRequests } from '../local/request-counter';
import { LOCAL_PSEUDONYM_SECRET, SocialMessagingSimulator } from '../local/socialmessaging-simulator';
import { StreamPoller } from '../local/stream-poller';
import { createLocalTable } from '../local/tables';
import { runCli } from '../ops/cli';
import { ConversationReader } from '../ops/conversation-reader';
import { BENCH_USAGE, type BenchPlan, benchPlan } from './args';
import {
  buildFloors,
  buildForProfile,
  buildInitVariants,
  coldInit,
  type FunctionName,
  type InitSubject,
  initEnvironment,
  SHIPPED_FUNCTIONS,
  synthesizeBaseline,
  variantSubjects,
} from './cold-init';
import { type CapacityTotals, describeCapacity, meterWriteCapacity } from './consumed-capacity';
import {
  type CostLines,
  combinedUsage,
  costPerMillion,
  type EventUsage,
  PLATFORM_LOG_BYTES_PER_INVOCATION,
  PRICES,
  PRICES_AS_OF,
} from './cost-model';
import { profileInit } from './init-profile';
import { answeredWamid, inboundBurst, statusStorm } from './scale';
import { median, percentile, runConcurrently } from './stats';

const ROOT = join(__dirname, '..');
const QUICK = process.argv.includes('--quick');
/** What each run measures: the full run within five minutes on two cores; `--quick`, a tenth of the scale runs, in under two. */
const SIZE = QUICK
  ? {
      name: 'quick (`npm run bench -- --quick`)',
      coldRuns: 11,
      profileRuns: 6,
      warm: [
        { latencyMs: 0, events: 200 },
        { latencyMs: 60, events: 60 },
      ],
      storm: { statuses: 10_000, wamids: 1_000 },
      burst: { messages: 200, customers: 50 },
      logEvents: 20,
    }
  : {
      name: 'full (`npm run bench`)',
      coldRuns: 17,
      profileRuns: 12,
      warm: [
        { latencyMs: 0, events: 300 },
        { latencyMs: 60, events: 100 },
      ],
      storm: { statuses: 100_000, wamids: 10_000 },
      burst: { messages: 2_000, customers: 500 },
      logEvents: 30,
    };
/** Parallel Lambda instances of the warm rows, and of the scale runs. */
const CONCURRENCY = 4;
const INSTANCES = 8;
const MEMORY_MB = 256;
/** The target: every function's cold init at most this share of the baseline's (#16). */
const COLD_INIT_TARGET = 0.45;
/** Milliseconds the target leaves a function over its floor (negative: the floor alone misses it). */
const roomUnderTarget = (floorMs: number, baselineMs: number) => COLD_INIT_TARGET * baselineMs - floorMs;
/** Share of the burst delivered twice. */
const REDELIVERY_SHARE = 0.1;

const report: string[] = [];
const targets: { name: string; met: boolean; detail: string }[] = [];
const out = (line = '') => {
  console.log(line);
  report.push(line);
};
const target = (name: string, met: boolean, detail: string) => targets.push({ name, met, detail });
const ms = (n: number) => `${n.toFixed(1)} ms`;
const usd = (n: number) => n.toFixed(2);
const thousands = (n: number) => n.toLocaleString('en-US');

const silentLogger: LoggerPort = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
};
const noMetrics: MetricsPort = { count: () => undefined, gauge: () => undefined, flush: () => undefined };

/**
 * An SNS event whose MessageId is a UUID, as SNS's are, derived from `key` so that a redelivery
 * carries the same id: log lines carry the id, so its length counts in the log bytes.
 */
const snsEvent = (message: string, key: string) => snsEventOf(message, uuidShapedDigest(key));
const customer = (i: number) => ({ phone: `1425555${String(i).padStart(4, '0')}`, name: `Customer ${i}` });
const inboundText = (i: number, wamid: string, body = `Message ${i}`) =>
  snsEvent(
    envelope([inboundValue(customer(i), { wamid, type: 'text', at: new Date(), payload: { body } })]),
    `sns-${wamid}`,
  );
const statusOf = (i: number, wamid: string, status: string, at: Date) =>
  snsEvent(envelope([statusValue(customer(i), [{ wamid, status, at }])]), `status-${wamid}-${status}`);

async function main(plan: BenchPlan): Promise<void> {
  reportHeader();
  // 1. Cold init of every function, shipped and baseline side by side.
  progress('1. Cold init of every function');
  const cold = coldInitSection();
  // 1b. The processor's build, one change at a time, and the floor.
  progress("1b. The processor's build");
  const shippedVariant = variantsSection(cold);
  // 1c. Where the processor's cold init goes.
  progress("1c. Where the processor's cold init goes");
  profileSection(cold, shippedVariant);

  // 2. Local parts.
  progress('2. Local parts');
  const parts = await startParts(cold.assembly);
  try {
    // 3. Warm per-event cost through the shipped bundle.
    progress('3. Warm per-event cost through the shipped bundle');
    await warmSection(parts);
    // 4. Scale, first the burst of inbound messages (the storm runs last: it leaves DynamoDB Local slowest).
    progress('4. Scale');
    const burst = await burstRun(parts);
    // 5. Log bytes and durations per event, per function, through the whole local pipeline.
    progress('5. Log bytes and durations per event');
    parts.simulator.reset();
    const perFunction = await measurePipeline(
      cold.assembly,
      parts.dynamo.endpoint,
      parts.simulator,
      parts.tableName(),
    );
    // 6. Write units, requests and events per event, counted at the clients (the bundles' code, from source).
    progress('6. Write units');
    parts.simulator.reset();
    const counted = await measureRequests(parts.dynamo.endpoint, parts.simulator, await parts.newTable());
    // 7. Concurrent vs sequential read receipt + reaction at 60 ms.
    progress('7. Concurrent vs sequential read receipt + reaction at 60 ms');
    await concurrentSendsSection(parts);
    // 8. The status storm, and the report of both scale runs.
    progress('8. The status storm');
    scaleSection(await stormRun(parts), burst);
    // 9. Cost, from the measurements above.
    progress('9. Cost');
    reportCost(perFunction, counted);
  } finally {
    parts.client.destroy();
    await parts.simulator.stop();
    await parts.dynamo.stop();
  }
  targetsSection();
  readingSection();

  if (plan.write) writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), `${report.join('\n')}\n`);
  else console.error('bench: docs/benchmarks.md left as it is (--write rewrites it)');
  const missed = targets.filter((t) => !t.met);
  if (missed.length > 0) {
    console.error(`\n${missed.length} target(s) missed: ${missed.map((t) => t.name).join('; ')}`);
    process.exitCode = 1;
  }
}

const benchStarted = Date.now();
/** Where a run's time goes, on stderr, so a run near the time bound shows what to trim. */
const progress = (section: string) =>
  console.error(`bench: ${section} at ${Math.round((Date.now() - benchStarted) / 1000)} s`);

function reportHeader(): void {
  out('# Benchmarks');
  out();
  out(
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, tooling on Node ${process.version}; bundles and cold init on ${execFileSync(lambdaNodeBinary(), ['--version'], { encoding: 'utf8' }).trim()} (the Lambda runtime's major).`,
  );
  out(
    `Sizes: ${SIZE.name}. Local parts: DynamoDB Local (Java, in memory) and the SocialMessaging simulator on 127.0.0.1.`,
  );
  out();
}

/** What the cold-init sections share: the assembly, the baseline and floor bundles, and each function's environment. */
interface ColdInit {
  readonly assembly: CloudAssembly;
  readonly baseline: Record<FunctionName, string>;
  readonly floors: Record<FunctionName, string>;
  readonly environments: Record<FunctionName, Record<string, string>>;
}

function coldInitSection(): ColdInit {
  const assembly = synthesizeLocalAssembly();
  const baseline = synthesizeBaseline(join(ROOT, '.cache', 'bench-baseline'));
  const floors = buildFloors(join(ROOT, '.cache', 'bench-floors'));
  const functionNames = Object.keys(SHIPPED_FUNCTIONS) as FunctionName[];
  const environments = Object.fromEntries(
    functionNames.map((name) => [name, initEnvironment(assembly.function(SHIPPED_FUNCTIONS[name]))]),
  ) as Record<FunctionName, Record<string, string>>;
  const subjects: Record<string, InitSubject> = {};
  for (const name of functionNames) {
    subjects[`shipped ${name}`] = {
      bundle: assembly.function(SHIPPED_FUNCTIONS[name]).bundlePath,
      environment: environments[name],
    };
    subjects[`baseline ${name}`] = { bundle: baseline[name], environment: environments[name] };
    subjects[`floor ${name}`] = { bundle: floors[name], environment: environments[name] };
  }
  const init = coldInit(subjects, SIZE.coldRuns);
  out('## Bundles and cold init');
  out();
  out(
    `Cold init: median over ${SIZE.coldRuns} fresh Node processes of loading the bundle (its module scope: clients, schemas, configuration), minus bare \`node\`. Every run loads every bundle in turn, shipped and baseline side by side.`,
  );
  out();
  out('| Function | Build | Minified bytes | Gzip bytes | Cold init | vs baseline | Target | Met |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const ratios: Record<string, number> = {};
  for (const name of functionNames) {
    const shippedMs = init[`shipped ${name}`] ?? Number.NaN;
    const baselineMs = init[`baseline ${name}`] ?? Number.NaN;
    const ratio = shippedMs / baselineMs;
    ratios[name] = ratio;
    const met = ratio <= COLD_INIT_TARGET;
    for (const [build, bundle, value] of [
      ['shipped', subjects[`shipped ${name}`]?.bundle ?? '', shippedMs],
      ['floor (its SDK clients and Powertools only)', floors[name], init[`floor ${name}`] ?? Number.NaN],
      ['baseline (aws-lambda-nodejs defaults)', baseline[name], baselineMs],
    ] as const) {
      const code = readFileSync(bundle);
      const shippedRow = build === 'shipped';
      out(
        `| ${name} | ${build} | ${code.length} | ${gzipSync(code).length} | ${ms(value)} | ${(value / baselineMs).toFixed(2)}× | ${shippedRow ? `≤ ${COLD_INIT_TARGET}×` : ''} | ${shippedRow ? (met ? 'yes' : '**no**') : ''} |`,
      );
    }
    target(`Cold init of ${name} ≤ ${COLD_INIT_TARGET}× baseline`, met, `${ratio.toFixed(2)}×`);
  }
  out();
  out(
    'The baseline leaves the AWS SDK out of the bundle, as aws-lambda-nodejs does by default, and loads it from',
  );
  out("node_modules (CommonJS builds), as Lambda would load the runtime's SDK. Its size excludes that SDK.");
  out(
    "A floor builds only the SDK clients the function's module scope builds, and the Powertools logger and metrics, with the shipped options: what the function loads before any code of its own.",
  );
  const headroom = functionNames.map((name) => {
    const floorMs = init[`floor ${name}`] ?? Number.NaN;
    const own = (init[`shipped ${name}`] ?? Number.NaN) - floorMs;
    const left = roomUnderTarget(floorMs, init[`baseline ${name}`] ?? Number.NaN);
    return `${name} ${ms(own)} (target leaves ${ms(left)})`;
  });
  out(`Own code over the floor, in this run: ${headroom.join('; ')}.`);
  out();
  return { assembly, baseline, floors, environments };
}

/** @returns the cold init of the shipped options, in the variants' runs */
function variantsSection({ baseline, floors, environments }: ColdInit): number {
  const variants = buildInitVariants(join(ROOT, '.cache', 'bench-variants'), floors['inbound-processor']);
  // The baseline again, in these same interleaved runs, so every ratio of this table is of one moment.
  const BASELINE = 'baseline (aws-lambda-nodejs defaults)';
  const variantInit = coldInit(
    {
      ...variantSubjects(variants, environments['inbound-processor']),
      [BASELINE]: { bundle: baseline['inbound-processor'], environment: environments['inbound-processor'] },
    },
    SIZE.coldRuns,
  );
  const processorBaseline = variantInit[BASELINE] ?? Number.NaN;
  const shippedVariant = variantInit['shipped options'] ?? Number.NaN;
  out('### Cold init of inbound-processor, one change at a time');
  out();
  out(
    `Each row changes one thing of the shipped build (esbuild, minified, CommonJS, \`mainFields: module, main\`), in the same interleaved runs (${SIZE.coldRuns} each). The floor rows bundle only what the processor builds from libraries at start (the DynamoDB, Secrets Manager and SocialMessaging clients, the Powertools logger and metrics) and none of its code.`,
  );
  out();
  out('| Build | Minified bytes | Cold init | vs shipped options | vs baseline |');
  out('| --- | ---: | ---: | ---: | ---: |');
  const rows: [string, string][] = [
    ...Object.entries(variants).map(([n, v]): [string, string] => [n, v.bundle]),
    [BASELINE, baseline['inbound-processor']],
  ];
  for (const [name, bundle] of rows) {
    const value = variantInit[name] ?? Number.NaN;
    out(
      `| ${name} | ${readFileSync(bundle).length} | ${ms(value)} | ${(value / shippedVariant).toFixed(2)}× | ${(value / processorBaseline).toFixed(2)}× |`,
    );
  }
  const floor = variantInit['floor: SDK clients and Powertools only'] ?? Number.NaN;
  const floorWithout = variantInit['floor without the SocialMessaging client'] ?? Number.NaN;
  const room = roomUnderTarget(floor, processorBaseline);
  out();
  out(
    `The floor is ${(floor / processorBaseline).toFixed(2)}× the baseline: the SDK clients and Powertools alone ${
      room >= 0
        ? `leave ${room.toFixed(1)} ms under the ${COLD_INIT_TARGET}× target for all of the processor's own code (decoders, stores, policy)`
        : `are ${(-room).toFixed(1)} ms over the ${COLD_INIT_TARGET}× target before any of the processor's own code (decoders, stores, policy)`
    }. ${
      floor > floorWithout
        ? `The SocialMessaging client adds ${(floor - floorWithout).toFixed(1)} ms to it, the most that creating it on the first send could save.`
        : `Without the SocialMessaging client the floor was no faster in this run (${ms(floorWithout)}): creating it on the first send would save less than the run's noise.`
    }`,
  );
  out();
  return shippedVariant;
}

function profileSection({ environments }: ColdInit, shippedVariant: number): void {
  const profiled = profileInit(
    buildForProfile('inbound-processor', join(ROOT, '.cache', 'bench-profile')),
    environments['inbound-processor'],
    SIZE.profileRuns,
    join(ROOT, '.cache', 'bench-profile', 'cpu'),
  );
  out("### Where the processor's cold init goes");
  out();
  out(
    `CPU profiles of ${profiled.runs} fresh processes loading the processor, less as many bare processes, each sample put down to the code it ran. The bundle is the shipped build with its line breaks kept and a source map (V8 counts ticks per line). Profiling slows a process down (${ms(profiled.totalMs)} here, ${ms(shippedVariant)} unprofiled): read the shares.`,
  );
  out();
  out('| Spent on | Profiled | Share |');
  out('| --- | ---: | ---: |');
  for (const [share, value] of profiled.shares) {
    out(`| ${share} | ${ms(value)} | ${((100 * value) / profiled.totalMs).toFixed(0)}% |`);
  }
  out();
  out(readFileSync(join(ROOT, 'bench', 'cold-init-notes.md'), 'utf8').trimEnd());
  out();
}

/** The local parts of the runtime sections, and helpers to make and drop their tables and hosts. */
type Parts = Awaited<ReturnType<typeof startParts>>;

async function startParts(assembly: CloudAssembly) {
  const dynamo = await startDynamoDbLocal();
  const simulator = await SocialMessagingSimulator.start();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const table = assembly.table();
  let tables = 0;
  const tableName = () => `bench-${++tables}`;
  const newTable = async (definition = table) => {
    const name = tableName();
    await createLocalTable(client, definition, name);
    return name;
  };
  // DynamoDB Local keeps every stream record in its database and scans them in a background job
  // that holds the table lock, so it slows down as they pile up (after the 100,000-status storm, a
  // burst ran at a sixth of its speed). The processor's runs need no stream (the publisher is
  // measured on its own below), so their tables have none, and each run drops its table when done.
  const withoutStream = { ...table, create: { ...table.create, StreamSpecification: undefined } };
  const dropTable = (name: string) => client.send(new DeleteTableCommand({ TableName: name }));
  const hosts = async (name: string, count: number) => {
    const fn = assembly.function(SHIPPED_FUNCTIONS['inbound-processor']);
    const started = Array.from({ length: count }, () =>
      BundleHost.forFunction(fn, {
        CONVERSATION_TABLE_NAME: name,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SOCIALMESSAGING: simulator.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: simulator.endpoint,
        PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    );
    await Promise.all(started.map((h) => h.start()));
    return started;
  };
  /** `count` processors on a table of their own without a stream, stopped and dropped after `work`. */
  const withProcessors = async <T>(
    count: number,
    work: (processors: BundleHost[], table: string) => Promise<T>,
  ) => {
    const name = await newTable(withoutStream);
    const processors = await hosts(name, count);
    const result = await work(processors, name);
    await Promise.all(processors.map((h) => h.stop()));
    await dropTable(name);
    return result;
  };
  return { dynamo, simulator, client, tableName, newTable, withProcessors };
}

async function warmSection({ simulator, withProcessors }: Parts): Promise<void> {
  out('## Warm per-event cost (shipped bundle, one process per Lambda instance)');
  out();
  out(
    `Events delivered by ${CONCURRENCY} parallel instances; latency per event is the invocation round trip.`,
  );
  out();
  out('| Event | API latency | Events | Events/s | p50 | p99 |');
  out('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const { latencyMs, events: count } of SIZE.warm) {
    simulator.reset();
    simulator.latencyMs = latencyMs;
    await withProcessors(CONCURRENCY, async (instances) => {
      const wamids = Array.from({ length: count }, () => newWamid());
      const row = async (label: string, events: unknown[]) => {
        const { latencies, wallMs } = await runConcurrently(events, CONCURRENCY, async (event, worker) => {
          const result = await instances[worker]?.invoke(event);
          if (!result?.ok) throw new Error(`${label} failed: ${JSON.stringify(result)}`);
        });
        out(
          `| ${label} | ${latencyMs} ms | ${events.length} | ${((events.length / wallMs) * 1000).toFixed(0)} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} |`,
        );
      };
      await row(
        'new inbound text',
        wamids.map((w, i) => inboundText(i, w)),
      );
      await row(
        'status update',
        wamids.map((w, i) => statusOf(i, w, 'delivered', new Date())),
      );
      await row(
        'duplicate redelivery',
        wamids.map((w, i) => inboundText(i, w)),
      );
    });
  }
  out();
}

async function burstRun({ simulator, client, withProcessors }: Parts) {
  simulator.reset();
  return withProcessors(INSTANCES, (processors, table) =>
    inboundBurst({
      hosts: processors,
      reader: new ConversationReader(client, table),
      messages: SIZE.burst.messages,
      customers: SIZE.burst.customers,
      redeliveryShare: REDELIVERY_SHARE,
      businessPhoneNumberId: LOCAL_BUSINESS.metaPhoneNumberId,
      customer,
      snsEvent,
      sentSince: () => simulator.sent,
    }),
  );
}

async function concurrentSendsSection({ simulator }: Parts): Promise<void> {
  simulator.reset();
  simulator.latencyMs = 60;
  const messaging = new SocialMessagingClient({ ...localClientConfig(simulator.endpoint), maxAttempts: 1 });
  const sender = new WhatsAppSender({ client: messaging, metaApiVersion: 'v24.0' });
  const deadline = () => Date.now() + 10_000;
  const receipt = readReceiptPayload('wamid.BENCH', false);
  const reaction = reactionPayload('wamid.BENCH', '👍', { to: '14255550150' });
  const concurrent: number[] = [];
  const sequential: number[] = [];
  for (let i = 0; i < 30; i++) {
    let t0 = performance.now();
    await Promise.all([
      sender.send(LOCAL_BUSINESS.originationPhoneNumberId, receipt, deadline()),
      sender.send(LOCAL_BUSINESS.originationPhoneNumberId, reaction, deadline()),
    ]);
    concurrent.push(performance.now() - t0);
    t0 = performance.now();
    await sender.send(LOCAL_BUSINESS.originationPhoneNumberId, receipt, deadline());
    await sender.send(LOCAL_BUSINESS.originationPhoneNumberId, reaction, deadline());
    sequential.push(performance.now() - t0);
  }
  messaging.destroy();
  const ratio = median(concurrent) / median(sequential);
  out('## Read receipt + reaction at 60 ms API latency (median of 30)');
  out();
  out('| Concurrent | Sequential | Ratio |');
  out('| ---: | ---: | ---: |');
  out(`| ${ms(median(concurrent))} | ${ms(median(sequential))} | ${ratio.toFixed(2)}× |`);
  out();
  target('Concurrent receipt + reaction ≤ 0.6× sequential at 60 ms', ratio <= 0.6, `${ratio.toFixed(2)}×`);
}

async function stormRun({ simulator, client, withProcessors }: Parts) {
  simulator.reset();
  return withProcessors(INSTANCES, (processors, table) =>
    statusStorm({
      hosts: processors,
      reader: new ConversationReader(client, table),
      statuses: SIZE.storm.statuses,
      wamids: SIZE.storm.wamids,
      customer,
      snsEvent,
    }),
  );
}

function scaleSection(
  storm: Awaited<ReturnType<typeof statusStorm>>,
  burst: Awaited<ReturnType<typeof inboundBurst>>,
): void {
  out('## Scale (shipped bundle, DynamoDB Local)');
  out();
  out(
    `${INSTANCES} parallel instances of the processor, one notification per invocation, on the same table. The storm has ${thousands(storm.statuses)} statuses over ${thousands(storm.wamids)} wamids (sent, delivered and read, each delivered several times), shuffled. The burst has ${thousands(burst.messages)} inbound texts from ${thousands(burst.customers)} customers, ${thousands(burst.redeliveries)} of them delivered twice anywhere in the stream; a failed invocation (another instance is answering the same message) is retried, as Lambda retries it.`,
  );
  out();
  out('| Run | Invocations | Events/s | p50 | p99 | Outcome |');
  out('| --- | ---: | ---: | ---: | ---: | --- |');
  out(
    `| status storm | ${thousands(storm.invocations)} | ${((storm.invocations / storm.wallMs) * 1000).toFixed(0)} | ${ms(storm.p50Ms)} | ${ms(storm.p99Ms)} | ${storm.lost} wamids with a lost status, ${storm.regressed} with a regressed \`status\` |`,
  );
  out(
    `| inbound burst | ${thousands(burst.invocations)} | ${((burst.invocations / burst.wallMs) * 1000).toFixed(0)} | ${ms(burst.p50Ms)} | ${ms(burst.p99Ms)} | ${burst.unrecorded} unrecorded, ${burst.notAnsweredOnce} not answered exactly once, ${burst.wrongCounters} conversations with a wrong count; ${burst.retried} invocations retried |`,
  );
  out();
  target(
    `Status storm (${thousands(storm.statuses)} over ${thousands(storm.wamids)} wamids): 0 lost, 0 regressed`,
    storm.lost === 0 && storm.regressed === 0,
    `${storm.lost} lost, ${storm.regressed} regressed`,
  );
  target(
    `Burst (${thousands(burst.messages)} from ${thousands(burst.customers)}, 10% redelivered): recorded once, answered once, counters exact`,
    burst.unrecorded === 0 && burst.notAnsweredOnce === 0 && burst.wrongCounters === 0,
    `${burst.unrecorded} unrecorded, ${burst.notAnsweredOnce} not answered once, ${burst.wrongCounters} wrong counters`,
  );
}

function targetsSection(): void {
  out('## Targets');
  out();
  out('| Target | Result | Met |');
  out('| --- | --- | --- |');
  for (const t of targets) out(`| ${t.name} | ${t.detail} | ${t.met ? 'yes' : '**no**'} |`);
  out();
  const seconds = Math.round((Date.now() - benchStarted) / 1000);
  out(
    `This ${QUICK ? 'quick' : 'full'} run took ${seconds} s${QUICK ? '' : `; \`npm run bench -- --quick\` runs a tenth of the scale runs`}.`,
  );
}

function readingSection(): void {
  out(); // Limits from the documentation, not measurements: kept in a file of their own, copied verbatim.
  out(readFileSync(join(ROOT, 'bench', 'throughput-ceiling.md'), 'utf8').trimEnd());
  out();
  out('## How to read this');
  out();
  out('- Cold init is what every fork pays on each new Lambda execution environment; the shipped bundle is');
  out('  minified and resolves ES module builds (`mainFields: module, main`), so it loads less code.');
  out(
    '- Warm numbers include IPC to the local execution environment and DynamoDB Local, which is much slower',
  );
  out('  than DynamoDB; compare rows with each other, not with production latencies.');
  out('- Requests and write units per event are what the code sends; they hold in production.');
  out(
    '- Rerun with `npm run bench -- --write` to rewrite this file (`-- --quick` for a shorter run, printed only).',
  );
}

/** The AWS message ids of the reactions the pipeline sent, oldest first: messages a failure can be about. */
function sentReactionIds(simulator: SocialMessagingSimulator): string[] {
  const ids = simulator.sent
    .filter((request) => answeredWamid(request)?.action === 'reaction')
    .map((request) => request.outcome.messageId);
  if (ids.length === 0) throw new Error('no reaction was sent');
  return ids;
}

/** Per event kind and function: bytes logged, lines, invocations and durations per event. */
interface FunctionFigures {
  readonly bytes: number;
  readonly emfBytes: number;
  readonly lines: number;
  readonly invocations: number;
  readonly p50Ms: number;
}
type PipelineFigures = Record<string, Record<string, FunctionFigures>>;

const FUNCTION_LABELS: Record<string, string> = {
  processor: 'inbound-processor',
  recorder: 'failure-recorder',
  digest: 'failure-digest',
  publisher: 'event-publisher',
};

/**
 * Runs each event kind through the local pipeline (the stack's bundles, at the shipped log level,
 * metrics on) and reads what each function wrote and how long it ran. The publisher runs after each
 * event: an idle pipeline, where each change is an invocation of its own.
 */
async function measurePipeline(
  assembly: ReturnType<typeof synthesizeLocalAssembly>,
  dynamoDbEndpoint: string,
  simulator: SocialMessagingSimulator,
  tableName: string,
): Promise<PipelineFigures> {
  const pipeline = await LocalPipeline.start({ assembly, dynamoDbEndpoint, simulator, tableName });
  const archiverId = assembly.function(SHIPPED_FUNCTIONS['media-archiver']).logicalId;
  const label = (name: string) => (name === archiverId ? 'media-archiver' : (FUNCTION_LABELS[name] ?? name));
  const invoke = async (
    run: () => Promise<{ ok: boolean } | { matched: boolean; recorder?: { ok: boolean } }>,
  ) => {
    const result = await run();
    const ok = 'ok' in result ? result.ok : result.recorder?.ok === true;
    if (!ok) throw new Error(`pipeline event failed: ${JSON.stringify(result)}`);
    await pipeline.settle();
  };
  let media = 0;
  const kinds: Record<string, () => Promise<void>> = {
    'answered inbound text': () => invoke(() => pipeline.invokeProcessor(inboundText(1, newWamid()))),
    'status update': () =>
      invoke(() => pipeline.invokeProcessor(statusOf(1, newWamid(), 'delivered', new Date()))),
    'media message (archived)': () => {
      const mediaId = String(1479537139650000 + ++media);
      simulator.media.set(mediaId, { mimeType: 'image/jpeg', size: 86_016 });
      const wamid = newWamid();
      return invoke(() =>
        pipeline.invokeProcessor(
          snsEvent(
            envelope([
              inboundValue(customer(2), {
                wamid,
                type: 'image',
                at: new Date(),
                payload: { id: mediaId, mime_type: 'image/jpeg', sha256: 'x' },
              }),
            ]),
            `media-${wamid}`,
          ),
        ),
      );
    },
    'failure recorded': () => {
      // A failure of a reaction the pipeline sent: the recorder finds its message.
      const sent = sentReactionIds(simulator).at(-1) ?? '';
      return invoke(() =>
        pipeline.putEvent(
          messageFailedEvent(sent, new Date(), { code: 131026, title: 'Message undeliverable' }),
        ),
      );
    },
  };
  const duplicateOf = newWamid();
  kinds['duplicate redelivery'] = () => invoke(() => pipeline.invokeProcessor(inboundText(3, duplicateOf)));
  try {
    // Cold-start lines (the ColdStart metric, the pseudonym key) are not per event.
    await kinds['answered inbound text']?.();
    await kinds['media message (archived)']?.();
    await kinds['failure recorded']?.();
    await kinds['duplicate redelivery']?.();
    const figures: PipelineFigures = {};
    for (const [kind, run] of Object.entries(kinds)) {
      const before = Object.fromEntries(
        Object.entries(pipeline.functionRuns()).map(([name, r]) => [
          name,
          { lines: r.output.length, runs: r.durationsMs.length },
        ]),
      );
      for (let i = 0; i < SIZE.logEvents; i++) await run();
      const byFunction: Record<string, FunctionFigures> = {};
      for (const [name, r] of Object.entries(pipeline.functionRuns())) {
        const lines = r.output.slice(before[name]?.lines ?? 0);
        const durations = r.durationsMs.slice(before[name]?.runs ?? 0);
        if (durations.length === 0) continue;
        const bytes = (filter: (line: string) => boolean) =>
          lines.filter(filter).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) / SIZE.logEvents;
        byFunction[label(name)] = {
          bytes: bytes(() => true),
          emfBytes: bytes((line) => line.includes('"_aws"')),
          lines: lines.length / SIZE.logEvents,
          invocations: durations.length / SIZE.logEvents,
          p50Ms: percentile(durations, 50),
        };
      }
      figures[kind] = byFunction;
    }
    out('## Log bytes and durations per event, by function (shipped bundles, shipped log level)');
    out();
    out(
      `${SIZE.logEvents} events of each kind through the local pipeline: the stack's bundles with their environment, at the shipped log level (INFO), metrics on, the event publisher run after each event (an idle pipeline: every change is an invocation of its own; under load one invocation takes up to 100). Bytes are the functions' own output (JSON log lines and EMF metric documents), without Lambda's platform records; durations are the invocation round trip to the local execution environment.`,
    );
    out();
    out(
      '| Event | Function | Bytes per event | of which EMF | Lines per event | Invocations per event | Duration p50 | Target | Met |',
    );
    out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    const logTargets: Record<string, number> = { 'answered inbound text': 600, 'status update': 300 };
    for (const [kind, byFunction] of Object.entries(figures)) {
      for (const [name, f] of Object.entries(byFunction)) {
        const goal = name === 'inbound-processor' ? logTargets[kind] : undefined;
        const met = goal === undefined ? undefined : f.bytes <= goal;
        out(
          `| ${kind} | ${name} | ${f.bytes.toFixed(0)} | ${f.emfBytes.toFixed(0)} | ${f.lines.toFixed(1)} | ${f.invocations.toFixed(1)} | ${ms(f.p50Ms)} | ${goal === undefined ? '' : `≤ ${goal}`} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`,
        );
        if (goal !== undefined) {
          target(
            `Log bytes of the processor per ${kind} ≤ ${goal}`,
            f.bytes <= goal,
            `${f.bytes.toFixed(0)} bytes`,
          );
        }
      }
    }
    out();
    out(
      'What is left in a line: `level`, `message`, `timestamp`, `function_request_id` and the event\'s correlation keys (`snsMessageId`, and for a message `messageRef`, `customer`, `type`); a status writes only its EMF document. See docs/runbook.md, "What the logs hold".',
    );
    out();
    return figures;
  } finally {
    await pipeline.stop();
  }
}

/** What {@link measureRequests} counted for one event. */
interface Counted {
  readonly capacity: CapacityTotals;
  readonly reads: number;
  readonly writeRequests: number;
  readonly itemWrites: number;
  readonly sends: number;
  readonly published: {
    readonly streamRecords: number;
    readonly filtered: number;
    readonly invocations: number;
    readonly putEvents: number;
    readonly entries: number;
  };
}
interface RequestFigures {
  readonly perEvent: Record<string, Counted>;
  /** Write units of a message's 1st to 10th status, in order. */
  readonly statusSequence: readonly number[];
  readonly longText: Counted;
  readonly failure: CapacityTotals;
  readonly archive: CapacityTotals;
  readonly publish: CapacityTotals;
}

const totalUnits = (c: CapacityTotals) => c.table + [...c.indexes.values()].reduce((a, b) => a + b, 0);

/**
 * Runs the functions' code from source against counting clients: DynamoDB requests and the write
 * units DynamoDB reports for them, sends, stream records and events published.
 */
async function measureRequests(
  dynamoDbEndpoint: string,
  simulator: SocialMessagingSimulator,
  tableName: string,
): Promise<RequestFigures> {
  const dynamoCounted = new DynamoDBClient(localClientConfig(dynamoDbEndpoint));
  const messaging = new SocialMessagingClient({ ...localClientConfig(simulator.endpoint), maxAttempts: 1 });
  const dynamoCounts = countRequests(dynamoCounted);
  const capacity = meterWriteCapacity(dynamoCounted);
  const sendCounts = countRequests(messaging);
  const store = new ConversationStore({ client: dynamoCounted, tableName, retentionDays: 30 });
  // Assembled as runtime.ts assembles the shipped processor: identities, cost counts and a sender
  // that records every send in the ledger, so the figures count their requests too.
  const sender = new WhatsAppSender({
    client: messaging,
    metaApiVersion: 'v24.0',
    ledger: {
      store: new SendLedgerStore({ client: dynamoCounted, tableName, retentionDays: 30 }),
      onWriteError: (error) => {
        throw error;
      },
    },
  });
  const handler = createInboundHandler({
    pseudonyms: memoizedPseudonyms(async () => 'bench-pseudonym-key-0123456789abcdefghijkl'),
    store,
    identities: new IdentityStore({ client: dynamoCounted, tableName, retentionDays: 30 }),
    costs: new CostStore({ client: dynamoCounted, tableName, retentionDays: 30 }),
    logger: silentLogger,
    metrics: noMetrics,
    hooks: [
      new AutoResponder({
        store,
        sender,
        policy: DEFAULT_AUTO_RESPONSE_POLICY,
        logger: silentLogger,
        metrics: noMetrics,
      }),
    ],
  });
  // The event publisher on the same table's stream, with the stack's filter, counted at its client.
  const bus = new EventBridgeClient(localClientConfig(simulator.endpoint));
  const busCounts = countRequests(bus);
  const publisher = createEventPublisherHandler({
    bus: new EventBusPublisher({ client: bus, eventBusName: 'bench' }),
    undelivered: new UndeliveredEvents({
      client: new SQSClient(localClientConfig(simulator.endpoint)),
      queueUrl: `${simulator.endpoint}/123456789012/undelivered`,
    }),
    logger: silentLogger,
    metrics: noMetrics,
    pipeline: 'bench',
  });
  const poller = new StreamPoller({
    dynamoDb: dynamoCounted,
    endpoint: dynamoDbEndpoint,
    tableName,
    filters: PUBLISHER_STREAM_FILTERS,
  });
  const drain = async () => {
    let invocations = 0;
    await poller.drain(async (batch) => {
      invocations++;
      await publisher(batch);
      return {};
    });
    return invocations;
  };
  const measure = async (event: unknown): Promise<Counted> => {
    dynamoCounts.clear();
    sendCounts.clear();
    capacity.take();
    await handler(event);
    const get = (name: string) => dynamoCounts.get(name) ?? 0;
    const taken = capacity.take();
    const sends = sendCounts.get('SendWhatsAppMessageCommand') ?? 0;
    const counts = {
      reads: get('GetItemCommand') + get('QueryCommand') + get('ScanCommand') + get('BatchGetItemCommand'),
      writeRequests: get('PutItemCommand') + get('UpdateItemCommand') + get('TransactWriteItemsCommand'),
      itemWrites: get('PutItemCommand') + get('UpdateItemCommand') + 2 * get('TransactWriteItemsCommand'),
    };
    busCounts.clear();
    const entriesBefore = simulator.eventBridge.events.length;
    const { delivered, filtered } = poller;
    const invocations = await drain();
    return {
      ...counts,
      capacity: taken,
      sends,
      published: {
        streamRecords: poller.delivered - delivered + (poller.filtered - filtered),
        filtered: poller.filtered - filtered,
        invocations,
        putEvents: busCounts.get('PutEventsCommand') ?? 0,
        entries: simulator.eventBridge.events.length - entriesBefore,
      },
    };
  };
  const wamid = newWamid();
  const outbound = newWamid();
  const second = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const perEvent: Record<string, Counted> = {
    'new inbound text': await measure(inboundText(1, wamid)),
    'status update': await measure(statusOf(1, outbound, 'sent', second(1))),
    'status in order (delivered after sent)': await measure(statusOf(1, outbound, 'delivered', second(3))),
    'status redelivered': await measure(statusOf(1, outbound, 'delivered', second(3))),
    'status out of order (read, then a late sent)': await (async () => {
      await measure(statusOf(1, outbound, 'read', second(5)));
      return measure(
        snsEvent(
          envelope([statusValue(customer(1), [{ wamid: outbound, status: 'sent', at: second(0) }])]),
          's-late',
        ),
      );
    })(),
    'duplicate redelivery': await measure(inboundText(1, wamid)),
  };
  const longText = await measure(inboundText(2, newWamid(), 'x'.repeat(4096)));
  // Each status adds an entry to the message's history, so later statuses write a larger item.
  const statusSequence: number[] = [];
  const sequenced = newWamid();
  for (let k = 1; k <= 10; k++) {
    const c = await measure(
      snsEvent(
        envelope([
          statusValue(customer(3), [
            { wamid: sequenced, status: k === 1 ? 'sent' : k === 2 ? 'delivered' : 'read', at: second(k) },
          ]),
        ]),
        `sequence-${k}`,
      ),
    );
    statusSequence.push(totalUnits(c.capacity));
  }

  // A failure of the reaction sent to the first message: the recorder writes it on that message.
  const reactionId = sentReactionIds(simulator)[0] ?? '';
  const recordFailure = createFailureHandler({
    store: new FailureStore({ client: dynamoCounted, tableName, retentionDays: 30 }),
    digestWindowMinutes: 15,
    logger: silentLogger,
    metrics: noMetrics,
  });
  capacity.take();
  await recordFailure(
    messageFailedEvent(reactionId, new Date(), { code: 131026, title: 'Message undeliverable' }),
  );
  const failure = capacity.take();
  await drain();

  // The media archiver, per media message.
  simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 86_016 });
  const mediaEvent = snsEvent(
    envelope([
      inboundValue(customer(7), {
        wamid: newWamid(),
        type: 'image',
        at: new Date(),
        payload: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'x' },
      }),
    ]),
    'bench-media',
  );
  await handler(mediaEvent);
  const mediaPublished = simulator.eventBridge.events.length;
  capacity.take();
  await drain();
  const publish = capacity.take();
  const mediaReceived = simulator.eventBridge.events
    .slice(mediaPublished)
    .find((e) => e['detail-type'] === 'Message Received');
  dynamoCounts.clear();
  sendCounts.clear();
  const archive = createMediaArchiverHandler({
    store: new MediaArchiveStore({ client: dynamoCounted, tableName }),
    fetcher: new MediaFetcher({ client: messaging }),
    bucketName: 'bench-media',
    logger: silentLogger,
    metrics: noMetrics,
  });
  const busEvent = { ...mediaReceived, source: 'whatsapp-pipeline' };
  capacity.take();
  const first = await archive(busEvent);
  const archived = capacity.take();
  const firstCounts = {
    dynamo: [...dynamoCounts.values()].reduce((a, b) => a + b, 0),
    fetches: sendCounts.get('GetWhatsAppMessageMediaCommand') ?? 0,
  };
  dynamoCounts.clear();
  sendCounts.clear();
  const again = await archive({ ...busEvent, id: 'redelivered' });
  const againCounts = {
    dynamo: [...dynamoCounts.values()].reduce((a, b) => a + b, 0),
    fetches: sendCounts.get('GetWhatsAppMessageMediaCommand') ?? 0,
  };
  poller.stop();
  bus.destroy();
  dynamoCounted.destroy();
  messaging.destroy();

  out('## Write capacity per event (reported by DynamoDB Local)');
  out();
  out(
    'Every write asks for `ReturnConsumedCapacity: INDEXES` (a middleware of the benchmark; the shipped code does not ask), and the answers are added up. A conditional write or a transaction that fails consumes capacity that DynamoDB does not return with the error, so a redelivery shows 0 here.',
  );
  out();
  out('| Event | Table WCU | Index WCU |');
  out('| --- | ---: | --- |');
  const capacityRows: [string, CapacityTotals][] = [
    ...Object.entries(perEvent).map(([label, c]): [string, CapacityTotals] => [label, c.capacity]),
    ['new inbound text, 4,096 characters (answered)', longText.capacity],
    ['failure recorded (on the message it is about)', failure],
    ['media archived', archived],
    ['event published (the publisher reads the stream and writes nothing)', publish],
  ];
  for (const [label, c] of capacityRows) {
    const { table: tableUnits, indexes } = describeCapacity(c);
    out(`| ${label} | ${tableUnits} | ${indexes} |`);
  }
  out();
  out(
    `A message's statuses in order, 1st to 10th, in write units (table and indexes): ${statusSequence.join(', ')}.`,
  );
  out();
  out(readFileSync(join(ROOT, 'bench', 'capacity-notes.md'), 'utf8').trimEnd());
  out();

  out('## Requests per event (counted at the clients)');
  out();
  out(
    '| Event | DynamoDB reads | DynamoDB write requests | Items written (transaction items count each) | SendWhatsAppMessage |',
  );
  out('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, c] of Object.entries(perEvent)) {
    out(
      `| ${label} | ${c.reads} | ${c.writeRequests} | ${label === 'duplicate redelivery' ? '0 (cancelled)' : c.itemWrites} | ${c.sends} |`,
    );
  }
  out();
  out('## Event publisher per recorded change (the table stream to the bus)');
  out();
  out(
    '| Event | Stream records | Filtered out (no events) | Publisher invocations | PutEvents requests | Events published |',
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, { published: p }] of Object.entries(perEvent)) {
    out(
      `| ${label} | ${p.streamRecords} | ${p.filtered} | ${p.invocations} | ${p.putEvents} | ${p.entries} |`,
    );
  }
  out();
  out(
    'Invocations and requests are per drain of single events; under load, one invocation takes up to 100 records and one request up to 10 entries, so both fall per event while entries stay one per event.',
  );
  out();
  out('## Media archiver per media message');
  out();
  out('| Delivery | Outcome | DynamoDB requests | GetWhatsAppMessageMedia |');
  out('| --- | --- | ---: | ---: |');
  out(`| first | ${first} | ${firstCounts.dynamo} | ${firstCounts.fetches} |`);
  out(`| redelivered | ${again} | ${againCounts.dynamo} | ${againCounts.fetches} |`);
  out();

  const received = perEvent['new inbound text']?.published;
  const redelivered = perEvent['duplicate redelivery']?.published;
  target(
    'Publisher: a new message is 2 events, 1 PutEvents entry each; a redelivery publishes nothing',
    received?.entries === 2 && redelivered?.entries === 0 && redelivered.streamRecords === 0,
    `${received?.entries} events for a new message; ${redelivered?.streamRecords} records and ${redelivered?.entries} events for a redelivery`,
  );
  target(
    'Media archiver: one fetch per media message, none on a redelivery',
    firstCounts.fetches === 1 && againCounts.fetches === 0,
    `${firstCounts.fetches} fetch(es), then ${againCounts.fetches} on a redelivery`,
  );
  const inbound = perEvent['new inbound text'];
  const status = perEvent['status update'];
  const duplicate = perEvent['duplicate redelivery'];
  const inOrder = perEvent['status in order (delivered after sent)'];
  const late = perEvent['status out of order (read, then a late sent)'];
  if (inbound && status && duplicate && inOrder && late) {
    target(
      'New inbound: ≤ 3 writes, 0 reads, exactly 2 sends',
      inbound.itemWrites <= 3 && inbound.reads === 0 && inbound.sends === 2,
      `${inbound.itemWrites} writes, ${inbound.reads} reads, ${inbound.sends} sends`,
    );
    target(
      'Status: ≤ 1 write, 0 sends',
      status.writeRequests <= 1 && status.sends === 0,
      `${status.writeRequests} write, ${status.sends} sends`,
    );
    target(
      'Status in order: 1 write; out of order: ≤ 2 writes',
      inOrder.writeRequests === 1 && late.writeRequests <= 2,
      `in order ${inOrder.writeRequests}, out of order ${late.writeRequests}`,
    );
    target(
      'Duplicate: 0 sends, ≤ 1 write',
      duplicate.sends === 0 && duplicate.writeRequests <= 1,
      `${duplicate.writeRequests} write request, ${duplicate.sends} sends`,
    );
  }
  return { perEvent, statusSequence, longText, failure, archive: archived, publish };
}

/** The cost tables, from the per-function figures and the counted write units. */
function reportCost(pipeline: PipelineFigures, counted: RequestFigures): void {
  const invocation = (kind: string, fn: string, share = 1) => {
    const f = pipeline[kind]?.[fn];
    if (f === undefined) throw new Error(`no figures for ${fn} on ${kind}`);
    return {
      usage: { count: f.invocations * share, durationMs: f.p50Ms, memoryMb: MEMORY_MB },
      logBytes: f.bytes * share + f.invocations * share * PLATFORM_LOG_BYTES_PER_INVOCATION,
    };
  };
  const usageOf = (
    kind: string,
    fns: readonly string[],
    rest: Omit<EventUsage, 'invocations' | 'logBytes'>,
  ): EventUsage => {
    const parts = fns.map((fn) => invocation(kind, fn));
    return {
      ...rest,
      invocations: parts.map((p) => p.usage),
      logBytes: parts.reduce((sum, p) => sum + p.logBytes, 0),
    };
  };
  const units = (c: Counted | undefined) => (c === undefined ? 0 : totalUnits(c.capacity));
  const kms = 0.01;
  const inbound = counted.perEvent['new inbound text'];
  const profiles: Record<string, EventUsage> = {
    'answered inbound text (10 characters)': usageOf(
      'answered inbound text',
      ['inbound-processor', 'event-publisher'],
      {
        writeUnits: units(inbound),
        snsPublishes: 1,
        putEventsEntries: inbound?.published.entries ?? 0,
        kmsRequests: kms,
      },
    ),
    'answered inbound text (4,096 characters)': usageOf(
      'answered inbound text',
      ['inbound-processor', 'event-publisher'],
      {
        writeUnits: units(counted.longText),
        snsPublishes: 1,
        putEventsEntries: counted.longText.published.entries,
        kmsRequests: kms,
      },
    ),
    'status update': usageOf('status update', ['inbound-processor', 'event-publisher'], {
      writeUnits: counted.statusSequence[0] ?? 0,
      snsPublishes: 1,
      putEventsEntries: counted.perEvent['status update']?.published.entries ?? 0,
      kmsRequests: kms,
    }),
    'duplicate redelivery': usageOf('duplicate redelivery', ['inbound-processor'], {
      writeUnits: units(counted.perEvent['duplicate redelivery']),
      snsPublishes: 1,
      kmsRequests: kms,
    }),
    'media archived (the archiver alone)': {
      // The archiver waits for the service to copy the file from Meta to S3: billed as its duration.
      ...usageOf('media message (archived)', ['media-archiver'], {
        writeUnits: totalUnits(counted.archive),
        s3Puts: 1,
      }),
      invocations: [{ count: 1, durationMs: MEDIA_DOWNLOAD_MS, memoryMb: MEMORY_MB }],
    },
    'event published (the publisher, one invocation per event)': {
      ...usageOf('status update', ['event-publisher'], {
        writeUnits: totalUnits(counted.publish),
        putEventsEntries: 1,
      }),
    },
    'failure recorded (the recorder and its event)': usageOf(
      'failure recorded',
      ['failure-recorder', 'event-publisher'],
      {
        writeUnits: totalUnits(counted.failure),
        putEventsEntries: 1,
        kmsRequests: kms,
      },
    ),
  };
  const lines = Object.keys(
    costPerMillion(profiles['status update'] ?? combinedUsage([])),
  ) as (keyof CostLines)[];
  out('## Cost per million events (USD, from the measurements above)');
  out();
  out(
    `List prices for us-east-1 as of ${PRICES_AS_OF}: Lambda arm64 $${PRICES.lambdaArmGbSecond} per GB-s and $${PRICES.lambdaRequestsPerMillion} per million requests; DynamoDB on demand $${PRICES.dynamoDbWriteUnitsPerMillion} per million write request units; SNS $${PRICES.snsPublishesPerMillion} per million publishes; EventBridge $${PRICES.eventBridgeEntriesPerMillion} per million entries; S3 PUT $${PRICES.s3PutPerThousand} per thousand; KMS $${PRICES.kmsPer10kRequests} per 10,000 requests; CloudWatch Logs $${PRICES.logsIngestionPerGb} per GB ingested.`,
  );
  out();
  const names = Object.keys(profiles);
  out(`| Line | ${names.join(' | ')} |`);
  out(`| --- | ${names.map(() => '---:').join(' | ')} |`);
  const costs = names.map((name) => costPerMillion(profiles[name] ?? combinedUsage([])));
  for (const line of lines) out(`| ${line} | ${costs.map((c) => usd(c[line])).join(' | ')} |`);
  out();
  out(
    `How it was measured: write units as DynamoDB Local reported them (table and indexes); log bytes as the shipped bundles wrote them, plus ${PLATFORM_LOG_BYTES_PER_INVOCATION} bytes of Lambda's platform records per invocation (platform.start and platform.report in the JSON log format, sized from their documented schema); ${MEMORY_MB} MB arm64, billed for the measured p50 round trip of each invocation (DynamoDB Local is slower than DynamoDB, so this overstates compute); one publisher invocation per change (an idle pipeline; under load one invocation takes up to 100 changes). The archiver is billed for ${MEDIA_DOWNLOAD_MS / 1000} s of waiting per file, an assumption: the copy from Meta to S3 cannot be timed here. KMS: SNS and DynamoDB cache data keys, about ${kms} requests per event. Not included: End User Messaging Social and Meta message fees, data transfer, storage, custom metrics ($0.30 per metric per month, fixed), alarms and the dashboard.`,
  );
  out();

  // How a message's cost grows with its statuses and its length.
  const status = (k: number): EventUsage => ({
    ...(profiles['status update'] ?? combinedUsage([])),
    writeUnits: counted.statusSequence[Math.min(k, counted.statusSequence.length) - 1] ?? 0,
  });
  out('### Cost per million answered messages, with their statuses');
  out();
  out(
    "An answered inbound text and the statuses that follow it (each its own notification, recorded on the message's history, whose write units grow with it), everything above included.",
  );
  out();
  out('| Statuses per message | 10 characters | 4,096 characters |');
  out('| ---: | ---: | ---: |');
  for (const n of [1, 4, 10]) {
    const statuses = Array.from({ length: n }, (_, k) => status(k + 1));
    const cost = (text: string) =>
      costPerMillion(combinedUsage([profiles[text] ?? combinedUsage([]), ...statuses])).total;
    out(
      `| ${n} | ${usd(cost('answered inbound text (10 characters)'))} | ${usd(cost('answered inbound text (4,096 characters)'))} |`,
    );
  }
  out();
}

/** Assumed wait of the archiver for one file copied from Meta to S3 (not measurable locally). */
const MEDIA_DOWNLOAD_MS = 1000;

void runCli(process.argv.slice(2), BENCH_USAGE, async (argv) => {
  const plan = benchPlan(argv);
  await main(plan);
  return process.exitCode === 1 ? 1 : 0;
}).then((code) => {
  process.exitCode = code;
});
