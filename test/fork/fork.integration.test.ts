import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EffectStore } from '../../lambda/adapters/effect-store';
import { hookEffectKey } from '../../lambda/inbound-processor/hooks';
import { CloudAssembly } from '../../local/assembly';
import { BundleHost } from '../../local/bundle-host';
import { envelope, inboundValue, LOCAL_BUSINESS, newWamid } from '../../local/events';
import { FAULTS } from '../../local/socialmessaging-simulator';
import { createLocalTable } from '../../local/tables';
import { snsEvent } from '../fixtures';
import { localDynamoDbClient } from '../support/assembly';
import { localPartsEnvironment } from '../support/bundle-env';
import { startSimulator } from '../support/simulator';
import { synthesizeForkApp } from './app';
import { GREETING } from './greeting-hook';

const CUSTOMER = { phone: '14255550188', name: 'Fork Customer' };

/**
 * A fork registers a hook from its own folder with `messageHooks`, synthesizes, and ships the
 * processor bundle the stack deploys; that bundle runs here against DynamoDB Local and the
 * simulator. Its reply goes out once, whatever is redelivered or fails.
 */
describe('a fork with its own message hook, through the shipped bundle', () => {
  const client = localDynamoDbClient();
  let outdir: string;
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let host: BundleHost;
  let tableName: string;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'fork-app-'));
    synthesizeForkApp(outdir);
    const assembly = new CloudAssembly(outdir);
    tableName = `fork-${randomUUID()}`;
    await createLocalTable(client, assembly.table(), tableName);
    simulator = await startSimulator();
    const fn = assembly.function('InboundProcessor/Processor');
    // A 5-second budget: the sender gives up on a throttle about 2 s in, not 27.
    host = BundleHost.forFunction(
      { ...fn, timeoutSeconds: 5 },
      localPartsEnvironment(tableName, simulator.endpoint),
    );
    await host.start();
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await simulator?.stop();
    client.destroy();
    rmSync(outdir, { recursive: true, force: true });
  });

  afterEach(() => simulator.reset());

  /** A fresh text from the customer, as one SNS event (the same object is its redelivery). */
  function freshText(body: string) {
    const wamid = newWamid();
    const message = envelope([
      inboundValue(CUSTOMER, { wamid, type: 'text', at: new Date(), payload: { body } }),
    ]);
    return { wamid, event: snsEvent(message, randomUUID()) };
  }

  /** The greetings the simulator accepted, quoting `wamid`. */
  function greetingsTo(wamid: string) {
    return simulator.sent.filter((r) => {
      const sent = r.message as {
        type?: string;
        text?: { body?: string };
        context?: { message_id?: string };
      };
      return sent.type === 'text' && sent.text?.body === GREETING && sent.context?.message_id === wamid;
    });
  }

  async function storedReply(wamid: string) {
    const store = new EffectStore({ client, tableName, retentionDays: 1 });
    const key = store.keyOf(hookEffectKey(wamid, 'greeting', 'reply#1'));
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: marshall(key) }));
    return Item === undefined ? undefined : store.recordOf(Item);
  }

  const isText = ({ message }: { message?: unknown }) =>
    typeof message === 'object' && message !== null && 'type' in message && message.type === 'text';

  test("the shipped processor answers a text with the receipt, the reaction and the hook's reply", async () => {
    const { wamid, event } = freshText('Hello');
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    expect(greetingsTo(wamid)).toHaveLength(1);
    expect(greetingsTo(wamid)[0]?.originationPhoneNumberId).toBe(LOCAL_BUSINESS.originationPhoneNumberId);
    expect(
      simulator.sent.map((r) => (r.message as { type?: string; status?: string }).type ?? 'read').sort(),
    ).toEqual(['reaction', 'read', 'text']);
    await expect(storedReply(wamid)).resolves.toMatchObject({ state: 'done', reference: expect.any(String) });
  });

  test('its SNS redelivery sends no second reply', async () => {
    const { wamid, event } = freshText('Hello again');
    await host.invoke(event);
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    expect(greetingsTo(wamid)).toHaveLength(1);
  });

  test('a throttle past the budget fails the invocation and releases the reply; the retry sends it once', async () => {
    const { wamid, event } = freshText('Are you there?');
    simulator.failWhen((request) => (isText(request) ? FAULTS.throttled : undefined));
    await expect(host.invoke(event)).resolves.toMatchObject({ ok: false });
    expect(greetingsTo(wamid)).toHaveLength(0);
    await expect(storedReply(wamid)).resolves.toBeUndefined();

    simulator.reset();
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    expect(greetingsTo(wamid)).toHaveLength(1);
  }, 30_000);

  test('an ambiguous failure (a 500) is recorded unknown, and never sent again', async () => {
    const { wamid, event } = freshText('Anyone?');
    let failed = 0;
    simulator.failWhen((request) => (isText(request) && failed++ === 0 ? FAULTS.internal : undefined));
    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    await expect(storedReply(wamid)).resolves.toMatchObject({
      state: 'unknown',
      error: { name: 'InternalServiceException' },
    });

    await expect(host.invoke(event)).resolves.toEqual({ ok: true, result: null });
    const attempts = simulator.requests.filter(isText);
    expect(attempts).toHaveLength(1);
    expect(greetingsTo(wamid)).toHaveLength(0);
  });
});
