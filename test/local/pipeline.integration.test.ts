import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { currentContent } from '../../lambda/domain/revisions';
import { stateOf } from '../../lambda/domain/send-ledger';
import {
  envelope,
  inboundValue,
  LOCAL_BUSINESS,
  messageFailedEvent,
  newWamid,
  snsEventOf,
} from '../../local/events';
import { LocalPipeline } from '../../local/pipeline';
import { parseReplayFile, replay } from '../../local/replay';
import {
  HISTORY_CUSTOMER,
  runScenario,
  SCENARIO_CUSTOMER,
  SCENARIO_GROUP,
  SCENARIO_NEW_IDENTITY,
  type ScenarioResult,
} from '../../local/scenario';
import { eventBridgeFixture } from '../fixtures/eventbridge';
import { testAssembly } from '../support/assembly';

const ROOT = join(__dirname, '..', '..');

/** A pipeline on the test run's DynamoDB Local and assembly, with its own simulator and table. */
function startPipeline(): Promise<LocalPipeline> {
  return LocalPipeline.start({
    assembly: testAssembly(),
    dynamoDbEndpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
  });
}

describe('the built-in scenario, end to end on the shipped bundles', () => {
  let pipeline: LocalPipeline;
  let result: ScenarioResult;
  const lines: string[] = [];

  beforeAll(async () => {
    pipeline = await startPipeline();
    result = await runScenario(pipeline, (line) => lines.push(line));
  });
  afterAll(() => pipeline.stop());

  const message = (wamid: string) => pipeline.reader.getMessage(wamid);

  test("the customer's marketing stop is kept under the conversation", async () => {
    const marketing = await pipeline.reader.getMarketingPreference(
      '574086085794038',
      SCENARIO_CUSTOMER.userId ?? '',
    );
    expect(marketing).toMatchObject({ preference: 'stop', category: 'marketing_messages' });
  });

  test('the paused template stays paused after the late, older approval, and the customer stopped marketing', async () => {
    const [template] = await pipeline.wabaHealth();
    expect(template).toMatchObject({
      entity: 'template-health',
      templateName: 'order_update',
      current: { status: { event: 'PAUSED' } },
    });
    expect(template?.history.map((h) => h.event)).toEqual(['APPROVED', 'PAUSED']);
  });

  test('every step succeeds and reports progress', () => {
    expect(result.problems).toEqual([]);
    expect(lines).toHaveLength(20);
    expect(lines.every((line) => line.startsWith('  ✓ '))).toBe(true);
  });

  test('sends exactly a read receipt and a reaction for the text, the photo, the voice note and the button tap, and nothing else', () => {
    const calls = pipeline.simulator.requests.map((r) => {
      const m = r.message as {
        status?: string;
        message_id?: string;
        reaction?: { message_id: string; emoji: string };
      };
      return m.status === 'read'
        ? `receipt ${m.message_id}`
        : `reaction ${m.reaction?.emoji} ${m.reaction?.message_id}`;
    });
    expect(calls.sort()).toEqual(
      [
        `receipt ${result.text}`,
        `reaction 👍 ${result.text}`,
        `receipt ${result.image}`,
        `reaction 👍 ${result.image}`,
        `receipt ${result.voiceNote}`,
        `reaction 👍 ${result.voiceNote}`,
        `receipt ${result.buttonTap}`,
        `reaction 👍 ${result.buttonTap}`,
      ].sort(),
    );
    expect(new Set(pipeline.simulator.requests.map((r) => r.originationPhoneNumberId))).toEqual(
      new Set([LOCAL_BUSINESS.originationPhoneNumberId]),
    );
  });

  test('records the conversation once per message, despite the redelivery', async () => {
    const conversation = await pipeline.reader.getConversation(
      LOCAL_BUSINESS.metaPhoneNumberId,
      SCENARIO_CUSTOMER.userId ?? '',
    );
    // Meta's notice that Jane changed her number is one of them.
    expect(conversation).toMatchObject({ inboundCount: 7, profileName: 'Jane Doe' });
  });

  test("every send is in the ledger: handed over to Meta, and the photo's reaction failed", async () => {
    const sends = await Promise.all(
      pipeline.simulator.sent
        .filter((r) => r.operation === 'SendWhatsAppMessage')
        .map((r) => pipeline.reader.getSend(r.outcome.messageId)),
    );
    expect(sends.length).toBeGreaterThan(0);
    const states = sends.map((s) => [s?.awsMessageId, s && stateOf(s)]);
    expect(states.filter(([, state]) => state === 'failed').map(([id]) => id)).toEqual([
      result.failedReactionMessageId,
    ]);
    expect(states.filter(([, state]) => state === 'handed-over')).toHaveLength(sends.length - 1);
  });

  test("Jane's change of number moves her conversation to her new identifiers, unanswered", async () => {
    const byNewNumber = await pipeline.reader.getConversation(
      LOCAL_BUSINESS.metaPhoneNumberId,
      SCENARIO_NEW_IDENTITY.phone,
    );
    expect(byNewNumber).toMatchObject({
      customerKey: SCENARIO_CUSTOMER.userId,
      customerPhone: SCENARIO_NEW_IDENTITY.phone,
      customerUserId: SCENARIO_NEW_IDENTITY.userId,
    });
    expect((await message(result.numberChange))?.autoResponse).toMatchObject({
      receipt: { state: 'skipped' },
      reaction: { state: 'skipped' },
    });
  });

  test("Sam's reply from the WhatsApp Business app is the business's message, and no bot answered Jane's thanks", async () => {
    expect(await message(result.humanReply)).toMatchObject({
      direction: 'outbound',
      sentFrom: 'business-app',
    });
    expect((await message(result.thanks))?.autoResponse).toEqual({
      receipt: { state: 'skipped', reason: 'human-takeover' },
      reaction: { state: 'skipped', reason: 'human-takeover' },
    });
  });

  test("Ravi's imported chat keeps its original time, and opens no service window", async () => {
    const imported = await message(result.importedQuestion);
    expect(imported?.imported).toMatchObject({ status: 'read' });
    expect(Date.parse(imported?.sentAt ?? '')).toBeLessThan(Date.now() - 30 * 86_400_000);
    const conversation = await pipeline.reader.getConversation(
      LOCAL_BUSINESS.metaPhoneNumberId,
      HISTORY_CUSTOMER.phone ?? '',
    );
    expect(conversation).toMatchObject({ inboundCount: 0 });
    expect(conversation?.lastInboundAt).toBeUndefined();
  });

  test("Jane's group message is the group's conversation, and got neither receipt nor reaction", async () => {
    expect(await message(result.groupMessage)).toMatchObject({
      groupId: SCENARIO_GROUP,
      conversationKey: `${LOCAL_BUSINESS.metaPhoneNumberId}#GROUP#${SCENARIO_GROUP}`,
      autoResponse: {
        receipt: { state: 'skipped', reason: 'group' },
        reaction: { state: 'skipped', reason: 'group' },
      },
    });
  });

  test("Ravi's missed call is on his conversation, and nothing answered it", async () => {
    const timeline = await pipeline.reader.listTimeline(
      LOCAL_BUSINESS.metaPhoneNumberId,
      HISTORY_CUSTOMER.phone ?? '',
    );
    expect(timeline.find((item) => item.entity === 'call')).toMatchObject({
      callId: result.missedCall,
      direction: 'inbound',
      terminateStatus: 'FAILED',
    });
  });

  test("Jane's edit is applied to her text, which keeps what she sent first in its history", async () => {
    const text = await message(result.text);
    expect(currentContent(text?.content, text?.edits ?? [])).toEqual({
      kind: 'text',
      body: 'Hi! Where is my order #1234? Postcode 98052.',
    });
    expect(text?.content).toEqual({ kind: 'text', body: 'Hi! Where is my order #1234?' });
  });

  test('the template statuses, received out of order, end at read with the full history', async () => {
    const template = await message(result.template);
    expect(template?.status).toBe('read');
    expect(template?.statusHistory.map((h) => h.status)).toEqual(['sent', 'delivered', 'read']);
  });

  test('the failed template is failed, with its error', async () => {
    const failed = await message(result.failedTemplate);
    expect(failed?.status).toBe('failed');
    expect(failed?.statusHistory[0]?.errors).toEqual([expect.objectContaining({ code: '131047' })]);
  });

  test("the EventBridge failure is recorded on the photo's reaction, and the digest says what failed", async () => {
    expect((await message(result.image))?.autoResponse).toMatchObject({
      reaction: { state: 'sent', messageId: result.failedReactionMessageId, delivery: { status: 'failed' } },
    });
    expect(result.alert).toContain('WhatsApp: 1 failed with 131026');
    expect(result.alert).toContain('1 WhatsApp message(s) sent from');
    expect(result.alert).toContain('failed with error 131026 (Message undeliverable)');
    expect(result.alert).toContain('docs/runbook.md#failedwhatsappmessages');
    expect(result.alert).toContain('WhatsApp account health: 1 change(s) need attention');
    expect(result.alert).toContain(
      '[WARNING] template order_update (en_US) [id 1234567890123456], account 1163793972139053: template paused',
    );
    expect(result.alert).toContain('docs/runbook.md#template-paused-disabled-or-rejected');
  });

  test("the customer's reaction got nothing, by policy, and the button tap refers to the template", async () => {
    expect((await message(result.customerReaction))?.autoResponse).toEqual({
      receipt: { state: 'skipped', reason: 'policy' },
      reaction: { state: 'skipped', reason: 'policy' },
    });
    expect((await message(result.buttonTap))?.replyTo).toBe(result.template);
  });
});

