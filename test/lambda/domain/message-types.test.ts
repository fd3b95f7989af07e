import * as z from 'zod/mini';
import { defaultActions, KNOWN_MESSAGE_TYPES, MESSAGE_TYPES } from '../../../contracts';
import type { InboundOutcome } from '../../../lambda/adapters/conversation-store';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import {
  MESSAGE_TYPE_REGISTRY,
  type MessageTypeRegistry,
  specOf,
  typeDimension,
} from '../../../lambda/domain/message-types';
import type { InboundMessage } from '../../../lambda/domain/model';
import { createInboundHandler } from '../../../lambda/inbound-processor/process';
import { envelope, inboundValue, LOCAL_BUSINESS } from '../../../local/events';
import { summarizeContent } from '../../../ops/render';
import { snsEvent } from '../../fixtures';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const pollPayload = z.object({ question: z.string() });

/** A fork's registry: the built-in types plus a type Meta might add, registered here alone. */
const EXTENDED: MessageTypeRegistry = {
  ...MESSAGE_TYPE_REGISTRY,
  poll: {
    defaultAction: 'receipt',
    decode: (payload) => {
      const parsed = pollPayload.safeParse(payload);
      return parsed.success ? { kind: 'text', body: `Poll: ${parsed.data.question}` } : undefined;
    },
  },
};

const CUSTOMER = { phone: '14255550150', name: 'Ada' };

function pollEvent() {
  return snsEvent(
    envelope([
      inboundValue(CUSTOMER, {
        wamid: 'wamid.poll-1',
        type: 'poll',
        at: new Date('2026-01-01T00:00:00Z'),
        payload: { question: 'Which day suits you?' },
      }),
    ]),
  );
}

describe('the message-type registry', () => {
  test('has one entry per type of the contract, no more and no fewer', () => {
    expect(Object.keys(MESSAGE_TYPE_REGISTRY).sort()).toEqual([...KNOWN_MESSAGE_TYPES].sort());
  });

  test('carries the contract default action of every type', () => {
    for (const type of KNOWN_MESSAGE_TYPES) {
      expect(MESSAGE_TYPE_REGISTRY[type].defaultAction).toBe(MESSAGE_TYPES[type].defaultAction);
    }
    expect(defaultActions().reaction).toBe('none');
  });

  test('does not mistake object members for types', () => {
    expect(specOf(MESSAGE_TYPE_REGISTRY, 'constructor')).toBeUndefined();
    expect(typeDimension(MESSAGE_TYPE_REGISTRY, 'toString')).toBe('other');
  });
});

describe('a type added through the registry alone', () => {
  test('decodes with its own decoder', () => {
    const [notification] = decodeSnsEvent(pollEvent(), EXTENDED);
    expect(notification?.messages[0]?.content).toEqual({ kind: 'text', body: 'Poll: Which day suits you?' });
  });

  test('without the registry entry, the same message is kept raw as other', () => {
    const [notification] = decodeSnsEvent(pollEvent());
    expect(notification?.messages[0]?.content).toEqual({ kind: 'other' });
  });

  test('is counted under its own metric dimension', async () => {
    const recorded: InboundMessage[] = [];
    const store = {
      recordInbound: async (message: InboundMessage): Promise<InboundOutcome> => {
        recorded.push(message);
        return {
          kind: 'created',
          item: {
            entity: 'message',
            wamid: message.wamid,
            direction: 'inbound',
            expiresAt: 0,
            statusHistory: [],
          },
        };
      },
      recordRevision: async () => ({ kind: 'recorded' as const }),
      recordEcho: async () => ({ kind: 'duplicate' as const }),
      recordHistory: async () => 'duplicate' as const,
      recordCall: async () => ({ kind: 'duplicate' as const }),
      recordStatus: async () => ({ kind: 'duplicate' as const, writes: 1 }),
      recordWebhookError: async () => undefined,
    };
    const metrics = new RecordingMetrics();
    await createInboundHandler({
      pseudonyms: testPseudonyms,
      store,
      logger: new RecordingLogger(),
      metrics,
      registry: EXTENDED,
    })(pollEvent());
    expect(metrics.get('InboundMessages/type=poll')).toBe(1);
    expect(recorded.map((m) => m.wamid)).toEqual(['wamid.poll-1']);

    const plain = new RecordingMetrics();
    await createInboundHandler({
      pseudonyms: testPseudonyms,
      store,
      logger: new RecordingLogger(),
      metrics: plain,
    })(pollEvent());
    expect(plain.get('InboundMessages/type=other')).toBe(1);
  });

  test('renders through its decoded content', () => {
    const [notification] = decodeSnsEvent(pollEvent(), EXTENDED);
    const content = notification?.messages[0]?.content;
    if (content === undefined) throw new Error('no message decoded');
    expect(summarizeContent(content)).toBe('"Poll: Which day suits you?"');
  });

  test('routes like every other type', () => {
    const [notification] = decodeSnsEvent(pollEvent(), EXTENDED);
    expect(notification?.messages[0]?.routing).toEqual({
      kind: 'routed',
      originationPhoneNumberId: LOCAL_BUSINESS.originationPhoneNumberId,
      phoneNumberArn: LOCAL_BUSINESS.phoneNumberArn,
    });
  });
});
