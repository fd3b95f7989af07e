/**
 * Coexistence against DynamoDB Local and the simulator: a person's reply from the WhatsApp
 * Business app is recorded as the business's message, never answered, and quiets every bot of the
 * conversation for `humanTakeoverMinutes`.
 */
import type { MessageHook } from '../../../lambda/inbound-processor/hooks';
import {
  changeEnvelope,
  echoValue,
  envelope,
  inboundValue,
  LOCAL_BUSINESS,
  type LocalCustomer,
  statusValue,
} from '../../../local/events';
import { fixtureEvent, snsEvent } from '../../fixtures';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';

const CUSTOMER: LocalCustomer = { phone: '14255550150', name: 'Ada' };

const parts = useLocalParts();

async function pipeline(options: { humanTakeoverMinutes?: number } = {}) {
  const bot: { seen: string[] } & MessageHook = {
    name: 'bot',
    seen: [],
    async onRecorded(context) {
      this.seen.push(context.message.wamid);
    },
  };
  const { handler, reader, logger, metrics } = await inboundPipeline(parts, {
    humanTakeoverMinutes: options.humanTakeoverMinutes,
    hooks: (responder) => [responder, bot],
  });
  return {
    invoke: (message: string) => handler(snsEvent(message), lambdaContext(30_000)),
    invokeEvent: (event: unknown) => handler(event, lambdaContext(30_000)),
    reader,
    conversation: () => reader.getConversation(LOCAL_BUSINESS.metaPhoneNumberId, CUSTOMER.phone ?? ''),
    bot,
    logger,
    metrics,
  };
}

const NOW = Math.floor(Date.now() / 1000) * 1000;
const at = (minutesFromNow: number) => new Date(NOW + minutesFromNow * 60_000);

/** The SNS message of one echo: a person wrote `body` to the customer at `when`. */
const echo = (wamid: string, when: Date, body = 'Hi, this is Sam from the shop') =>
  changeEnvelope(
    'smb_message_echoes',
    echoValue(CUSTOMER, { wamid, type: 'text', at: when, payload: { body } }),
  );

const text = (wamid: string, when: Date) =>
  envelope([inboundValue(CUSTOMER, { wamid, type: 'text', at: when, payload: { body: 'Thanks!' } })]);

describe('an echo of the WhatsApp Business app', () => {
  test('is recorded as the business’s message, sent by a person from the app, with what they wrote', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    expect(await reader.getMessage('wamid.echo')).toMatchObject({
      direction: 'outbound',
      sentFrom: 'business-app',
      content: { kind: 'text', body: 'Hi, this is Sam from the shop' },
      conversationKey: `${LOCAL_BUSINESS.metaPhoneNumberId}#${CUSTOMER.phone}`,
    });
  });

  test('is never answered', async () => {
    const { invoke, bot } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    expect(parts.simulator.requests).toEqual([]);
    expect(bot.seen).toEqual([]);
  });

  test('pauses the conversation’s bots until humanTakeoverMinutes after it', async () => {
    const { invoke, conversation } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    expect(await conversation()).toMatchObject({
      humanTakeoverUntil: at(25).toISOString(),
      lastHumanReplyWamid: 'wamid.echo',
      inboundCount: 0,
    });
  });

  test('redelivered, is recorded once', async () => {
    const { invoke, metrics, logger } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(echo('wamid.echo', at(-5)));
    expect(metrics.get('HumanReplies')).toBe(1);
    expect(metrics.get('DuplicateMessages')).toBe(1);
    expect(JSON.stringify(logger.lines)).not.toContain('Sam from the shop');
  });

  test('an older echo arriving late leaves the later pause as it is', async () => {
    const { invoke, conversation, reader } = await pipeline();
    await invoke(echo('wamid.echo-2', at(-2)));
    await invoke(echo('wamid.echo-1', at(-10)));
    expect((await conversation())?.humanTakeoverUntil).toBe(at(28).toISOString());
    expect(await reader.getMessage('wamid.echo-1')).toMatchObject({ sentFrom: 'business-app' });
  });

  test('fills in the message a status of it created first', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(
      envelope([statusValue(CUSTOMER, [{ wamid: 'wamid.echo', status: 'delivered', at: at(-4) }])]),
    );
    await invoke(echo('wamid.echo', at(-5)));
    expect(await reader.getMessage('wamid.echo')).toMatchObject({
      status: 'delivered',
      sentFrom: 'business-app',
      content: { kind: 'text' },
    });
  });
});

describe('a customer message while a person handles the conversation', () => {
  test('is recorded and answered by no bot: no receipt, no reaction, no hook', async () => {
    const { invoke, reader, bot, metrics } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.customer', at(-1)));
    const message = await reader.getMessage('wamid.customer');
    expect(message?.autoResponse).toEqual({
      receipt: { state: 'skipped', reason: 'human-takeover' },
      reaction: { state: 'skipped', reason: 'human-takeover' },
    });
    expect(message?.humanTakeoverUntil).toBe(at(25).toISOString());
    expect(parts.simulator.requests).toEqual([]);
    expect(bot.seen).toEqual([]);
    expect(metrics.get('HumanTakeoverMessages')).toBe(1);
  });

  test('still counts in the conversation and moves its service window', async () => {
    const { invoke, conversation } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.customer', at(-1)));
    expect(await conversation()).toMatchObject({
      inboundCount: 1,
      lastInboundWamid: 'wamid.customer',
      lastInboundAt: at(-1).toISOString(),
    });
  });

  test('redelivered, is still not answered', async () => {
    const { invoke, bot } = await pipeline();
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.customer', at(-1)));
    await invoke(text('wamid.customer', at(-1)));
    expect(parts.simulator.requests).toEqual([]);
    expect(bot.seen).toEqual([]);
  });
});

