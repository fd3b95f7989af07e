import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { EffectStore } from '../../../lambda/adapters/effect-store';
import { WhatsAppSender } from '../../../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../../../lambda/domain/auto-response';
import { AutoResponder } from '../../../lambda/inbound-processor/auto-responder';
import {
  HookRegistrationError,
  type MessageHook,
  type MessageHookContext,
} from '../../../lambda/inbound-processor/hooks';
import { createInboundHandler } from '../../../lambda/inbound-processor/process';
import { fixtureEvent } from '../../fixtures';
import { createConversationTable } from '../../support/assembly';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();

/** A hook that records the contexts it gets, and replies when told to. */
function recordingHook(name: string, options: { reply?: string; redelivered?: boolean } = {}) {
  const recorded: MessageHookContext[] = [];
  const redelivered: MessageHookContext[] = [];
  const hook: MessageHook = {
    name,
    async onRecorded(context) {
      recorded.push(context);
      if (options.reply !== undefined) await context.send?.reply(options.reply);
    },
    ...(options.redelivered === false
      ? {}
      : {
          async onRedelivered(context: MessageHookContext) {
            redelivered.push(context);
          },
        }),
  };
  return { hook, recorded, redelivered };
}

/** The texts the simulator accepted, in order. */
function textsSent(): string[] {
  return parts.simulator.sent.flatMap((r) => {
    const sent = r.message as { type?: string; text?: { body?: string } };
    return sent.type === 'text' && sent.text?.body !== undefined ? [sent.text.body] : [];
  });
}

async function processor(hooks: readonly MessageHook[], withSender = true) {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new ConversationStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const sender = new WhatsAppSender({ client: parts.messaging, metaApiVersion: 'v24.0', baseBackoffMs: 5 });
  return createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    hooks,
    sender: withSender ? sender : undefined,
    effects: new EffectStore({ client: parts.dynamo, tableName, retentionDays: 30 }),
  });
}

/** A processor with the auto-responder first, then `hooks`, on a table of its own. */
async function withAutoResponder(hooks: readonly MessageHook[]) {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new ConversationStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const sender = new WhatsAppSender({ client: parts.messaging, metaApiVersion: 'v24.0' });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const responder = new AutoResponder({
    store,
    sender,
    policy: DEFAULT_AUTO_RESPONSE_POLICY,
    logger,
    metrics,
    // The fixture's message is of this time; later, it would be too old to answer.
    clock: () => new Date('2026-01-01T00:00:30Z'),
  });
  return createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    logger,
    metrics,
    hooks: [responder, ...hooks],
    sender,
    effects: new EffectStore({ client: parts.dynamo, tableName, retentionDays: 30 }),
  });
}

