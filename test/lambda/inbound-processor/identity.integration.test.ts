/**
 * One customer across identifiers, against DynamoDB Local and the SocialMessaging simulator: a
 * customer named by phone, by BSUID, by both, or across a change of number stays one conversation,
 * and no reaction goes to an identifier an identity change replaced (docs/identity.md).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { ENTITY } from '../../../contracts';
import {
  type ConversationItem,
  type CustomerAliasItem,
  fromItem,
  type MessageItem,
} from '../../../lambda/adapters/items';
import { eventsOfChange } from '../../../lambda/event-publisher/changes';
import { encodeEnvelope, fixtureEnvelope, snsEvent } from '../../fixtures';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';

const BUSINESS = '574086085794038';
const PHONE = '14255550150';
const NEW_PHONE = '14255550151';
const BSUID = 'US.13491208655302741918';
const NEW_BSUID = 'US.99991208655302741918';

const parts = useLocalParts();

interface Who {
  readonly phone?: string;
  readonly userId?: string;
}

/** Seconds since the epoch, recent enough to be answered. */
const base = Math.floor(Date.now() / 1000) - 60;

function notification(n: number, value: Record<string, unknown>) {
  const envelope = {
    ...fixtureEnvelope('message-text'),
    whatsAppWebhookEntry: {
      id: '1163793972139053',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15815555555', phone_number_id: BUSINESS },
            ...value,
          },
        },
      ],
    },
  };
  return snsEvent(encodeEnvelope(envelope), `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
}

const sender = (who: Who) => ({
  ...(who.phone === undefined ? {} : { from: who.phone }),
  ...(who.userId === undefined ? {} : { from_user_id: who.userId }),
});

/** A text message from the customer, named by the identifiers given. */
function text(n: number, who: Who) {
  return notification(n, {
    contacts: [
      {
        profile: { name: 'Ana' },
        ...(who.phone === undefined ? {} : { wa_id: who.phone }),
        ...(who.userId === undefined ? {} : { user_id: who.userId }),
      },
    ],
    messages: [
      {
        ...sender(who),
        id: `wamid.IDENTITY${n}`,
        timestamp: String(base + n),
        type: 'text',
        text: { body: 'hello' },
      },
    ],
  });
}

/** Meta's `user_changed_number` (Aug 2026 shape): the new number, and the BSUID it regenerated. */
function changedNumber(n: number, from: Who, to: Who) {
  return notification(n, {
    messages: [
      {
        ...sender(from),
        id: `wamid.IDENTITY${n}`,
        timestamp: String(base + n),
        type: 'system',
        system: {
          body: 'User Ana changed from one number to another',
          type: 'user_changed_number',
          wa_id: to.phone,
          ...(to.userId === undefined ? {} : { user_id: to.userId, previous_user_id: from.userId }),
        },
      },
    ],
  });
}

async function pipeline() {
  const { tableName, handler, metrics, logger, reader } = await inboundPipeline(parts);
  const items = async () => {
    const { Items = [] } = await parts.dynamo.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true }),
    );
    return Items.map((item) => fromItem(item));
  };
  const conversations = async () =>
    (await items()).filter((i): i is ConversationItem => i.entity === ENTITY.conversation);
  const aliases = async () =>
    (await items()).filter((i): i is CustomerAliasItem => i.entity === ENTITY.customerAlias);
  return {
    invoke: (event: ReturnType<typeof notification>) => handler(event, lambdaContext(30_000)),
    reader,
    metrics,
    logger,
    /** Conversations nothing was merged into: one per person. */
    live: async () => (await conversations()).filter((c) => c.mergedInto === undefined),
    conversations,
    aliases,
    messages: async () => (await items()).filter((i): i is MessageItem => i.entity === ENTITY.message),
  };
}

/** Where each reaction went, in the order sent: the `to` or `recipient` it named. */
function reactionAddresses(from = 0): string[] {
  return parts.simulator.sent.slice(from).flatMap((request) => {
    const message = request.message as { type?: string; to?: string; recipient?: string };
    return message.type === 'reaction' ? [message.to ?? message.recipient ?? '?'] : [];
  });
}

/** The conversations a live one reads: itself and every one merged into it. */
function readsOf(conversation: ConversationItem): string[] {
  return [conversation.customerKey, ...(conversation.mergedFrom ?? [])].map((k) => `${BUSINESS}#${k}`);
}

