/**
 * npm run bench: cold start, throughput, requests and cost per message, measured side by side with
 * a baseline in the same run. Prints a report and writes docs/benchmarks.md. Exits 1 when a target
 * is missed. See docs/benchmarks.md for how to read it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import { PUBLISHER_STREAM_FILTER } from '../contracts';
import { ConversationStore } from '../lambda/adapters/conversation-store';
import { EventBusPublisher } from '../lambda/adapters/event-bus';
import { MediaArchiveStore } from '../lambda/adapters/media-archive-store';
import { MediaFetcher } from '../lambda/adapters/media-fetcher';
import { UndeliveredEvents } from '../lambda/adapters/undelivered-events';
import { WhatsAppSender } from '../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../lambda/domain/auto-response';
import { reaction as reactionPayload, readReceipt as readReceiptPayload } from '../lambda/domain/outbound';
import { createEventPublisherHandler } from '../lambda/event-publisher/process';
import { AutoResponder } from '../lambda/inbound-processor/auto-responder';
import { createInboundHandler } from '../lambda/inbound-processor/process';
import { createMediaArchiverHandler } from '../lambda/media-archiver/process';
import type { LoggerPort, MetricsPort } from '../lambda/shared/observability';
import { memoizedPseudonyms } from '../lambda/shared/privacy';
import { type CloudAssembly, cdkJsonContext } from '../local/assembly';
import { LOCAL_AWS_ENV, localClientConfig } from '../local/aws-env';
import { BundleHost } from '../local/bundle-host';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { envelope, inboundValue, LOCAL_BUSINESS, newWamid, snsEventOf, statusValue } from '../local/events';
import { lambdaNodeBinary } from '../local/lambda-node';
import { synthesizeLocalAssembly } from '../local/pipeline';
import { countRequests } from '../local/request-counter';
import { LOCAL_PSEUDONYM_SECRET, SocialMessagingSimulator } from '../local/socialmessaging-simulator';
import { StreamPoller } from '../local/stream-poller';
import { createLocalTable } from '../local/tables';
import { ConversationReader } from '../ops/conversation-reader';
import { describeCapacity, meterWriteCapacity } from './consumed-capacity';
import { archiveCostPerMillion, costPerMillion } from './cost-model';
import { median, percentile, runConcurrently } from './stats';

const ROOT = join(__dirname, '..');
/**
 * An SNS event whose MessageId is a UUID, as SNS's are, derived from `key` so that a redelivery
 * carries the same id: log lines carry the id, so its length counts in the log bytes.
 */
const snsEvent = (message: string, key: string) => {
  const hex = createHash('sha256').update(key).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return snsEventOf(message, id);
};
const COLD_RUNS = 31;
const CONCURRENCY = 4;
const STORM = { statuses: 10_000, wamids: 1_000, concurrency: 8 };
const LATENCIES = [0, 60];
const MEMORY_MB = 256;

const report: string[] = [];
const stormResults: string[] = [];
const targets: { name: string; met: boolean; detail: string }[] = [];
const out = (line = '') => {
  console.log(line);
  report.push(line);
};
const target = (name: string, met: boolean, detail: string) => targets.push({ name, met, detail });
const ms = (n: number) => `${n.toFixed(1)} ms`;

const silentLogger: LoggerPort = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
};
const noMetrics: MetricsPort = { count: () => undefined, flush: () => undefined };

/** The same handlers, bundled the way aws-lambda-nodejs does by default (main-first, unminified, SDK external). */
function synthesizeBaseline(outdir: string): Record<string, string> {
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const stack = new Stack(app, 'Baseline');
  for (const dir of ['inbound-processor', 'failure-recorder']) {
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
  const bundles: Record<string, string> = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || resource.Metadata === undefined) continue;
    const name = resource.Metadata['aws:cdk:path']?.includes('inbound-processor')
      ? 'inbound-processor'
      : 'failure-recorder';
    bundles[name] = join(outdir, resource.Metadata['aws:asset:path'] ?? '', 'index.js');
  }
  return bundles;
}

/**
 * The processor bundled with the shipped options, and with one option changed at a time: ES module
 * output, and no `keepNames` (which wraps every named function and class in a naming call).
 */