describe('after the pause', () => {
  test('a customer message is answered again', async () => {
    const { invoke, bot } = await pipeline({ humanTakeoverMinutes: 3 });
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.customer', at(-1)));
    expect(parts.simulator.sent).toHaveLength(2);
    expect(bot.seen).toEqual(['wamid.customer']);
  });

  test('with humanTakeoverMinutes 0, nothing is ever paused', async () => {
    const { invoke, bot } = await pipeline({ humanTakeoverMinutes: 0 });
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.customer', at(-5)));
    expect(bot.seen).toEqual(['wamid.customer']);
  });

  test('a message that arrives late, during the pause, is left to the person too, whenever it was sent', async () => {
    const { invoke, bot, conversation } = await pipeline();
    await invoke(text('wamid.later', at(-1)));
    await invoke(echo('wamid.echo', at(-5)));
    await invoke(text('wamid.earlier', at(-8)));
    expect(bot.seen).toEqual(['wamid.later']);
    // Late, it moves the service window back no more than before.
    expect((await conversation())?.lastInboundWamid).toBe('wamid.later');
  });
});

describe('the chat history of the WhatsApp Business app, imported', () => {
  const HISTORY = {
    customerText: 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBRISVNUT1JZMDAwMDAwMDAwMDAwMQA=',
    businessText: 'wamid.HBgLMTQyNTU1NTAxNTAVAgARGBRISVNUT1JZMDAwMDAwMDAwMDAwMgA=',
    placeholder: 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBRISVNUT1JZMDAwMDAwMDAwMDAwMwA=',
  };

  test('keeps every message in its conversation with its original time and side', async () => {
    const { invokeEvent, reader } = await pipeline();
    await invokeEvent(fixtureEvent('coexistence-history'));
    const messages = await reader.listMessages(LOCAL_BUSINESS.metaPhoneNumberId, CUSTOMER.phone ?? '');
    expect(messages.map((m) => [m.wamid, m.direction, m.sentAt])).toEqual([
      [HISTORY.customerText, 'inbound', '2025-10-09T08:53:20.000Z'],
      [HISTORY.businessText, 'outbound', '2025-10-09T08:58:20.000Z'],
      [HISTORY.placeholder, 'inbound', '2025-10-09T09:00:00.000Z'],
    ]);
    expect(messages[0]?.imported).toMatchObject({ phase: 1, chunkOrder: 2, status: 'read' });
  });

  test('is never answered, never opens the service window, and is no received message', async () => {
    const { invokeEvent, reader, bot, conversation, metrics } = await pipeline();
    await invokeEvent(fixtureEvent('coexistence-history'));
    expect(parts.simulator.requests).toEqual([]);
    expect(bot.seen).toEqual([]);
    const imported = await conversation();
    expect(imported?.lastInboundAt).toBeUndefined();
    expect(imported?.inboundCount).toBe(0);
    expect((await reader.getMessage(HISTORY.customerText))?.receivedAt).toBeUndefined();
    expect(metrics.get('HistoryMessages')).toBe(3);
  });

  test('redelivered, changes nothing', async () => {
    const { invokeEvent, reader } = await pipeline();
    await invokeEvent(fixtureEvent('coexistence-history'));
    const first = await reader.getMessage(HISTORY.customerText);
    await invokeEvent(fixtureEvent('coexistence-history'));
    expect((await reader.getMessage(HISTORY.customerText))?.imported).toEqual(first?.imported);
  });

  test('never overwrites a live record of the same message', async () => {
    const { invoke, invokeEvent, reader } = await pipeline();
    await invoke(text(HISTORY.customerText, at(-1)));
    await invokeEvent(fixtureEvent('coexistence-history'));
    const live = await reader.getMessage(HISTORY.customerText);
    expect(live?.imported).toBeUndefined();
    expect(live?.content).toEqual({ kind: 'text', body: 'Thanks!' });
  });

  test("a media message's details, imported after its placeholder, replace the placeholder", async () => {
    const { invoke, reader } = await pipeline();
    const details = (body: Record<string, unknown>) =>
      changeEnvelope('history', {
        messaging_product: 'whatsapp',
        metadata: {
          display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
          phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
        },
        history: [
          {
            metadata: { phase: 0, chunk_order: 1, progress: 100 },
            threads: [
              {
                id: CUSTOMER.phone,
                messages: [{ from: CUSTOMER.phone, id: 'wamid.photo', timestamp: '1760000400', ...body }],
              },
            ],
          },
        ],
      });
    await invoke(details({ type: 'media_placeholder' }));
    await invoke(details({ type: 'image', image: { id: '1479537139650973', mime_type: 'image/jpeg' } }));
    await invoke(details({ type: 'media_placeholder' }));
    expect((await reader.getMessage('wamid.photo'))?.content).toMatchObject({
      kind: 'media',
      mediaType: 'image',
      mediaId: '1479537139650973',
    });
  });

  test('a declined import is recorded as a webhook error of the number', async () => {
    const { invokeEvent, reader } = await pipeline();
    await invokeEvent(fixtureEvent('coexistence-history-declined'));
    const errors = await reader.listWebhookErrors(LOCAL_BUSINESS.metaPhoneNumberId);
    expect(errors.map((e) => e.code)).toEqual(['2593109']);
  });
});

describe("the app's contacts", () => {
  test('are counted by action and stored nowhere', async () => {
    const { invokeEvent, metrics, reader } = await pipeline();
    await invokeEvent(fixtureEvent('coexistence-app-state-sync'));
    expect(metrics.get('AppStateSyncEntries/action=add')).toBe(1);
    expect(await reader.findConversations(CUSTOMER.phone ?? '')).toEqual([]);
  });
});
