import type { InvocationResult } from './bundle-host';
import {
  changeEnvelope,
  echoValue,
  envelope,
  healthEnvelope,
  inboundValue,
  LOCAL_BUSINESS,
  type LocalCustomer,
  messageFailedEvent,
  newWamid,
  statusValue,
  unixSeconds,
} from './events';
import type { LocalPipeline } from './pipeline';

/** The customer of the built-in scenario. */
export const SCENARIO_CUSTOMER: LocalCustomer = {
  phone: '14255550150',
  userId: 'US.13491208655302741918',
  name: 'Jane Doe',
};

/** A group the business is in (Meta's groups: `group_id` on the message). */
export const SCENARIO_GROUP = 'Y2FwaV9ncm91cDoxMjAzNjMwMjU2NzQxNDUxMjM=';

/** Jane's identifiers after she changes her number (a new number regenerates her BSUID). */
export const SCENARIO_NEW_IDENTITY = { phone: '14255550188', userId: 'US.88881208655302741918' } as const;

/** A customer who wrote to the business on the WhatsApp Business app, before it joined the API. */
export const HISTORY_CUSTOMER: LocalCustomer = { phone: '14255550177', name: 'Ravi' };

/** The template whose health the scenario changes. */
export const SCENARIO_TEMPLATE = { id: '1234567890123456', name: 'order_update', language: 'en_US' } as const;

/** The wamids and ids the scenario used, for tests and the report. */
export interface ScenarioResult {
  readonly text: string;
  readonly image: string;
  readonly voiceNote: string;
  readonly buttonTap: string;
  readonly customerReaction: string;
  /** What a person at the business wrote from the WhatsApp Business app (a coexistence echo). */
  readonly humanReply: string;
  /** What Jane wrote in a group the business is in: a conversation of its own, not answered. */
  readonly groupMessage: string;
  /** Jane's answer to it, while the person handles the chat: no bot answers it. */
  readonly thanks: string;
  /** A message of another customer's chat history, imported from the WhatsApp Business app. */
  readonly importedQuestion: string;
  /** A call of that customer nobody took. */
  readonly missedCall: string;
  /** Meta's system message saying Jane changed her number. */
  readonly numberChange: string;
  /** A template the business sent earlier (by another system), whose statuses arrive out of order. */
  readonly template: string;
  /** A template that failed. */
  readonly failedTemplate: string;
  /** The AWS message id of the reaction the pipeline sent to the image, which then failed. */
  readonly failedReactionMessageId: string;
  /** The alert a person would have received for that failure. */
  readonly alert?: string;
  /** Steps that did not go as expected. */
  readonly problems: readonly string[];
}

/**
 * A short conversation, delivered the way AWS would: a text (and its SNS redelivery), an image, a
 * voice note (both archived once the bus delivers them), a
 * status storm of an earlier template out of order, a reply-button tap, the customer's reaction, a
 * failed template, a paused template (and a late, older approval), the customer stopping marketing
 * messages and changing her number, and an EventBridge failure event for one of the pipeline's own reactions.
 */