describe('a customer seen by phone and by business-scoped user id', () => {
  test('by phone first, then by both, then by BSUID alone, stays one conversation keyed by phone', async () => {
    const { invoke, live, messages } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(text(2, { phone: PHONE, userId: BSUID }));
    await invoke(text(3, { userId: BSUID }));
    const conversations = await live();
    expect(conversations.map((c) => c.customerKey)).toEqual([PHONE]);
    expect(conversations[0]).toMatchObject({ customerPhone: PHONE, customerUserId: BSUID, inboundCount: 3 });
    expect(new Set((await messages()).map((m) => m.conversationKey))).toEqual(
      new Set([`${BUSINESS}#${PHONE}`]),
    );
  });

  test('by BSUID first, then by both, then by phone alone, stays one conversation keyed by BSUID', async () => {
    const { invoke, live } = await pipeline();
    await invoke(text(1, { userId: BSUID }));
    await invoke(text(2, { phone: PHONE, userId: BSUID }));
    await invoke(text(3, { phone: PHONE }));
    expect((await live()).map((c) => [c.customerKey, c.inboundCount])).toEqual([[BSUID, 3]]);
  });

  test('answers a BSUID-only message at its `recipient`, and one with a number at its `to`', async () => {
    const { invoke } = await pipeline();
    await invoke(text(1, { userId: BSUID }));
    await invoke(text(2, { phone: PHONE, userId: BSUID }));
    expect(reactionAddresses()).toEqual([BSUID, PHONE]);
    const [first] = parts.simulator.sent.filter((r) => (r.message as { type?: string }).type === 'reaction');
    expect(first?.message).toMatchObject({ recipient_type: 'individual', recipient: BSUID });
  });
});

describe('two conversations found to be one person', () => {
  test('merge into the phone-keyed one, which takes the count and lists the other', async () => {
    const { invoke, conversations, live } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(text(2, { userId: BSUID }));
    expect((await live()).map((c) => c.customerKey).sort()).toEqual([PHONE, BSUID]);
    await invoke(text(3, { phone: PHONE, userId: BSUID }));
    const [winner, ...others] = await live();
    expect(others).toEqual([]);
    expect(winner).toMatchObject({ customerKey: PHONE, mergedFrom: [BSUID], inboundCount: 3 });
    const loser = (await conversations()).find((c) => c.customerKey === BSUID);
    expect(loser).toMatchObject({ mergedInto: PHONE });
  });

  test('a later message by the merged-away identifier joins the winner', async () => {
    const { invoke, live, messages } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(text(2, { userId: BSUID }));
    await invoke(text(3, { phone: PHONE, userId: BSUID }));
    await invoke(text(4, { userId: BSUID }));
    expect((await live()).map((c) => [c.customerKey, c.inboundCount])).toEqual([[PHONE, 4]]);
    const latest = (await messages()).find((m) => m.wamid === 'wamid.IDENTITY4');
    expect(latest?.conversationKey).toBe(`${BUSINESS}#${PHONE}`);
  });

  test('publish Customer Identity Changed of kind merged for the identifier re-pointed', async () => {
    const { invoke, aliases } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(text(2, { userId: BSUID }));
    const before = (await aliases()).find((a) => a.identifier === BSUID);
    await invoke(text(3, { phone: PHONE, userId: BSUID }));
    const after = (await aliases()).find((a) => a.identifier === BSUID);
    if (after === undefined) throw new Error('no alias');
    const events = eventsOfChange({ old: before, new: after }, 'test');
    expect(events.map((e) => [e.detailType, e.detail])).toEqual([
      [
        'Customer Identity Changed',
        expect.objectContaining({
          kind: 'merged',
          conversationKey: `${BUSINESS}#${PHONE}`,
          previousConversationKey: `${BUSINESS}#${BSUID}`,
        }),
      ],
    ]);
  });
});

