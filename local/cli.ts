/**
 * Runs the whole pipeline on this machine: `npm start` (see `npm start -- --help`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { stateOf } from '../lambda/domain/send-ledger';
import { EnvironmentError, numberFlag, parseFlags, runCli, UsageError } from '../ops/cli';
import { renderApiCalls, renderConversation, renderWabaHealth } from '../ops/render';
import { CloudAssembly } from './assembly';
import { javaProblem } from './dynamodb-local';
import type { BusEvent } from './eventbridge-api';
import { envelope, inboundValue, LOCAL_BUSINESS, newWamid } from './events';
import { lambdaNodeBinary, lambdaNodeMismatch } from './lambda-node';
import { LocalPipeline } from './pipeline';
import { renderSettled } from './render-events';
import { parseReplayFile, replay } from './replay';
import { runScenario, SCENARIO_CUSTOMER } from './scenario';
import { FAULTS } from './socialmessaging-simulator';

const HELP = `Runs the WhatsApp pipeline locally: DynamoDB Local, the SocialMessaging simulator and the
stack's own bundled Lambda handlers, on 127.0.0.1.

  npm start                                   the built-in scenario, then the conversation and API calls
  npm start -- --replay events.json           replay SNS, envelope or EventBridge events (JSON array or one per line)
  npm start -- --text "Hello" [--from 1425…]  one inbound text from a customer
  npm start -- --serve [--port 8787]          keep running; POST /sns (envelope or SNS event), POST /events
                                              (EventBridge event), POST /digest, GET /conversations/<customer key>,
                                              GET /published (conversation events), GET /health; Ctrl-C stops

Faults injected into the SocialMessaging simulator:
  --latency <ms>       every API call takes this long (0 to 60000)
  --throttle <n>       the first n calls are throttled (ThrottledRequestException)
  --fail-rate <0..1>   this share of calls fails with InternalServiceException
  --handoff-fail-rate <0..1>  this share of accepted sends fails EUM's hand-off to Meta
  --handoff-drop-rate <0..1>  this share gets no hand-off report at all (it stalls after stallMinutes)

  --keyword-reply      add the keyword auto-reply example (examples/keyword-reply), with cdk.json's
                       keywords (try --text hours)
  --faq-hook           add the FAQ hook example (examples/faq-hook) to the processor
                       (try --text "what are your opening hours")
  --assembly <dir>     use a cloud assembly synthesized before (cdk.out) instead of synthesizing
  --debug              show stack traces
Needs Java 17 or newer (DynamoDB Local is a Java program).`;

/** The run, as the flags ask for it: checked in full before anything starts. */
interface RunPlan {
  readonly assembly?: string;
  readonly mode: 'scenario' | 'serve' | 'replay' | 'text';
  readonly files: readonly string[];
  readonly text?: string;
  readonly from: string;
  readonly port: number;
  readonly latency?: number;
  readonly throttle?: number;
  readonly failRate?: number;
  readonly handoffFailRate?: number;
  readonly handoffDropRate?: number;
  readonly keywordReply: boolean;
  readonly faqHook: boolean;
}

/** Reads and checks the flags: every problem is a UsageError, within a second, before any synth. */
export async function planRun(argv: readonly string[]): Promise<RunPlan> {
  const { values } = parseFlags(argv, {
    replay: { type: 'string', multiple: true },
    text: { type: 'string' },
    from: { type: 'string', default: SCENARIO_CUSTOMER.phone },
    serve: { type: 'boolean', default: false },
    port: { type: 'string', default: '8787' },
    latency: { type: 'string' },
    throttle: { type: 'string' },
    'fail-rate': { type: 'string' },
    'handoff-fail-rate': { type: 'string' },
    'handoff-drop-rate': { type: 'string' },
    assembly: { type: 'string' },
    'keyword-reply': { type: 'boolean', default: false },
    'faq-hook': { type: 'boolean', default: false },
  });
  const modes = [values.serve, values.replay !== undefined, values.text !== undefined].filter(Boolean);
  if (modes.length > 1) throw new UsageError('choose one of --serve, --replay and --text');
  const files = values.replay ?? [];
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`--replay: no file ${file}`);
  }
  if (values.text !== undefined && values.text.trim() === '') throw new UsageError('--text needs a message');
  const from = values.from ?? '';
  if (!/^\d{7,15}$/.test(from.replace(/[\s+()-]/g, ''))) {
    throw new UsageError(`--from must be a phone number such as 14255550123, got "${from}"`);
  }
  const port = numberFlag('port', values.port, { min: 0, max: 65_535, integer: true }) ?? 8787;
  if (values.serve && port !== 0 && !(await portIsFree(port))) {
    throw new UsageError(`--port ${port} is in use; choose another, or --port 0 for any free port`);
  }
  for (const example of ['keyword-reply', 'faq-hook'] as const) {
    if (values.assembly !== undefined && values[example]) {
      throw new UsageError(
        `--${example} synthesizes the stack with the example; it cannot be used with --assembly`,
      );
    }
  }
  if (values.assembly !== undefined && !existsSync(join(values.assembly, 'manifest.json'))) {
    throw new UsageError(
      `--assembly: ${values.assembly} is not a cloud assembly (no manifest.json); run npx cdk synth first`,
    );
  }
  return {
    assembly: values.assembly,
    mode: values.serve
      ? 'serve'
      : values.replay !== undefined
        ? 'replay'
        : values.text !== undefined
          ? 'text'
          : 'scenario',
    files,
    text: values.text,
    from: from.replace(/[\s+()-]/g, ''),
    port,
    latency: numberFlag('latency', values.latency, { min: 0, max: 60_000 }),
    throttle: numberFlag('throttle', values.throttle, { min: 0, max: 1_000_000, integer: true }),
    failRate: numberFlag('fail-rate', values['fail-rate'], { min: 0, max: 1 }),
    handoffFailRate: numberFlag('handoff-fail-rate', values['handoff-fail-rate'], { min: 0, max: 1 }),
    handoffDropRate: numberFlag('handoff-drop-rate', values['handoff-drop-rate'], { min: 0, max: 1 }),
    keywordReply: values['keyword-reply'],
    faqHook: values['faq-hook'],
  };
}

