/**
 * Runs the whole pipeline on this machine: `npm start` (see `npm start -- --help`).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { renderApiCalls, renderConversation } from '../ops/render';
import { envelope, inboundValue, LOCAL_BUSINESS, newWamid } from './events';
import { LocalPipeline } from './pipeline';
import { parseReplayFile, replay } from './replay';
import { runScenario, SCENARIO_CUSTOMER } from './scenario';
import { FAULTS } from './socialmessaging-simulator';

const HELP = `Runs the WhatsApp pipeline locally: DynamoDB Local, the SocialMessaging simulator and the
stack's own bundled Lambda handlers, on 127.0.0.1.

  npm start                                   the built-in scenario, then the conversation and API calls
  npm start -- --replay events.json           replay SNS, envelope or EventBridge events (JSON array or one per line)
  npm start -- --text "Hello" [--from 1425…]  one inbound text from a customer
  npm start -- --serve [--port 8787]          keep running; POST /sns (envelope or SNS event), POST /events
                                              (EventBridge event), GET /conversations/<customer key>; Ctrl-C stops

Faults injected into the SocialMessaging simulator:
  --latency <ms>       every API call takes this long
  --throttle <n>       the first n calls are throttled (ThrottledRequestException)
  --fail-rate <0..1>   this share of calls fails with InternalServiceException
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      replay: { type: 'string', multiple: true },
      text: { type: 'string' },
      from: { type: 'string', default: SCENARIO_CUSTOMER.phone },
      serve: { type: 'boolean', default: false },
      port: { type: 'string', default: '8787' },
      latency: { type: 'string' },
      throttle: { type: 'string' },
      'fail-rate': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }

  console.log(
    'Synthesizing the stack and starting DynamoDB Local, the SocialMessaging simulator and the bundled handlers…',
  );
  const pipeline = await LocalPipeline.start();
  stopOnSignal(pipeline);
  try {
    if (values.latency !== undefined) pipeline.simulator.latencyMs = Number(values.latency);
    if (values.throttle !== undefined) pipeline.simulator.failNext(Number(values.throttle), FAULTS.throttled);
    if (values['fail-rate'] !== undefined)
      pipeline.simulator.failRandomly(Number(values['fail-rate']), FAULTS.internal);
    console.log(`  DynamoDB Local ${pipeline.dynamoDbEndpoint}, table ${pipeline.tableName}`);
    console.log(`  SocialMessaging simulator ${pipeline.simulator.endpoint}\n`);

    if (values.serve) return await serve(pipeline, Number(values.port));
    if (values.replay !== undefined) return await replayFiles(pipeline, values.replay);
    if (values.text !== undefined) return await sendText(pipeline, values.text, values.from ?? '');
    return await scenario(pipeline);
  } finally {
    await pipeline.stop();
  }
}

async function scenario(pipeline: LocalPipeline): Promise<number> {
  console.log('Scenario: a short conversation with Jane Doe');
  const result = await runScenario(pipeline, (line) => console.log(line));
  console.log(`\n${await conversationView(pipeline, SCENARIO_CUSTOMER.userId ?? '')}\n`);
  if (result.alert !== undefined)
    console.log(`Alert digest sent to the alerts topic:\n  ${result.alert.replace(/\n/g, '\n  ')}\n`);
  console.log(renderApiCalls(pipeline.simulator.requests));
  if (result.problems.length > 0) {
    console.log(`\n${result.problems.length} step(s) did not go as expected.`);
    return 1;
  }
  return 0;
}

async function replayFiles(pipeline: LocalPipeline, files: readonly string[]): Promise<number> {
  let failed = 0;
  let total = 0;
  for (const file of files) {
    console.log(`Replaying ${file}`);
    const outcomes = await replay(pipeline, parseReplayFile(readFileSync(file, 'utf8')));
    for (const outcome of outcomes) {
      console.log(`  ${outcome.ok ? '✓' : '✗'} ${outcome.position}: ${outcome.description}`);
      if (!outcome.ok) failed++;
    }
    total += outcomes.length;
  }
  console.log(`\n${total - failed} replayed, ${failed} failed`);
  console.log(renderApiCalls(pipeline.simulator.requests));
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
  console.log(`\n${await conversationView(pipeline, from)}\n`);
  console.log(renderApiCalls(pipeline.simulator.requests));
  return result.ok ? 0 : 1;
}

async function serve(pipeline: LocalPipeline, port: number): Promise<number> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload, null, 2));
    };
    try {
      if (req.method === 'POST' && req.url === '/sns') {
        const items = parseReplayFile(body);
        return reply(200, await replay(pipeline, items));
      }
      if (req.method === 'POST' && req.url === '/events') {
        return reply(200, await pipeline.putEvent(JSON.parse(body)));
      }
      const customer = req.method === 'GET' ? req.url?.match(/^\/conversations\/([^/?]+)$/)?.[1] : undefined;
      if (customer !== undefined) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end(`${await conversationView(pipeline, decodeURIComponent(customer))}\n`);
      }
      return reply(404, { message: 'POST /sns, POST /events or GET /conversations/<customer key>' });
    } catch (error) {
      return reply(400, { message: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(
    `Accepting events on http://127.0.0.1:${actualPort} (POST /sns, POST /events, GET /conversations/<key>).`,
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
  const messages = await pipeline.reader.listMessages(LOCAL_BUSINESS.metaPhoneNumberId, customerKey);
  return renderConversation(conversation, messages, now);
}

/** Ctrl-C (or a kill) stops every child process before exiting. */
function stopOnSignal(pipeline: LocalPipeline): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      pipeline.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  },
);
