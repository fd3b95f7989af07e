import { FAQ } from '../../examples/faq-hook/answers';
import { faqHook } from '../../examples/faq-hook/hook';
import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { EffectStore } from '../../lambda/adapters/effect-store';
import { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { createInboundHandler } from '../../lambda/inbound-processor/process';
import { envelope, inboundValue, newWamid } from '../../local/events';
import { snsEvent } from '../fixtures';
import { createConversationTable } from '../support/assembly';
import { lambdaContext } from '../support/lambda-context';
import { useLocalParts } from '../support/local-parts';
import { testPseudonyms } from '../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../support/recording-observability';

const parts = useLocalParts();
const CUSTOMER = { phone: '14255550199', name: 'FAQ Customer' };

async function processor() {
  const tableName = await createConversationTable(parts.dynamo);
  return createInboundHandler({
    pseudonyms: testPseudonyms,
    store: new ConversationStore({ client: parts.dynamo, tableName, retentionDays: 1 }),
    effects: new EffectStore({ client: parts.dynamo, tableName, retentionDays: 1 }),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    hooks: [faqHook],
    sender: new WhatsAppSender({ client: parts.messaging, metaApiVersion: 'v24.0', baseBackoffMs: 5 }),
  });
}

function text(body: string, at = new Date()) {
  return snsEvent(
    envelope([inboundValue(CUSTOMER, { wamid: newWamid(), type: 'text', at, payload: { body } })]),
  );
}

const replies = () =>
  parts.simulator.sent.flatMap((r) => {
    const sent = r.message as { type?: string; text?: { body?: string } };
    return sent.type === 'text' ? [sent.text?.body] : [];
  });

describe('the FAQ hook in the processor', () => {
  test('answers a known question once, whatever is redelivered', async () => {
    const handler = await processor();
    const event = text('what are your opening hours?');
    await handler(event, lambdaContext());
    await handler(event, lambdaContext());
    expect(replies()).toEqual([FAQ[0]?.answer]);
  });

  test('says nothing to a text it has no answer for', async () => {
    await (await processor())(text('hello'), lambdaContext());
    expect(replies()).toEqual([]);
  });

  test('says nothing to a replayed question older than the service window', async () => {
    await (await processor())(text('opening hours', new Date(Date.now() - 25 * 3600_000)), lambdaContext());
    expect(replies()).toEqual([]);
  });
});