function buildInitVariants(outdir: string): Record<string, string> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const options = {
    'shipped options': { format: 'cjs', keepNames: true },
    'without keepNames': { format: 'cjs', keepNames: false },
    'ES module output': { format: 'esm', keepNames: true },
  } as const;
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => {
      const outfile = join(outdir, `${name.replace(/\W+/g, '-')}.${option.format === 'esm' ? 'mjs' : 'cjs'}`);
      buildSync({
        entryPoints: [join(ROOT, 'lambda', 'inbound-processor', 'handler.ts')],
        absWorkingDir: ROOT,
        bundle: true,
        platform: 'node',
        target: 'node24',
        minify: true,
        keepNames: option.keepNames,
        format: option.format,
        mainFields: ['module', 'main'],
        outfile,
        logLevel: 'warning',
        alias: { '@aws-sdk/credential-provider-node': './lambda/shared/lambda-credentials.ts' },
        // Bundled CommonJS dependencies call require(); an ES module has none of its own.
        banner:
          option.format === 'esm'
            ? { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" }
            : undefined,
      });
      return [name, outfile];
    }),
  );
}

/** Median time to load a bundle in a fresh Node process, minus a bare Node process, alternating the two. */
function coldInit(
  bundles: Record<string, string>,
  environment: Record<string, string>,
): Record<string, number> {
  const env = { PATH: process.env.PATH, ...LOCAL_AWS_ENV, ...environment };
  const time = (args: string[]) => {
    const t0 = performance.now();
    const run = spawnSync(lambdaNodeBinary(), args, { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
    return performance.now() - t0;
  };
  const samples: Record<string, number[]> = { bare: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    samples.bare?.push(time(['-e', '']));
    for (const [name, bundle] of Object.entries(bundles)) {
      samples[name] = [...(samples[name] ?? []), time(['-e', 'require(process.argv[1])', bundle])];
    }
  }
  const bare = median(samples.bare ?? []);
  return Object.fromEntries(
    Object.entries(bundles).map(([name]) => [name, median(samples[name] ?? []) - bare]),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  out('# Benchmarks');
  out();
  out(
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, tooling on Node ${process.version}; bundles and cold init on ${execFileSync(lambdaNodeBinary(), ['--version'], { encoding: 'utf8' }).trim()} (the Lambda runtime's major).`,
  );
  out('Local parts: DynamoDB Local (Java, in memory) and the SocialMessaging simulator on 127.0.0.1.');
  out();

  // 1. Bundles and cold init.
  const assembly: CloudAssembly = synthesizeLocalAssembly();
  const baselineDir = join(ROOT, '.cache', 'bench-baseline');
  rmSync(baselineDir, { recursive: true, force: true });
  mkdirSync(baselineDir, { recursive: true });
  const baseline = synthesizeBaseline(baselineDir);
  const shipped = {
    'inbound-processor': assembly.function('InboundProcessor/Processor').bundlePath,
    'failure-recorder': assembly.function('Alerts/Recorder').bundlePath,
  };
  const processorEnv = assembly.function('InboundProcessor/Processor').environment;
  const initEnv = {
    ...processorEnv,
    CONVERSATION_TABLE_NAME: 'bench',
    PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
    // The recorder's own variable (the processor's environment lacks it).
    DIGEST_WINDOW_MINUTES: '15',
  };
  const init = coldInit(
    {
      ...Object.fromEntries(Object.entries(shipped).map(([name, bundle]) => [`shipped ${name}`, bundle])),
      ...Object.fromEntries(Object.entries(baseline).map(([name, bundle]) => [`baseline ${name}`, bundle])),
    },
    initEnv,
  );
  const shippedInit: Record<string, number> = Object.fromEntries(
    Object.keys(shipped).map((name) => [name, init[`shipped ${name}`] ?? Number.NaN]),
  );
  const baselineInit: Record<string, number> = Object.fromEntries(
    Object.keys(baseline).map((name) => [name, init[`baseline ${name}`] ?? Number.NaN]),
  );

  out('## Bundles and cold init');
  out();
  out(
    `Cold init: median over ${COLD_RUNS} fresh Node processes of loading the bundle, minus bare \`node\`; each run loads`,
  );
  out('every bundle in turn (shipped and baseline side by side).');
  out();
  out('| Function | Build | Minified bytes | Gzip bytes | Cold init | vs baseline |');
  out('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const name of Object.keys(shipped) as (keyof typeof shipped)[]) {
    for (const [build, bundle, init] of [
      ['shipped', shipped[name], shippedInit[name] ?? Number.NaN],
      ['baseline (aws-lambda-nodejs defaults)', baseline[name] ?? '', baselineInit[name] ?? Number.NaN],
    ] as const) {
      const code = readFileSync(bundle);
      const ratio = (shippedInit[name] ?? 0) / (baselineInit[name] ?? 1);
      out(
        `| ${name} | ${build} | ${code.length} | ${gzipSync(code).length} | ${ms(init)} | ${build === 'shipped' ? `${ratio.toFixed(2)}×` : '1.00×'} |`,
      );
    }
    const ratio = (shippedInit[name] ?? 0) / (baselineInit[name] ?? 1);
    target(`Cold init of ${name} ≤ 0.6× baseline`, ratio <= 0.6, `${ratio.toFixed(2)}×`);
  }
  out();
  out(
    'The baseline leaves the AWS SDK out of the bundle, as aws-lambda-nodejs does by default, and loads it from',
  );
  out("node_modules (CommonJS builds), as Lambda would load the runtime's SDK. Its size excludes that SDK.");
  out();

  // 1b. Build options of the shipped bundle, one at a time, side by side.
  const variants = buildInitVariants(join(ROOT, '.cache', 'bench-variants'));
  const variantInit = coldInit(variants, initEnv);
  const shippedVariant = variantInit['shipped options'] ?? Number.NaN;
  out('### Cold init of inbound-processor by build option');
  out();
  out(
    `Each row changes one option of the shipped build (esbuild, minified, \`mainFields: module, main\`), measured in the same interleaved runs (${COLD_RUNS} each).`,
  );
  out();
  out('| Build | Minified bytes | Cold init | vs shipped options |');
  out('| --- | ---: | ---: | ---: |');
  for (const [name, bundle] of Object.entries(variants)) {
    const init = variantInit[name] ?? Number.NaN;
    out(
      `| ${name} | ${readFileSync(bundle).length} | ${ms(init)} | ${(init / shippedVariant).toFixed(2)}× |`,
    );
  }
  out();
  out(readFileSync(join(ROOT, 'bench', 'cold-init-notes.md'), 'utf8').trimEnd());
  out();

  // 2. Local parts.
  const dynamo = await startDynamoDbLocal();
  const simulator = await SocialMessagingSimulator.start();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  const table = assembly.table();
  let tables = 0;
  const newTable = async () => {
    const name = `bench-${++tables}`;
    await createLocalTable(client, table, name);
    return name;
  };
  const hosts = async (tableName: string, count: number) => {
    const fn = assembly.function('InboundProcessor/Processor');
    const started = Array.from({ length: count }, () =>
      BundleHost.forFunction(fn, {
        CONVERSATION_TABLE_NAME: tableName,
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
  const customer = (i: number) => ({ phone: `1425555${String(i).padStart(4, '0')}`, name: `Customer ${i}` });
  const inboundEvent = (i: number, wamid: string) =>
    snsEvent(
      envelope([
        inboundValue(customer(i), { wamid, type: 'text', at: new Date(), payload: { body: `Message ${i}` } }),
      ]),
      `sns-${wamid}`,
    );

  try {
    // 3. Warm per-event cost through the shipped bundle.
    out('## Warm per-event cost (shipped bundle, one process per Lambda instance)');
    out();
    out(
      `Events delivered by ${CONCURRENCY} parallel instances; latency per event is the invocation round trip.`,
    );
    out();
    out('| Event | API latency | Events | Events/s | p50 | p99 |');
    out('| --- | ---: | ---: | ---: | ---: | ---: |');
    const warm: Record<string, number> = {};
    for (const latency of LATENCIES) {
      simulator.reset();
      simulator.latencyMs = latency;
      const tableName = await newTable();
      const instances = await hosts(tableName, CONCURRENCY);
      const count = latency === 0 ? 1000 : 300;
      const wamids = Array.from({ length: count }, () => newWamid());
      const row = async (label: string, events: unknown[]) => {
        const { latencies, wallMs } = await runConcurrently(events, CONCURRENCY, async (event, worker) => {
          const result = await instances[worker]?.invoke(event);
          if (!result?.ok) throw new Error(`${label} failed: ${JSON.stringify(result)}`);
        });
        out(
          `| ${label} | ${latency} ms | ${events.length} | ${((events.length / wallMs) * 1000).toFixed(0)} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} |`,
        );
        warm[`${label}@${latency}`] = percentile(latencies, 50);
      };
      await row(
        'new inbound text',
        wamids.map((w, i) => inboundEvent(i, w)),
      );
      await row(
        'status update',
        wamids.map((w, i) =>
          snsEvent(
            envelope([statusValue(customer(i), [{ wamid: w, status: 'delivered', at: new Date() }])]),
            `s-${w}`,
          ),
        ),
      );
      await row(
        'duplicate redelivery',
        wamids.map((w, i) => inboundEvent(i, w)),
      );

      // Status storm: 10 statuses per wamid (sent, delivered, read and redeliveries), shuffled, as parallel instances would see them.
      const stormTable = await newTable();
      const stormHosts = await hosts(stormTable, STORM.concurrency);
      const stormWamids = Array.from({ length: STORM.wamids }, () => newWamid());
      const order = ['sent', 'delivered', 'read'];
      const storm = stormWamids.flatMap((wamid, i) =>
        Array.from({ length: STORM.statuses / STORM.wamids }, (_, k) => ({
          wamid,
          i,
          status: order[k % 3] ?? 'sent',
          k,
        })),
      );
      shuffle(storm);
      const stormEvents = storm.map(({ wamid, i, status, k }) =>
        snsEvent(
          envelope([
            statusValue(customer(i), [
              { wamid, status, at: new Date(Date.UTC(2026, 0, 1, 0, 0, order.indexOf(status))) },
            ]),
          ]),
          `storm-${wamid}-${k}`,
        ),
      );
      const { latencies, wallMs } = await runConcurrently(
        stormEvents,
        STORM.concurrency,
        async (event, worker) => {
          const result = await stormHosts[worker]?.invoke(event);
          if (!result?.ok) throw new Error(`storm event failed: ${JSON.stringify(result)}`);
        },
      );
      out(
        `| status storm (${STORM.statuses} over ${STORM.wamids} wamids, ${STORM.concurrency} instances) | ${latency} ms | ${stormEvents.length} | ${((stormEvents.length / wallMs) * 1000).toFixed(0)} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} |`,
      );
      const reader = new ConversationReader(client, stormTable);
      let lost = 0;
      let regressed = 0;
      for (const wamid of stormWamids) {
        const message = await reader.getMessage(wamid);
        const seen = new Set<string>(message?.statusHistory.map((h) => h.status));
        if (!order.every((s) => seen.has(s))) lost++;
        if (message?.status !== 'read') regressed++;
      }
      target(
        `Status storm at ${latency} ms: zero lost or regressed statuses`,
        lost === 0 && regressed === 0,
        `${lost} lost, ${regressed} regressed`,
      );
      stormResults.push(
        `${latency} ms: ${lost} wamids with a lost status, ${regressed} with a regressed current status`,
      );
      await Promise.all([...instances, ...stormHosts].map((h) => h.stop()));
    }
    out();
    out(`After each storm: ${stormResults.join('; ')}.`);
    out();

    // 3b. Log bytes per event, from the shipped bundle's own output at the shipped log level.
    simulator.reset();
    simulator.latencyMs = 0;
    const logTable = await newTable();
    const logHost = BundleHost.forFunction(assembly.function('InboundProcessor/Processor'), {
      CONVERSATION_TABLE_NAME: logTable,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SOCIALMESSAGING: simulator.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: simulator.endpoint,
      PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
    });
    await logHost.start();
    const LOG_EVENTS = 50;
    const logWamids = Array.from({ length: LOG_EVENTS }, () => newWamid());
    // The first invocation's lines (cold start, pseudonym key) are not per event.
    await logHost.invoke(inboundEvent(9999, newWamid()));
    const logKinds: [string, unknown[]][] = [
      ['answered inbound text', logWamids.map((w, i) => inboundEvent(i, w))],
      [
        'status update',
        logWamids.map((w, i) =>
          snsEvent(
            envelope([statusValue(customer(i), [{ wamid: w, status: 'delivered', at: new Date() }])]),
            `log-s-${w}`,
          ),
        ),
      ],
      ['duplicate redelivery', logWamids.map((w, i) => inboundEvent(i, w))],
    ];
    out('## Log bytes per event (shipped bundle, shipped log level)');
    out();
    out(
      `${LOG_EVENTS} events of each kind through one warm instance at the shipped log level (INFO) with metrics on; bytes of the function's own output (JSON log lines and EMF metric documents), without Lambda's START, END and REPORT lines.`,
    );
    out();
    out('| Event | Bytes per event | of which EMF | Lines per event | Target | Met |');
    out('| --- | ---: | ---: | ---: | ---: | --- |');
    const logTargets: Record<string, number> = { 'answered inbound text': 600, 'status update': 300 };
    for (const [label, events] of logKinds) {
      const before = logHost.output.length;
      for (const event of events) {
        const result = await logHost.invoke(event);
        if (!result.ok) throw new Error(`${label} failed: ${JSON.stringify(result)}`);
      }
      const lines = logHost.output.slice(before);
      const bytes = (filter: (line: string) => boolean) =>
        lines.filter(filter).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) / events.length;
      const all = bytes(() => true);
      const emf = bytes((line) => line.includes('"_aws"'));
      const goal = logTargets[label];
      out(
        `| ${label} | ${all.toFixed(0)} | ${emf.toFixed(0)} | ${(lines.length / events.length).toFixed(1)} | ${goal === undefined ? '-' : `≤ ${goal}`} | ${goal === undefined ? '-' : all <= goal ? 'yes' : '**no**'} |`,
      );
      if (goal !== undefined) {
        target(`Log bytes per ${label} ≤ ${goal}`, all <= goal, `${all.toFixed(0)} bytes`);
      }
    }
    await logHost.stop();
    out();

    // 4. Requests per event, counted at the clients (same code as the bundle, from source).
    simulator.reset();
    const tableName = await newTable();
    const dynamoCounted = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const messaging = new SocialMessagingClient({ ...localClientConfig(simulator.endpoint), maxAttempts: 1 });
    const dynamoCounts = countRequests(dynamoCounted);
    const capacity = meterWriteCapacity(dynamoCounted);
    const sendCounts = countRequests(messaging);
    const store = new ConversationStore({ client: dynamoCounted, tableName, retentionDays: 30 });
    const sender = new WhatsAppSender({ client: messaging, metaApiVersion: 'v24.0' });
    const handler = createInboundHandler({
      pseudonyms: memoizedPseudonyms(async () => 'bench-pseudonym-key-0123456789abcdefghijkl'),
      store,
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
      endpoint: dynamo.endpoint,
      tableName,
      filters: [PUBLISHER_STREAM_FILTER],
    });
    let publisherInvocations = 0;
    const measure = async (event: unknown) => {
      dynamoCounts.clear();
      sendCounts.clear();
      capacity.take();
      await handler(event);
      const get = (name: string) => dynamoCounts.get(name) ?? 0;
      busCounts.clear();
      const entriesBefore = simulator.eventBridge.events.length;
      const { delivered, filtered } = poller;
      publisherInvocations = 0;
      await poller.drain(async (batch) => {
        publisherInvocations++;
        await publisher(batch);
        return {};
      });
      const published = {
        streamRecords: poller.delivered - delivered + (poller.filtered - filtered),
        filtered: poller.filtered - filtered,
        invocations: publisherInvocations,
        putEvents: busCounts.get('PutEventsCommand') ?? 0,
        entries: simulator.eventBridge.events.length - entriesBefore,
      };
      return {
        published,
        capacity: capacity.take(),
        reads: get('GetItemCommand') + get('QueryCommand') + get('ScanCommand') + get('BatchGetItemCommand'),
        writeRequests: get('PutItemCommand') + get('UpdateItemCommand') + get('TransactWriteItemsCommand'),
        itemWrites: get('PutItemCommand') + get('UpdateItemCommand') + 2 * get('TransactWriteItemsCommand'),
        sends: sendCounts.get('SendWhatsAppMessageCommand') ?? 0,
      };
    };
    const wamid = newWamid();
    const outbound = newWamid();
    const statusEvent = (status: string, second: number) =>
      snsEvent(
        envelope([
          statusValue(customer(1), [
            { wamid: outbound, status, at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)) },
          ]),
        ]),
        `s-${status}`,
      );
    const perEvent = {
      'new inbound text': await measure(inboundEvent(1, wamid)),
      'status update': await measure(statusEvent('sent', 1)),
      'status in order (delivered after sent)': await measure(statusEvent('delivered', 3)),
      'status redelivered': await measure(statusEvent('delivered', 3)),
      'status out of order (read, then a late sent)': await (async () => {
        await measure(statusEvent('read', 5));
        return measure(
          snsEvent(
            envelope([
              statusValue(customer(1), [
                { wamid: outbound, status: 'sent', at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)) },
              ]),
            ]),
            's-late',
          ),
        );
      })(),
      'duplicate redelivery': await measure(inboundEvent(1, wamid)),
    };
    // Item size drives write units: the longest text Meta allows, and a message with a status history.
    const longWamid = newWamid();
    const longText = snsEvent(
      envelope([
        inboundValue(customer(2), {
          wamid: longWamid,
          type: 'text',
          at: new Date(),
          payload: { body: 'x'.repeat(4096) },
        }),
      ]),
      `long-${longWamid}`,
    );
    const sized = {
      'new inbound text, 10 characters (answered)': perEvent['new inbound text'],
      'new inbound text, 4,096 characters (answered)': await measure(longText),
      'fourth status of a message (played, after sent, delivered and read)': await (async () => {
        const sizedWamid = newWamid();
        const sizedStatus = (status: string, second: number) =>
          snsEvent(
            envelope([
              statusValue(customer(3), [
                { wamid: sizedWamid, status, at: new Date(Date.UTC(2026, 0, 2, 0, 0, second)) },
              ]),
            ]),
            `sized-${status}`,
          );
        for (const [second, status] of ['sent', 'delivered', 'read'].entries()) {
          await measure(sizedStatus(status, second));
        }
        return measure(sizedStatus('played', 9));
      })(),
    };
    out('## Write capacity per event (reported by DynamoDB Local)');
    out();
    out(
      'Every write asks for `ReturnConsumedCapacity: INDEXES` (a middleware of the benchmark; the shipped code does not ask), and the answers are added up. A conditional write or a transaction that fails consumes capacity that DynamoDB does not return with the error, so a redelivery shows 0 here.',
    );
    out();
    out('| Event | Table WCU | Index WCU |');
    out('| --- | ---: | --- |');
    for (const [label, c] of Object.entries({ ...perEvent, ...sized })) {
      const { table: tableUnits, indexes } = describeCapacity(c.capacity);
      out(`| ${label} | ${tableUnits} | ${indexes} |`);
    }
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
      'Invocations and requests are per drain of single events; under load, one invocation takes up to 100 records and one',
    );
    out(
      'request up to 10 entries, so both fall per event while entries stay one per event. At $1.00 per million PutEvents',
    );
    out(
      'entries, a new message with its auto-response (2 events) costs $2.00 per million messages on the bus, plus the',
    );
    out('publisher invocations (batched).');
    out();
    const received = perEvent['new inbound text'].published;
    const redelivered = perEvent['duplicate redelivery'].published;
    target(
      'Publisher: a new message is 2 events, 1 PutEvents entry each; a redelivery publishes nothing',
      received.entries === 2 && redelivered.entries === 0 && redelivered.streamRecords === 0,
      `${received.entries} events for a new message; ${redelivered.streamRecords} records and ${redelivered.entries} events for a redelivery`,
    );
    // The media archiver, per media message: counted at its clients.
    simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 86_016 });
    const mediaWamid = newWamid();
    const mediaEvent = snsEvent(
      envelope([
        inboundValue(customer(7), {
          wamid: mediaWamid,
          type: 'image',
          at: new Date(),
          payload: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'x' },
        }),
      ]),
      'bench-media',
    );
    await handler(mediaEvent);
    const mediaPublished = simulator.eventBridge.events.length;
    await poller.drain(async (batch) => {
      await publisher(batch);
      return {};
    });
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
    const started = performance.now();
    const first = await archive(busEvent);
    const archiveMs = performance.now() - started;
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
    out('## Media archiver per media message');
    out();
    out('| Delivery | Outcome | DynamoDB writes | GetWhatsAppMessageMedia |');
    out('| --- | --- | ---: | ---: |');
    out(`| first | ${first} | ${firstCounts.dynamo} | ${firstCounts.fetches} |`);
    out(`| redelivered | ${again} | ${againCounts.dynamo} | ${againCounts.fetches} |`);
    out();
    const archiveCost = archiveCostPerMillion({
      waitMs: Math.max(archiveMs, 1000),
      memoryMb: MEMORY_MB,
      writeUnits: 2,
      s3Puts: 1,
    });
    out(
      `Cost per million media messages, assuming the service takes 1 s per download (it is billed as the archiver's wait): ${Object.entries(
        archiveCost,
      )
        .map(([line, usd]) => `${line} $${usd.toFixed(2)}`)
        .join(', ')}. Plus S3 storage at $0.023 per GB-month.`,
    );
    out();
    target(
      'Media archiver: one fetch per media message, none on a redelivery',
      firstCounts.fetches === 1 && againCounts.fetches === 0,
      `${firstCounts.fetches} fetch(es), then ${againCounts.fetches} on a redelivery`,
    );
    poller.stop();
    bus.destroy();
    const inbound = perEvent['new inbound text'];
    const status = perEvent['status update'];
    const duplicate = perEvent['duplicate redelivery'];
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
    const inOrder = perEvent['status in order (delivered after sent)'];
    const late = perEvent['status out of order (read, then a late sent)'];
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

    // 5. Concurrent vs sequential read receipt + reaction at 60 ms.
    simulator.reset();
    simulator.latencyMs = 60;
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
    const ratio = median(concurrent) / median(sequential);
    out('## Read receipt + reaction at 60 ms API latency (median of 30)');
    out();
    out(`| Concurrent | Sequential | Ratio |`);
    out('| ---: | ---: | ---: |');
    out(`| ${ms(median(concurrent))} | ${ms(median(sequential))} | ${ratio.toFixed(2)}× |`);
    out();
    target('Concurrent receipt + reaction ≤ 0.6× sequential at 60 ms', ratio <= 0.6, `${ratio.toFixed(2)}×`);
    dynamoCounted.destroy();
    messaging.destroy();

    // 6. Cost model.
    out('## Cost per million events (USD)');
    out();
    const logBytes = 450;
    const profiles = {
      'inbound message (answered)': {
        // Transaction: message + conversation items at 2 WRU each; GSI writes: byConversation and
        // byActivity (2, the activity entry moves); outcome update 1 WRU + byConversation, receipt
        // and reaction GSIs (3).
        lambdaMs: warm['new inbound text@60'] ?? 0,
        writeUnits: 4 + 2 + 1 + 3,
      },
      'status update': { lambdaMs: warm['status update@0'] ?? 0, writeUnits: 1 + 1 },
    };
    out('| Line | Inbound message (answered, 60 ms API) | Status update |');
    out('| --- | ---: | ---: |');
    const costs = Object.values(profiles).map((p) =>
      costPerMillion({
        lambdaMs: p.lambdaMs,
        memoryMb: MEMORY_MB,
        writeUnits: p.writeUnits,
        logBytes,
        kmsRequests: 0.01,
      }),
    );
    for (const line of Object.keys(costs[0] ?? {})) {
      out(`| ${line} | ${(costs[0]?.[line] ?? 0).toFixed(2)} | ${(costs[1]?.[line] ?? 0).toFixed(2)} |`);
    }
    out();
    out(
      `Assumptions: ${MEMORY_MB} MB arm64 Lambda billed for the measured warm p50 invocation time on this machine (an arm64`,
    );
    out(
      'Lambda is roughly comparable; DynamoDB Local is slower than DynamoDB, so this overestimates); items under 1 KB;',
    );
    out(
      'transactional writes 2 WRU per item; each GSI entry written or moved 1–2 WRU; SNS publish billed to the topic',
    );
    out(
      `owner; ${logBytes} bytes of logs per event; KMS data keys cached by SNS and DynamoDB (about 1 request per 100 events).`,
    );
    out(
      'Not included: WhatsApp/Meta message fees (read receipts and reactions are not billed as messages), data',
    );
    out('transfer, CloudWatch alarms and dashboard (fixed monthly), storage.');
    out();
  } finally {
    client.destroy();
    await simulator.stop();
    await dynamo.stop();
  }

  out('## Targets');
  out();
  out('| Target | Result | Met |');
  out('| --- | --- | --- |');
  for (const t of targets) out(`| ${t.name} | ${t.detail} | ${t.met ? 'yes' : '**no**'} |`);
  out();
  out(`Benchmark took ${Math.round((Date.now() - started) / 1000)} s.`);
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
  out('- Requests per event are exact and hold in production: they are what the code sends.');
  out('- Rerun with `npm run bench`; this file is rewritten each time.');

  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), `${report.join('\n')}\n`);
  const missed = targets.filter((t) => !t.met);
  if (missed.length > 0) {
    console.error(`\n${missed.length} target(s) missed: ${missed.map((t) => t.name).join('; ')}`);
    process.exitCode = 1;
  }
}

/** Shuffles in place (Fisher–Yates), so statuses arrive out of order as they do from Meta. */
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