describe("EUM's hand-offs, as the simulator reports them", () => {
  test('a failed hand-off fails the send; a dropped one leaves it accepted, watched for a stall', async () => {
    const pipeline = await startPipeline();
    try {
      const customer = { phone: '14255550198', name: 'Handed' };
      const message = () =>
        envelope([
          inboundValue(customer, {
            wamid: newWamid(),
            type: 'text',
            at: new Date(),
            payload: { body: 'hi' },
          }),
        ]);
      const statesOf = async (from: number) =>
        Promise.all(
          pipeline.simulator.sent.slice(from).map(async (r) => {
            const send = await pipeline.reader.getSend(r.outcome.messageId);
            return send && stateOf(send);
          }),
        );
      pipeline.simulator.handoffs = { failRate: 1, dropRate: 0 };
      await pipeline.publish(message());
      expect(await statesOf(0)).toEqual(['failed', 'failed']);
      pipeline.simulator.handoffs = { failRate: 0, dropRate: 1 };
      const before = pipeline.simulator.sent.length;
      await pipeline.publish(message());
      expect(await statesOf(before)).toEqual(['accepted', 'accepted']);
    } finally {
      await pipeline.stop();
    }
  });
});

describe('replay', () => {
  test('runs every readable event of a file and reports the malformed ones clearly, going on', async () => {
    const pipeline = await startPipeline();
    try {
      const wamid = newWamid();
      const text = envelope([
        inboundValue(
          { phone: '14255550199', name: 'Replayed' },
          { wamid, type: 'text', at: new Date(), payload: { body: 'hi' } },
        ),
      ]);
      const file = [
        JSON.stringify(JSON.parse(text)),
        '{"this is": not json',
        JSON.stringify(snsEventOf(text, 'replayed-sns-event')),
        JSON.stringify({ hello: 'world' }),
        JSON.stringify(eventBridgeFixture('delivered')),
        JSON.stringify(
          messageFailedEvent('unknown-aws-id', new Date(), { code: 131026, title: 'Message undeliverable' }),
        ),
        JSON.stringify(snsEventOf('Hello from SNS!', 'console-test')),
      ].join('\n');

      const outcomes = await replay(pipeline, parseReplayFile(file));

      expect(outcomes.map((o) => [o.position, o.ok])).toEqual([
        ['line 1', true],
        ['line 2', false],
        ['line 3', true],
        ['line 4', false],
        ['line 5', true],
        ['line 6', true],
        ['line 7', false],
      ]);
      expect(outcomes[1]?.description).toMatch(/^not JSON: /);
      expect(outcomes[3]?.description).toBe(
        'neither an SNS event, an End User Messaging Social envelope nor an EventBridge event',
      );
      expect(outcomes[4]?.description).toBe("eventbridge: a send's progress, recorded in the send ledger");
      expect(outcomes[5]?.description).toBe(
        'eventbridge: failure recorded and counted for the alert digest (orphan)',
      );
      expect(outcomes[6]?.description).toContain('EventDecodeError');
      expect((await pipeline.reader.getMessage(wamid))?.type).toBe('text');
      expect(pipeline.simulator.sent).toHaveLength(2);
    } finally {
      await pipeline.stop();
    }
  });

  test('a JSON array file is read item by item', () => {
    expect(parseReplayFile('[{"a":1},{"b":2}]')).toEqual([
      { position: 'item 1', event: { a: 1 } },
      { position: 'item 2', event: { b: 2 } },
    ]);
  });
});