/** Whether nothing listens on 127.0.0.1:port. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createTcpServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** DynamoDB Local needs Java; say so before minutes of synth and bundling, not after. */
function checkJava(): void {
  const problem = javaProblem();
  if (problem !== undefined) throw new EnvironmentError(problem);
}

async function main(argv: readonly string[]): Promise<number> {
  const plan = await planRun(argv);
  checkJava();
  const nodeNote = lambdaNodeMismatch(execNodeVersion());
  if (nodeNote !== undefined) console.log(nodeNote);

  const started = Date.now();
  const progress = (step: string) =>
    console.log(`  … ${step} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log('Starting the local pipeline:');
  const pipeline = await LocalPipeline.start({
    progress,
    assembly: plan.assembly === undefined ? undefined : new CloudAssembly(plan.assembly),
    extraContext: {
      ...(plan.keywordReply ? { 'keywordReply.enabled': 'true' } : {}),
      ...(plan.faqHook ? { 'faqHook.enabled': 'true' } : {}),
    },
  });
  stopOnSignal(pipeline);
  try {
    if (plan.latency !== undefined) pipeline.simulator.latencyMs = plan.latency;
    if (plan.throttle !== undefined) pipeline.simulator.failNext(plan.throttle, FAULTS.throttled);
    if (plan.failRate !== undefined) pipeline.simulator.failRandomly(plan.failRate, FAULTS.internal);
    pipeline.simulator.handoffs = {
      failRate: plan.handoffFailRate ?? 0,
      dropRate: plan.handoffDropRate ?? 0,
    };
    console.log(`  DynamoDB Local ${pipeline.dynamoDbEndpoint}, table ${pipeline.tableName}`);
    console.log(`  SocialMessaging simulator ${pipeline.simulator.endpoint}\n`);

    if (plan.mode === 'serve') return await serve(pipeline, plan.port);
    if (plan.mode === 'replay') return await replayFiles(pipeline, plan.files);
    if (plan.mode === 'text') return await sendText(pipeline, plan.text ?? '', plan.from);
    return await scenario(pipeline);
  } finally {
    await pipeline.stop();
  }
}

async function scenario(pipeline: LocalPipeline): Promise<number> {
  console.log('Scenario: a short conversation with Jane Doe');
  const result = await runScenario(pipeline, (line) => console.log(line));
  const settled = await pipeline.settle();
  console.log(`\n${await conversationView(pipeline, SCENARIO_CUSTOMER.userId ?? '')}\n`);
  if (pipeline.hasEvents) console.log(`${renderSettled(settled)}\n`);
  console.log(
    `Account health (npm run inspect -- --health):\n${renderWabaHealth(LOCAL_BUSINESS.wabaId, await pipeline.wabaHealth())}\n`,
  );
  if (result.alert !== undefined)
    console.log(`Alert digest sent to the alerts topic:\n  ${result.alert.replace(/\n/g, '\n  ')}\n`);
  console.log(`${await ledgerView(pipeline)}\n`);
  console.log(renderApiCalls(pipeline.simulator.requests));
  if (result.problems.length > 0) {
    console.log(`\n${result.problems.length} step(s) did not go as expected.`);
    return 1;
  }
  return 0;
}

/**
 * The alert digest, run as its schedule would, and the account's health: what the scenario shows
 * after its steps, for replays and texts too.
 */
async function digestAndHealth(
  pipeline: LocalPipeline,
): Promise<{ notifications: readonly string[]; digest: string; health?: string }> {
  const { notifications } = await pipeline.runDigest();
  const digest =
    notifications.length > 0
      ? `Alert digest sent to the alerts topic:\n  ${notifications.join('\n\n').replace(/\n/g, '\n  ')}`
      : 'Alert digest: nothing to send now. Failures and health alerts wait until their window closes (alertDigestMinutes); the digest runs every 5 minutes.';
  const records = await pipeline.wabaHealth();
  return {
    notifications,
    digest,
    health:
      records.length === 0
        ? undefined
        : `Account health (npm run inspect -- --health):\n${renderWabaHealth(LOCAL_BUSINESS.wabaId, records)}`,
  };
}

async function printDigestAndHealth(pipeline: LocalPipeline): Promise<void> {
  const { digest, health } = await digestAndHealth(pipeline);
  if (health !== undefined) console.log(`\n${health}`);
  console.log(`\n${digest}`);
}

/** SocialMessaging calls the simulator answered with a fault so far. */
function faultsAnswered(pipeline: LocalPipeline): number {
  return pipeline.simulator.requests.filter((r) => 'fault' in r.outcome).length;
}

async function replayFiles(pipeline: LocalPipeline, files: readonly string[]): Promise<number> {
  let failed = 0;
  let total = 0;
  const customers = new Set<string>();
  for (const file of files) {
    const items = parseReplayFile(readFileSync(file, 'utf8'));
    console.log(`Replaying ${file}: ${items.length} event(s)`);
    let faults = faultsAnswered(pipeline);
    const outcomes = await replay(pipeline, items, (outcome) => {
      // Each line as it completes: a failing run retries for seconds per event, and says so.
      const now = faultsAnswered(pipeline);
      const retried =
        now > faults ? ` (${now - faults} API fault(s) answered, retried within the budget)` : '';
      faults = now;
      console.log(`  ${outcome.ok ? '✓' : '✗'} ${outcome.position}: ${outcome.description}${retried}`);
      for (const customer of outcome.customers ?? []) customers.add(customer);
    });
    failed += outcomes.filter((o) => !o.ok).length;
    total += outcomes.length;
  }
  const settled = await pipeline.settle();
  console.log(`\n${total - failed} replayed, ${failed} failed`);
  if (pipeline.hasEvents) console.log(`\n${renderSettled(settled)}`);
  for (const customer of customers) console.log(`\n${await conversationView(pipeline, customer)}`);
  await printDigestAndHealth(pipeline);
  console.log(`\n${renderApiCalls(pipeline.simulator.requests)}`);
  return failed > 0 ? 1 : 0;
}

async function sendText(pipeline: LocalPipeline, text: string, from: string): Promise<number> {
  const customer = { phone: from, name: 'Local customer' };
  const result = await pipeline.publish(
    envelope([
      inboundValue(customer, { wamid: newWamid(), type: 'text', at: new Date(), payload: { body: text } }),
    ]),
  );
  console.log(result.ok ? '  ✓ processed' : `  ✗ ${result.error.name}: ${result.error.message}`);
  const settled = await pipeline.settle();
  console.log(`\n${await conversationView(pipeline, from)}\n`);
  if (pipeline.hasEvents) console.log(`${renderSettled(settled)}\n`);
  await printDigestAndHealth(pipeline);
  console.log(`\n${renderApiCalls(pipeline.simulator.requests)}`);
  return result.ok ? 0 : 1;
}

/** The routes of `--serve`, as its banner, its 404 and the README list them. */
const SERVE_ROUTES =
  'POST /sns, POST /events, POST /digest (run the alert digest now), GET /conversations, GET /conversations/<customer>, GET /events, GET /published, GET /sends, GET /health';

/** What `--serve` has been given, for GET /events. */
interface ServedEvent {
  readonly at: string;
  readonly route: string;
  readonly outcomes: unknown;
}

async function serve(pipeline: LocalPipeline, port: number): Promise<number> {
  const received: ServedEvent[] = [];
  const published: BusEvent[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks).toString('utf8');
    const wantsText = String(req.headers.accept ?? '').includes('text/plain');
    const reply = (status: number, payload: unknown, text?: string) => {
      if (wantsText) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end(`${text ?? JSON.stringify(payload, null, 2)}\n`);
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(payload, null, 2));
    };
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    try {
      if (req.method === 'POST' && (path === '/sns' || path === '/events')) {
        const items = parseReplayFile(body);
        const unreadable = items.find((item) => 'error' in item);
        if (items.length === 0 || unreadable !== undefined) {
          return reply(400, {
            message: unreadable && 'error' in unreadable ? unreadable.error : 'an empty body',
          });
        }
        const outcomes = await replay(pipeline, items);
        const settled = await pipeline.settle();
        published.push(...settled.published);
        received.push({ at: new Date().toISOString(), route: path, outcomes });
        const bad = outcomes.filter((o) => !o.ok);
        return reply(bad.length === 0 ? 200 : 422, { ok: bad.length === 0, outcomes });
      }
      if (req.method === 'GET' && path === '/conversations') {
        const conversations = await pipeline.reader.listActiveConversations(
          LOCAL_BUSINESS.metaPhoneNumberId,
          new Date(),
        );
        const list = conversations.map((c) => ({
          customerKey: c.customerKey,
          customerPhone: c.customerPhone,
          profileName: c.profileName,
          lastInboundAt: c.lastInboundAt,
          inboundCount: c.inboundCount,
        }));
        return reply(
          200,
          list,
          list.map((c) => `${c.lastInboundAt ?? ''}  ${c.customerKey}  ${c.profileName ?? ''}`).join('\n'),
        );
      }
      const customer = req.method === 'GET' ? /^\/conversations\/([^/]+)$/.exec(path)?.[1] : undefined;
      if (customer !== undefined) {
        // Any form of the number finds it: +49 151…, 49151…, or the customer key itself.
        const [found] = await pipeline.reader.findConversations(decodeURIComponent(customer));
        if (found === undefined)
          return reply(404, { message: `no conversation with ${decodeURIComponent(customer)}` });
        const timeline = await pipeline.reader.listTimeline(found.businessPhoneNumberId, found.customerKey);
        const messages = timeline.filter((item) => item.entity === 'message');
        const calls = timeline.filter((item) => item.entity === 'call');
        return reply(
          200,
          { conversation: found, messages, calls },
          renderConversation(found, timeline, new Date()),
        );
      }
      if (req.method === 'GET' && path === '/events') return reply(200, received);
      if (req.method === 'GET' && path === '/published') {
        return reply(200, published, renderSettled({ published, deliveries: [] }));
      }
      if (req.method === 'GET' && path === '/sends') {
        return reply(200, pipeline.simulator.requests, renderApiCalls(pipeline.simulator.requests));
      }
      if (req.method === 'POST' && path === '/digest') {
        const { notifications, digest } = await digestAndHealth(pipeline);
        return reply(200, { notifications }, digest);
      }
      if (req.method === 'GET' && path === '/health') {
        const records = await pipeline.wabaHealth();
        return reply(200, records, renderWabaHealth(LOCAL_BUSINESS.wabaId, records));
      }
      return reply(404, { message: `Routes: ${SERVE_ROUTES}` });
    } catch (error) {
      return reply(500, { message: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(
    `Accepting events on http://127.0.0.1:${actualPort} (${SERVE_ROUTES}; JSON, or text with Accept: text/plain).`,
  );
  console.log(
    `Inspect: npm run inspect -- --endpoint ${pipeline.dynamoDbEndpoint} --table ${pipeline.tableName} <customer or wamid>`,
  );
  console.log('Ctrl-C stops everything.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}

async function conversationView(pipeline: LocalPipeline, customerKey: string): Promise<string> {
  const now = new Date();
  const conversation = await pipeline.reader.getConversation(LOCAL_BUSINESS.metaPhoneNumberId, customerKey);
  const messages = await pipeline.reader.listTimeline(LOCAL_BUSINESS.metaPhoneNumberId, customerKey);
  const marketing = await pipeline.reader.getMarketingPreference(
    LOCAL_BUSINESS.metaPhoneNumberId,
    customerKey,
  );
  return renderConversation(conversation, messages, now, marketing);
}

/** Ctrl-C (or a kill) stops every child process before exiting. */
function stopOnSignal(pipeline: LocalPipeline): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      pipeline.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

function execNodeVersion(): string {
  return spawnSync(lambdaNodeBinary(), ['--version'], { encoding: 'utf8' }).stdout.trim();
}

if (require.main === module) {
  runCli(process.argv.slice(2), HELP, main).then((code) => {
    process.exitCode = code;
  });
}

/** Where each send of the run stands in the send ledger (docs/send-ledger.md), by state. */
async function ledgerView(pipeline: LocalPipeline): Promise<string> {
  const sends = await Promise.all(
    pipeline.simulator.sent
      .filter((r) => r.operation === 'SendWhatsAppMessage')
      .map((r) => pipeline.reader.getSend(r.outcome.messageId)),
  );
  const states = new Map<string, number>();
  for (const send of sends) {
    const state = send === undefined ? 'not recorded' : stateOf(send);
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const summary = [...states].map(([state, n]) => `${n} ${state}`).join(', ');
  return `Send ledger (docs/send-ledger.md): ${sends.length} send(s): ${summary || 'none'}`;
}