export async function runScenario(
  pipeline: LocalPipeline,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const problems: string[] = [];
  const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
  const calls = () => pipeline.simulator.requests.length;
  const step = async (description: string, run: () => Promise<InvocationResult>) => {
    const before = calls();
    const result = await run();
    const sent = calls() - before;
    if (result.ok) {
      log(`  ✓ ${description}${sent > 0 ? ` (${sent} API call${sent > 1 ? 's' : ''})` : ''}`);
    } else {
      problems.push(`${description}: ${result.error.name}: ${result.error.message}`);
      log(`  ✗ ${description}: ${result.error.name}: ${result.error.message}`);
    }
  };
  const customer = SCENARIO_CUSTOMER;
  const template = newWamid();
  const failedTemplate = newWamid();
  const text = newWamid();
  const image = newWamid();
  const buttonTap = newWamid();
  const customerReaction = newWamid();
  const voiceNote = newWamid();
  const humanReply = newWamid();
  const groupMessage = newWamid();
  const importedQuestion = newWamid();
  const missedCall = `wacid.${newWamid().slice('wamid.'.length)}`;
  const thanks = newWamid();
  const numberChange = newWamid();
  // What Meta holds for the scenario's media, for GetWhatsAppMessageMedia to fetch.
  pipeline.simulator.media.set('1479537139650973', { mimeType: 'image/jpeg', size: 86_016 });
  pipeline.simulator.media.set('2840105339495612', { mimeType: 'audio/ogg', size: 12_288 });

  const textMessage = envelope([
    inboundValue(customer, {
      wamid: text,
      type: 'text',
      at: at(60),
      payload: { body: 'Hi! Where is my order #1234?' },
    }),
  ]);
  await step('Jane sends a text', () => pipeline.publish(textMessage, 'sns-text'));
  await step('SNS redelivers that notification: recorded once, nothing sent again', () =>
    pipeline.publish(textMessage, 'sns-text'),
  );
  await step('Jane sends a photo with a caption', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, {
          wamid: image,
          type: 'image',
          at: at(50),
          payload: {
            caption: 'The box arrived like this',
            mime_type: 'image/jpeg',
            sha256: 'W5Qm',
            id: '1479537139650973',
          },
        }),
      ]),
    ),
  );
  await step('Jane sends a voice note', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, {
          wamid: voiceNote,
          type: 'audio',
          at: at(45),
          payload: {
            mime_type: 'audio/ogg; codecs=opus',
            sha256: 'Zm9v',
            id: '2840105339495612',
            voice: true,
          },
        }),
      ]),
    ),
  );
  await step(
    'Statuses of an earlier template arrive out of order: read, then sent and delivered',
    async () => {
      const first = await pipeline.publish(
        envelope([statusValue(customer, [{ wamid: template, status: 'read', at: at(40) }])]),
      );
      if (!first.ok) return first;
      return pipeline.publish(
        envelope([
          statusValue(customer, [
            { wamid: template, status: 'sent', at: at(45) },
            { wamid: template, status: 'delivered', at: at(42) },
          ]),
        ]),
      );
    },
  );
  await step('Jane taps the "Track my order" reply button', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, {
          wamid: buttonTap,
          type: 'interactive',
          at: at(30),
          payload: { type: 'button_reply', button_reply: { id: 'track-order', title: 'Track my order' } },
          context: { from: LOCAL_BUSINESS.displayPhoneNumber, id: template },
        }),
      ]),
    ),
  );
  await step('Jane edits her text to add her postcode: applied to the text, never answered', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, {
          wamid: newWamid(),
          type: 'edit',
          at: at(25),
          payload: {
            original_message_id: text,
            message: { type: 'text', text: { body: 'Hi! Where is my order #1234? Postcode 98052.' } },
          },
        }),
      ]),
    ),
  );
  await step('Jane writes in the shop’s customer group: recorded in the group, no 👍 there', () => {
    const value = inboundValue(customer, {
      wamid: groupMessage,
      type: 'text',
      at: at(24),
      payload: { body: 'Can someone check the delivery times?' },
    });
    const [message] = Array.isArray(value.messages) ? value.messages : [];
    return pipeline.publish(envelope([{ ...value, messages: [{ ...message, group_id: SCENARIO_GROUP }] }]));
  });
  await step('Jane reacts ❤️ to the template: the pipeline never reacts to a reaction', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, {
          wamid: customerReaction,
          type: 'reaction',
          at: at(20),
          payload: { message_id: template, emoji: '❤️' },
        }),
      ]),
    ),
  );
  await step('Sam answers Jane from the WhatsApp Business app: recorded, never answered; bots pause', () =>
    pipeline.publish(
      changeEnvelope(
        'smb_message_echoes',
        echoValue(customer, {
          wamid: humanReply,
          type: 'text',
          at: at(15),
          payload: { body: 'Hi Jane, Sam here: your order left this morning.' },
        }),
      ),
    ),
  );
  await step('Jane thanks Sam: recorded, and no bot answers while Sam handles the chat', () =>
    pipeline.publish(
      envelope([
        inboundValue(customer, { wamid: thanks, type: 'text', at: at(12), payload: { body: 'Thanks Sam!' } }),
      ]),
    ),
  );
  await step("Ravi's chat from before the number joined the API is imported: kept, never answered", () =>
    pipeline.publish(
      changeEnvelope('history', {
        messaging_product: 'whatsapp',
        metadata: {
          display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
          phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
        },
        history: [
          {
            metadata: { phase: 1, chunk_order: 1, progress: 100 },
            threads: [
              {
                id: HISTORY_CUSTOMER.phone,
                messages: [
                  {
                    from: HISTORY_CUSTOMER.phone,
                    id: importedQuestion,
                    timestamp: unixSeconds(at(40 * 86_400)),
                    type: 'text',
                    text: { body: 'Do you ship to Canada?' },
                    history_context: { status: 'read' },
                  },
                  {
                    from: LOCAL_BUSINESS.displayPhoneNumber,
                    to: HISTORY_CUSTOMER.phone,
                    id: newWamid(),
                    timestamp: unixSeconds(at(40 * 86_400 - 600)),
                    type: 'text',
                    text: { body: 'We do, in 5 to 7 days.' },
                    history_context: { status: 'read', from_me: true },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
  );
  await step(
    'Ravi calls and nobody takes it: a missed call on his conversation, never answered',
    async () => {
      const call = (value: Record<string, unknown>) =>
        changeEnvelope('calls', {
          messaging_product: 'whatsapp',
          metadata: {
            display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
            phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
          },
          calls: [
            {
              id: missedCall,
              from: HISTORY_CUSTOMER.phone,
              to: LOCAL_BUSINESS.displayPhoneNumber,
              direction: 'USER_INITIATED',
              ...value,
            },
          ],
        });
      const rang = await pipeline.publish(call({ event: 'connect', timestamp: unixSeconds(at(11)) }));
      if (!rang.ok) return rang;
      return pipeline.publish(
        call({ event: 'terminate', timestamp: unixSeconds(at(10)), status: 'FAILED', duration: 0 }),
      );
    },
  );
  await step('A later template fails: more than 24 hours since the customer last wrote', () =>
    pipeline.publish(
      envelope([
        statusValue(customer, [
          {
            wamid: failedTemplate,
            status: 'failed',
            at: at(10),
            errors: [
              { code: 131047, title: 'Re-engagement message', error_data: { details: 'Outside the window' } },
            ],
          },
        ]),
      ]),
    ),
  );

  await step('Meta pauses the order_update template for low quality: an alert for the next digest', () =>
    pipeline.publish(
      healthEnvelope(
        'message_template_status_update',
        {
          event: 'PAUSED',
          message_template_id: SCENARIO_TEMPLATE.id,
          message_template_name: SCENARIO_TEMPLATE.name,
          message_template_language: SCENARIO_TEMPLATE.language,
          reason: 'NONE',
          message_template_category: 'MARKETING',
          other_info: { title: 'FIRST_PAUSE', description: 'Paused for 3 hours because of low quality.' },
        },
        // A minute ago, so that its digest window has closed and the digest reports it now.
        at(61),
      ),
    ),
  );
  await step('An older APPROVED of that template arrives late: history only, still PAUSED', () =>
    pipeline.publish(
      healthEnvelope(
        'message_template_status_update',
        {
          event: 'APPROVED',
          message_template_id: SCENARIO_TEMPLATE.id,
          message_template_name: SCENARIO_TEMPLATE.name,
          message_template_language: SCENARIO_TEMPLATE.language,
          reason: 'NONE',
        },
        at(3600),
      ),
    ),
  );
  await step('Jane stops marketing messages', () =>
    pipeline.publish(
      healthEnvelope(
        'user_preferences',
        {
          messaging_product: 'whatsapp',
          metadata: {
            display_phone_number: LOCAL_BUSINESS.displayPhoneNumber,
            phone_number_id: LOCAL_BUSINESS.metaPhoneNumberId,
          },
          contacts: [{ profile: { name: customer.name }, wa_id: customer.phone, user_id: customer.userId }],
          user_preferences: [
            {
              wa_id: customer.phone,
              user_id: customer.userId,
              detail: 'User requested to stop marketing messages',
              category: 'marketing_messages',
              value: 'stop',
              timestamp: Math.floor(at(20).getTime() / 1000),
            },
          ],
        },
        at(20),
      ),
    ),
  );

  await step('Jane changes her number: her conversation follows her, and nothing answers it', () => {
    // System messages carry no contacts (Meta's system messages reference).
    const { contacts: _contacts, ...value } = inboundValue(customer, {
      wamid: numberChange,
      type: 'system',
      at: at(15),
      payload: {
        body: `User ${customer.name} changed from ${customer.phone} to ${SCENARIO_NEW_IDENTITY.phone}`,
        type: 'user_changed_number',
        wa_id: SCENARIO_NEW_IDENTITY.phone,
        user_id: SCENARIO_NEW_IDENTITY.userId,
        previous_user_id: customer.userId,
      },
    });
    return pipeline.publish(envelope([value]));
  });

  const reaction = (await pipeline.reader.getMessage(image))?.reactionMessageId;
  const failedReactionMessageId = typeof reaction === 'string' ? reaction : '';
  let alert: string | undefined;
  await step('EventBridge reports the reaction to the photo as failed', async () => {
    // A minute ago, so that its digest window has closed and the digest reports it now.
    const outcome = await pipeline.putEvent(
      messageFailedEvent(failedReactionMessageId, at(61), { code: 131026, title: 'Message undeliverable' }),
    );
    if (!outcome.matched || outcome.recorder === undefined) {
      return {
        ok: false,
        error: { name: 'RuleDidNotMatch', message: 'the failed-message rule did not match' },
      };
    }
    return outcome.recorder;
  });
  await step('the failure digest runs, as its schedule would', async () => {
    const digest = await pipeline.runDigest();
    alert = digest.notifications.join('\n\n') || undefined;
    return digest.result;
  });
  return {
    text,
    image,
    voiceNote,
    buttonTap,
    customerReaction,
    humanReply,
    groupMessage,
    thanks,
    importedQuestion,
    missedCall,
    numberChange,
    template,
    failedTemplate,
    failedReactionMessageId,
    alert,
    problems,
  };
}