describe('npm start, as a process', () => {
  /** Runs the CLI (what `npm start` runs) and collects its output. */
  function cli(
    args: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/cli.ts', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exit };
  }

  /** The ports the CLI said DynamoDB Local and the simulator listen on. */
  function ports(output: string): number[] {
    return [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  }

  function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }

  test('runs the scenario to a readable conversation, exits 0 and leaves nothing listening', async () => {
    const run = cli([]);
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('synthesizing the stack and bundling its functions');
    const output = run.output();
    expect(output).toContain('Conversation with Jane Doe');
    expect(output).toContain('statuses: sent');
    // Receipts and reactions of four messages, and the archive of the photo and the voice note.
    expect(output).toContain('SocialMessaging API calls: 10');
    expect(output).toContain('archived: image/jpeg, 84 KB');
    expect(output).toContain('archived: audio/ogg, 12 KB');
    expect(output).toMatch(/Conversation events published: \d+/);
    expect(output).toMatch(/Message Received +text \(text\)/);
    expect(output.match(/Message Edited/g)).toHaveLength(1);
    expect(output.match(/Human Replied/g)).toHaveLength(1);
    expect(output.match(/Call Missed/g)).toHaveLength(1);
    expect(output.match(/Customer Identity Changed/g)).toHaveLength(1);
    expect(output).toContain('Send ledger (docs/send-ledger.md): 8 send(s): 7 handed-over, 1 failed');
    // The template's statuses arrive read first: the later sent and delivered change nothing.
    expect(output).toMatch(/Message Status Changed +— → read/);
    expect(output).not.toMatch(/Message Status Changed +\S+ → delivered/);
    const used = ports(output);
    expect(used.length).toBeGreaterThanOrEqual(2);
    for (const port of used) expect(await listening(port)).toBe(false);
  }, 90_000);

  test('replays a file with a malformed line: says which, goes on, exits 1, leaves nothing listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'events.jsonl');
    const text = envelope([
      inboundValue(
        { phone: '14255550177', name: 'File' },
        { wamid: newWamid(), type: 'text', at: new Date(), payload: { body: 'from a file' } },
      ),
    ]);
    writeFileSync(file, `${text}\nnot json at all\n${text}\n`);
    const run = cli(['--replay', file, '--assembly', testAssembly().dir]);
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('✗ line 2: not JSON');
    expect(run.output()).toContain('✓ line 3: envelope: redelivery, recorded once, nothing sent again');
    expect(run.output()).toContain('Conversation with File +14255550177');
    expect(run.output()).toContain('2 replayed, 1 failed');
    expect(run.output()).toContain('Alert digest: nothing to send now');
    // A failed run stops everything too.
    for (const port of ports(run.output())) expect(await listening(port)).toBe(false);
  }, 90_000);

  test('--assembly takes a path relative to the working directory, as `cdk synth` writes cdk.out', async () => {
    const run = cli([
      '--text',
      'Hello from a relative assembly',
      '--assembly',
      relative(ROOT, testAssembly().dir),
    ]);
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('Hello from a relative assembly');
    expect(run.output()).not.toContain('Cannot find module');
  }, 90_000);

  test.each([
    [['--fail-rate', '2'], '--fail-rate must be a number from 0 to 1, got 2'],
    [['--latency', 'abc'], '--latency must be a number from 0 to 60000, got "abc"'],
    [['--port', 'abc'], '--port must be a whole number from 0 to 65535, got "abc"'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--replay', '/no/such/file.jsonl'], '--replay: no file /no/such/file.jsonl'],
    [['--serve', '--text', 'hi'], 'choose one of --serve, --replay and --text'],
    [['--assembly', '/tmp'], '--assembly: /tmp is not a cloud assembly'],
  ])(
    '%j is refused in one line with exit 2, before anything starts',
    async (args, message) => {
      const startedAt = Date.now();
      const run = cli(args);
      expect(await run.exit).toBe(2);
      expect(run.output()).toContain(message);
      expect(run.output()).not.toMatch(/\n\s+at /);
      expect(run.output()).not.toContain('Starting the local pipeline');
      expect(Date.now() - startedAt).toBeLessThan(15_000);
    },
    30_000,
  );

  test('a busy --serve port is refused before start-up', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const address = busy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const run = cli(['--serve', '--port', String(port)]);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain(`--port ${port} is in use`);
    expect(run.output()).not.toContain('Starting the local pipeline');
    busy.close();
  }, 30_000);

  test('--help prints the usage and exits 0', async () => {
    const run = cli(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('Runs the WhatsApp pipeline locally');
  }, 30_000);

  test('without Java, says to install it, before any synth or bundling, and exits 1 without a stack trace', async () => {
    const run = cli([], { PATH: '/nonexistent' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('install Java 17 or newer (DynamoDB Local needs it)');
    expect(run.output()).not.toContain('Starting the local pipeline');
    expect(run.output()).not.toMatch(/\n\s+at /);
  }, 30_000);

  test('--serve accepts events over HTTP and Ctrl-C stops every part', async () => {
    const run = cli(['--serve', '--port', '0', '--assembly', testAssembly().dir]);
    while (!run.output().includes('Ctrl-C stops everything.')) {
      if (run.child.exitCode !== null) throw new Error(run.output());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const used = ports(run.output());
    const serverPort = Number(run.output().match(/Accepting events on http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
    const text = envelope([
      inboundValue(
        { phone: '14255550166', name: 'HTTP' },
        { wamid: newWamid(), type: 'text', at: new Date(), payload: { body: 'over http' } },
      ),
    ]);
    const base = `http://127.0.0.1:${serverPort}`;
    const posted = await fetch(`${base}/sns`, { method: 'POST', body: text });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({
      ok: true,
      outcomes: [
        { position: 'item 1', ok: true, description: 'envelope: processed', customers: ['14255550166'] },
      ],
    });
    const view = await (
      await fetch(`${base}/conversations/${encodeURIComponent('+1 425-555-0166')}`, {
        headers: { accept: 'text/plain' },
      })
    ).text();
    expect(view).toContain('text: "over http"');
    expect(view).toContain('auto-response: read receipt sent · reaction sent 👍');
    const json: unknown = await (await fetch(`${base}/conversations/14255550166`)).json();
    expect(json).toMatchObject({ conversation: { customerKey: '14255550166', inboundCount: 1 } });
    expect(await (await fetch(`${base}/conversations`)).json()).toEqual([
      expect.objectContaining({ customerKey: '14255550166' }),
    ]);
    const bad = await fetch(`${base}/sns`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: expect.stringContaining('not JSON') });
    expect((await fetch(`${base}/conversations/14255550000`)).status).toBe(404);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect(await (await fetch(`${base}/events`)).json()).toHaveLength(1);
    const published: unknown = await (await fetch(`${base}/published`)).json();
    expect(published).toEqual([
      expect.objectContaining({ 'detail-type': 'Message Received' }),
      expect.objectContaining({ 'detail-type': 'Auto Response Completed' }),
    ]);
    expect(await (await fetch(`${base}/sends`)).json()).toHaveLength(2);
    // The digest and the health view, as the scenario shows them.
    const digest = await fetch(`${base}/digest`, { method: 'POST', headers: { accept: 'text/plain' } });
    expect(digest.status).toBe(200);
    expect(await digest.text()).toContain('Alert digest: nothing to send now');
    expect(await (await fetch(`${base}/health`)).json()).toEqual([]);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    for (const port of used) expect(await listening(port)).toBe(false);
  }, 90_000);
});