describe('message hooks: the in-process seam', () => {
  test('a hook gets each newly recorded message with its routing, record and time budget', async () => {
    const { hook, recorded } = recordingHook('crm');
    await (await processor([hook]))(fixtureEvent('message-text'), lambdaContext(10_000));
    expect(recorded).toHaveLength(1);
    const [context] = recorded;
    expect(context?.routing.kind).toBe('routed');
    expect(context?.record.wamid).toBe(context?.message.wamid);
    expect(context?.remainingMs()).toBeGreaterThan(0);
    expect(context?.remainingMs()).toBeLessThanOrEqual(10_000);
  });

  test("a hook's reply goes to the customer from the receiving number, quoting the message", async () => {
    const { hook, recorded } = recordingHook('bot', { reply: 'Thanks, we are on it' });
    await (await processor([hook]))(fixtureEvent('message-text'), lambdaContext(10_000));
    const wamid = recorded[0]?.message.wamid;
    expect(
      parts.simulator.sent.map((r) => ({ origination: r.originationPhoneNumberId, message: r.message })),
    ).toEqual([
      {
        origination:
          recorded[0]?.routing.kind === 'routed' ? recorded[0].routing.originationPhoneNumberId : '',
        message: expect.objectContaining({
          type: 'text',
          text: { body: 'Thanks, we are on it' },
          context: { message_id: wamid },
        }),
      },
    ]);
  });

  test('a redelivery calls onRedelivered, never onRecorded again', async () => {
    const { hook, recorded, redelivered } = recordingHook('crm');
    const handler = await processor([hook]);
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    expect(recorded).toHaveLength(1);
    expect(redelivered).toHaveLength(1);
  });

  test('hooks run in order of registration, the auto-responder among them', async () => {
    const order: string[] = [];
    const after: MessageHook = {
      name: 'after',
      async onRecorded() {
        order.push(`after: ${parts.simulator.sent.length} sent`);
      },
    };
    await (await withAutoResponder([after]))(fixtureEvent('message-text'), lambdaContext(10_000));
    expect(order).toEqual(['after: 2 sent']);
  });

  test('an unrouted message gives hooks no sender', async () => {
    const { hook, recorded } = recordingHook('bot');
    await (await processor([hook]))(fixtureEvent('edge-unmatched-phone-number'), lambdaContext(10_000));
    expect(recorded[0]?.routing.kind).toBe('unmatched');
    expect(recorded[0]?.send).toBeUndefined();
  });

  test('a failing hook fails the notification, so it is retried', async () => {
    const failing: MessageHook = {
      name: 'failing',
      async onRecorded() {
        throw new Error('CRM down');
      },
    };
    await expect(
      (await processor([failing]))(fixtureEvent('message-text'), lambdaContext(10_000)),
    ).rejects.toThrow(/could not be processed/);
  });

  test('two hooks that both plan what is written with a message are refused up front', async () => {
    const planner = (name: string): MessageHook => ({
      name,
      plan: () => undefined,
      onRecorded: async () => undefined,
    });
    await expect(processor([planner('a'), planner('b')])).rejects.toThrow(HookRegistrationError);
  });

  test('two hooks of one name are refused up front', async () => {
    await expect(processor([recordingHook('x').hook, recordingHook('x').hook])).rejects.toThrow(/named "x"/);
  });

  test("one hook's failure runs the next hook all the same, and the retry gives neither a second reply", async () => {
    let failures = 1;
    const flaky: MessageHook = {
      name: 'flaky',
      async onRecorded({ send }) {
        if (failures-- > 0) throw new Error('CRM down');
        await send?.reply('Your ticket is open');
      },
    };
    const { hook: bot } = recordingHook('bot', { reply: 'Thanks', redelivered: false });
    const handler = await processor([flaky, bot]);
    await expect(handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000))).rejects.toThrow(
      /could not be processed/,
    );
    expect(textsSent()).toEqual(['Thanks']);
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    expect(textsSent()).toEqual(['Thanks', 'Your ticket is open']);
  });

  test('a hook without onRedelivered runs onRecorded again on a redelivery, and its reply is not repeated', async () => {
    const { hook, recorded } = recordingHook('bot', { reply: 'Thanks', redelivered: false });
    const handler = await processor([hook]);
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    await handler(fixtureEvent('message-text', 'sns-2'), lambdaContext(10_000));
    expect(recorded).toHaveLength(2);
    expect(textsSent()).toEqual(['Thanks']);
  });

  test("a hook's once() runs its act once across redeliveries and answers with the first record", async () => {
    const calls: string[] = [];
    const results: string[] = [];
    const crm: MessageHook = {
      name: 'crm',
      async onRecorded({ once }) {
        const result = await once('upsert', { idempotent: true }, async () => {
          calls.push('upsert');
          return { reference: 'contact-1' };
        });
        results.push(`${result.record.state} ${result.fresh}`);
      },
    };
    const handler = await processor([crm]);
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    await handler(fixtureEvent('message-text', 'sns-1'), lambdaContext(10_000));
    expect(calls).toEqual(['upsert']);
    expect(results).toEqual(['done true', 'done false']);
  });

  test('a message in a group is its own conversation, gets no auto-response, and gives hooks no sender', async () => {
    const { hook, recorded } = recordingHook('bot', { reply: 'Thanks' });
    await (await withAutoResponder([hook]))(fixtureEvent('message-group-text'), lambdaContext(10_000));
    expect(parts.simulator.requests).toEqual([]);
    const [context] = recorded;
    expect(context?.send).toBeUndefined();
    expect(context?.record.conversationKey).toBe(
      '574086085794038#GROUP#Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=',
    );
    expect(context?.record.customerPhone).toBe('14255550150');
    expect(context?.record.autoResponse?.reaction).toEqual({ state: 'skipped', reason: 'group' });
  });

  test.each(['message-edit', 'message-revoke'])(
    '%s reaches no hook: it is applied to the message it names, and never answered',
    async (name) => {
      const { hook, recorded } = recordingHook('bot', { reply: 'Thanks' });
      await (await processor([hook]))(fixtureEvent(name), lambdaContext(10_000));
      expect(recorded).toEqual([]);
      expect(parts.simulator.requests).toEqual([]);
    },
  );
});