describe('a customer who changed their number', () => {
  test('stays one conversation: a message from the new number joins it', async () => {
    const { invoke, live } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(changedNumber(2, { phone: PHONE }, { phone: NEW_PHONE }));
    await invoke(text(3, { phone: NEW_PHONE }));
    const conversations = await live();
    expect(conversations.map((c) => c.customerKey)).toEqual([PHONE]);
    expect(conversations[0]).toMatchObject({ customerPhone: NEW_PHONE, inboundCount: 3 });
  });

  test('is answered at the new number, even for a late message sent from the old one', async () => {
    const { invoke } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(changedNumber(2, { phone: PHONE }, { phone: NEW_PHONE }));
    const before = parts.simulator.sent.length;
    await invoke(text(3, { phone: PHONE }));
    expect(reactionAddresses(before)).toEqual([NEW_PHONE]);
  });

  test('a regenerated BSUID joins too, and the replaced one is answered at the new one', async () => {
    const { invoke, live } = await pipeline();
    await invoke(text(1, { phone: PHONE, userId: BSUID }));
    await invoke(changedNumber(2, { phone: PHONE, userId: BSUID }, { phone: NEW_PHONE, userId: NEW_BSUID }));
    const before = parts.simulator.sent.length;
    await invoke(text(3, { userId: BSUID }));
    await invoke(text(4, { userId: NEW_BSUID }));
    expect((await live()).map((c) => [c.customerKey, c.customerUserId])).toEqual([[BSUID, NEW_BSUID]]);
    expect(reactionAddresses(before)).toEqual([NEW_PHONE, NEW_PHONE]);
  });

  test('the replaced number, seen with a BSUID nobody had, is a new person with their own conversation', async () => {
    const { invoke, live } = await pipeline();
    await invoke(text(1, { phone: PHONE, userId: BSUID }));
    await invoke(changedNumber(2, { phone: PHONE, userId: BSUID }, { phone: NEW_PHONE, userId: NEW_BSUID }));
    await invoke(text(3, { phone: PHONE, userId: 'US.55551208655302741918' }));
    expect((await live()).map((c) => c.customerKey).sort()).toEqual([BSUID, 'US.55551208655302741918']);
  });

  // RecordingLogger fails any line with a wamid or a digit run, so a number cannot be logged here.
  test('is counted and logged by kind', async () => {
    const { invoke, metrics, logger } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(changedNumber(2, { phone: PHONE }, { phone: NEW_PHONE }));
    expect(metrics.get('IdentityChanges/kind=phone-number')).toBe(1);
    expect(
      logger.lines.find((l) => l.message.startsWith('Customer identity changed'))?.attributes,
    ).toMatchObject({
      kind: 'phone-number',
    });
  });

  test('publishes one Customer Identity Changed from the system message, naming old and new', async () => {
    const { invoke, messages } = await pipeline();
    await invoke(text(1, { phone: PHONE }));
    await invoke(changedNumber(2, { phone: PHONE }, { phone: NEW_PHONE }));
    const system = (await messages()).find((m) => m.wamid === 'wamid.IDENTITY2');
    if (system === undefined) throw new Error('the system message was not recorded');
    const events = eventsOfChange({ old: undefined, new: system }, 'test');
    const changed = events.filter((e) => e.detailType === 'Customer Identity Changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.detail).toMatchObject({
      kind: 'phone-number',
      previous: { phone: PHONE },
      next: { phone: NEW_PHONE },
    });
  });
});

describe('reading a customer back (ops/conversation-reader)', () => {
  async function merged() {
    const pipe = await pipeline();
    await pipe.invoke(text(1, { phone: PHONE }));
    await pipe.invoke(text(2, { userId: BSUID }));
    await pipe.invoke(text(3, { phone: PHONE, userId: BSUID }));
    return pipe;
  }

  test('by any identifier finds the one conversation, a merged-away key leading to the winner', async () => {
    const { reader } = await merged();
    expect((await reader.getConversation(BUSINESS, BSUID))?.customerKey).toBe(PHONE);
    expect((await reader.getExactConversation(BUSINESS, BSUID))?.mergedInto).toBe(PHONE);
  });

  test('lists the timeline of every conversation merged in, oldest first', async () => {
    const { reader } = await merged();
    const timeline = await reader.listMessages(BUSINESS, PHONE);
    expect(timeline.map((m) => m.wamid)).toEqual(['wamid.IDENTITY1', 'wamid.IDENTITY2', 'wamid.IDENTITY3']);
  });

  test('finds the conversation by a number the customer gave up', async () => {
    const { invoke, reader } = await pipeline();
    // Keyed by BSUID, so only the alias still names the old number.
    await invoke(text(1, { phone: PHONE, userId: BSUID }));
    await invoke(changedNumber(2, { phone: PHONE, userId: BSUID }, { phone: NEW_PHONE }));
    const found = await reader.findConversations(`+${PHONE}`);
    expect(found.map((c) => [c.customerKey, c.customerPhone])).toEqual([[BSUID, NEW_PHONE]]);
    expect((await reader.findConversations(NEW_PHONE)).map((c) => c.customerKey)).toEqual([BSUID]);
  });
});

describe('any interleaving of identity events and messages', () => {
  // The steps of one person's life: seen by phone, by BSUID, by both, a change of number that
  // regenerates the BSUID, and seen by the new identifiers. Redelivery repeats a step.
  const steps = [
    (n: number) => text(n, { phone: PHONE }),
    (n: number) => text(n, { userId: BSUID }),
    (n: number) => text(n, { phone: PHONE, userId: BSUID }),
    (n: number) => changedNumber(n, { phone: PHONE, userId: BSUID }, { phone: NEW_PHONE, userId: NEW_BSUID }),
    (n: number) => text(n, { phone: NEW_PHONE, userId: NEW_BSUID }),
    (n: number) => text(n, { userId: NEW_BSUID }),
  ];
  const CHANGE = 3;

  test('converges to one conversation holding every message, and no reaction goes to a replaced identifier', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 })
          .chain((order) =>
            fc.tuple(fc.constant(order), fc.option(fc.constantFrom(...order), { nil: undefined })),
          ),
        async ([order, redelivered]) => {
          const { invoke, live, messages } = await pipeline();
          // A redelivery is the same notification again: same wamid, same SNS id.
          const sequence = redelivered === undefined ? order : [...order, redelivered];
          let afterChange: number | undefined;
          for (const step of sequence) {
            const build = steps[step];
            if (build === undefined) throw new Error(`no step ${step}`);
            await invoke(build(step + 1));
            if (step === CHANGE && afterChange === undefined) afterChange = parts.simulator.sent.length;
          }
          const conversations = await live();
          expect(conversations).toHaveLength(1);
          const [conversation] = conversations;
          if (conversation === undefined) throw new Error('no conversation');
          const reads = new Set(readsOf(conversation));
          const stored = await messages();
          expect(stored.map((m) => m.wamid).sort()).toEqual(
            order.map((s) => `wamid.IDENTITY${s + 1}`).sort(),
          );
          expect(stored.every((m) => reads.has(m.conversationKey ?? ''))).toBe(true);
          expect(conversation).toMatchObject({ customerPhone: NEW_PHONE, customerUserId: NEW_BSUID });
          expect(reactionAddresses(afterChange).filter((a) => a === PHONE || a === BSUID)).toEqual([]);
        },
      ),
      { numRuns: 12 },
    );
  });
});
