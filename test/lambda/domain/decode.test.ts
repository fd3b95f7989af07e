import { decodeSnsEvent, decodeSnsRecord, resolveRouting } from '../../../lambda/domain/decode';
import { EventDecodeError } from '../../../lambda/domain/errors';
import type { DecodedNotification, InboundMessage } from '../../../lambda/domain/model';
import {
  encodeEnvelope,
  FIXTURE_NAMES,
  fixtureEnvelope,
  fixtureEvent,
  snsEvent,
  snsRecord,
} from '../../fixtures';

const PHONE_ID = '574086085794038';
const ORIGINATION = 'phone-number-id-abcdef0123456789abcdef0123456789';

function decode(name: string): DecodedNotification {
  const [notification] = decodeSnsEvent(fixtureEvent(name));
  if (notification === undefined) throw new Error('no notification');
  return notification;
}

function onlyMessage(name: string): InboundMessage {
  const { messages } = decode(name);
  expect(messages).toHaveLength(1);
  const [message] = messages;
  if (message === undefined) throw new Error('no message');
  return message;
}

function decodeFailure(event: unknown): EventDecodeError {
  try {
    decodeSnsEvent(event);
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('decoding succeeded');
}

describe('decodeSnsEvent: fixtures', () => {
  const good = FIXTURE_NAMES.filter((name) => !name.startsWith('bad-'));

  test.each(good)('%s decodes without error', (name) => {
    expect(() => decode(name)).not.toThrow();
  });

  test.each(FIXTURE_NAMES.filter((name) => name.startsWith('bad-')))(
    '%s is rejected with an EventDecodeError',
    (name) => {
      expect(decodeFailure(fixtureEvent(name))).toBeInstanceOf(EventDecodeError);
    },
  );
});

describe('decodeSnsEvent: messages by type', () => {
  test('text keeps the body, the customer and the routing', () => {
    const message = onlyMessage('message-text');
    expect(message.type).toBe('text');
    expect(message.content).toEqual({ kind: 'text', body: 'Hello! Is my order on its way?' });
    expect(message.wamid).toMatch(/^wamid\./);
    expect(message.timestamp).toBe(1767225600);
    expect(message.customer).toEqual({
      key: 'US.13491208655302741918',
      phone: '14255550150',
      userId: 'US.13491208655302741918',
      profileName: 'Jane Doe',
      username: undefined,
    });
    expect(message.routing).toEqual({
      kind: 'routed',
      originationPhoneNumberId: ORIGINATION,
      phoneNumberArn:
        'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/abcdef0123456789abcdef0123456789',
    });
    expect(message.source).toEqual({
      snsMessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      wabaId: '1163793972139053',
      businessPhoneNumberId: PHONE_ID,
      displayPhoneNumber: '15815555555',
    });
  });

  test('image keeps the media id, MIME type and caption', () => {
    expect(onlyMessage('message-image').content).toEqual({
      kind: 'media',
      mediaType: 'image',
      mediaId: '1479537139650973',
      sha256: 'W5QmLLD1xgLGe3sR9pCXMHXx9Ac1STmF2sQAzvTCRrE=',
      mimeType: 'image/jpeg',
      caption: 'The box arrived damaged',
      filename: undefined,
      voice: undefined,
      animated: undefined,
    });
  });

  test('a voice note is audio with voice: true', () => {
    expect(onlyMessage('message-audio-voice').content).toMatchObject({ kind: 'media', voice: true });
  });

  test.each([
    ['message-video', { kind: 'media', mediaId: '1166846181421424', mimeType: 'video/mp4' }],
    ['message-document', { kind: 'media', filename: 'invoice-2026-001.pdf', caption: 'Invoice' }],
    ['message-sticker', { kind: 'media', mimeType: 'image/webp', animated: true }],
  ])('%s is media', (name, expected) => {
    expect(onlyMessage(name).content).toMatchObject(expected);
  });

  test('location coordinates are numbers, whether sent as numbers or strings', () => {
    expect(onlyMessage('message-location').content).toMatchObject({
      kind: 'location',
      latitude: 47.6062,
      longitude: -122.3321,
      name: 'Pike Place Market',
    });
    expect(onlyMessage('message-location-string-coordinates').content).toMatchObject({
      latitude: -33.8688,
      longitude: 151.2093,
    });
  });

  test('contacts counts the shared cards', () => {
    expect(onlyMessage('message-contacts').content).toEqual({ kind: 'contacts', count: 1 });
  });

  test('interactive button_reply keeps the reply id and title, and the replied-to wamid', () => {
    const message = onlyMessage('message-interactive-button-reply');
    expect(message.content).toMatchObject({
      kind: 'interactive',
      replyType: 'button_reply',
      replyId: 'track-order',
      title: 'Track my order',
    });
    expect(message.replyTo).toMatch(/^wamid\..*9001$/);
  });

  test('interactive list_reply keeps the description', () => {
    expect(onlyMessage('message-interactive-list-reply').content).toMatchObject({
      replyType: 'list_reply',
      replyId: 'size-m',
      description: 'Chest 96–101 cm',
    });
  });

  test("interactive nfm_reply keeps a Flow's answers as data, with its flow token", () => {
    expect(onlyMessage('message-interactive-nfm-reply').content).toEqual({
      kind: 'interactive',
      replyType: 'nfm_reply',
      flowName: 'flow',
      flowToken: 'abc',
      response: { flow_token: 'abc', rating: '5' },
    });
  });

  test('button keeps the text and payload of the template quick reply', () => {
    expect(onlyMessage('message-button').content).toEqual({
      kind: 'button',
      text: 'Yes, reschedule',
      payload: 'RESCHEDULE_YES',
    });
  });

  test('reaction keeps the target wamid and the emoji', () => {
    expect(onlyMessage('message-reaction').content).toEqual({
      kind: 'reaction',
      targetWamid: expect.stringMatching(/9005$/),
      emoji: '❤️',
    });
  });

  test('a removed reaction has no emoji', () => {
    const content = onlyMessage('message-reaction-removed').content;
    expect(content).toMatchObject({ kind: 'reaction', targetWamid: expect.stringMatching(/9005$/) });
    expect(content).not.toHaveProperty('emoji', expect.anything());
  });

  test('order counts the items', () => {
    expect(onlyMessage('message-order').content).toEqual({
      kind: 'order',
      catalogId: '367025965434465',
      itemCount: 2,
      text: 'Please deliver after 6pm',
    });
  });

  test('system user_changed_number keeps the new number; it has no contacts', () => {
    const message = onlyMessage('message-system-user-changed-number');
    expect(message.content).toMatchObject({
      kind: 'system',
      systemType: 'user_changed_number',
      newPhone: '14255550151',
    });
    expect(message.customer.profileName).toBeUndefined();
  });

  test('system user_changed_number of August 2026 keeps the regenerated BSUID and the previous one', () => {
    const message = onlyMessage('message-system-user-changed-number-bsuid');
    expect(message.customer).toMatchObject({ phone: '14255550150', userId: 'US.13491208655302741918' });
    expect(message.content).toMatchObject({
      kind: 'system',
      newPhone: '14255550151',
      newUserId: 'US.77771208655302741918',
      previousUserId: 'US.13491208655302741918',
      parentUserId: 'US.ENT.77771208655302741918',
    });
  });

  test('system user_changed_user_id keeps the new user id', () => {
    expect(onlyMessage('message-system-user-changed-user-id').content).toMatchObject({
      kind: 'system',
      systemType: 'user_changed_user_id',
      newUserId: 'US.99991208655302741918',
    });
  });

  test('referral from a Click-to-WhatsApp ad is kept', () => {
    expect(onlyMessage('message-referral').referral).toMatchObject({
      sourceType: 'ad',
      sourceId: '120201234567890123',
    });
  });

  test('a reply keeps the quoted wamid', () => {
    expect(onlyMessage('message-reply').replyTo).toMatch(/9006$/);
  });

  test('a forwarded message is flagged', () => {
    const message = onlyMessage('message-forwarded');
    expect(message.forwarded).toBe(true);
    expect(message.frequentlyForwarded).toBe(true);
  });

  test('unsupported keeps its inner type and its errors', () => {
    const message = onlyMessage('message-unsupported');
    expect(message.content).toEqual({ kind: 'unsupported', unsupportedType: 'poll_creation' });
    expect(message.errors).toEqual([
      {
        code: '131051',
        title: 'Message type unknown',
        message: 'Message type unknown',
        details: 'Message type is currently not supported.',
      },
    ]);
  });

  test('the legacy unknown type is unsupported, with its errors', () => {
    const message = onlyMessage('message-unknown-legacy');
    expect(message.content.kind).toBe('unsupported');
    expect(message.errors?.[0]?.details).toBe('Message type is not currently supported');
  });

  test('a future type is kept raw as "other", never rejected', () => {
    const message = onlyMessage('message-future-type');
    expect(message.type).toBe('hologram');
    expect(message.content).toEqual({ kind: 'other' });
    expect(JSON.parse(message.rawJson)).toMatchObject({ hologram: { shape: 'cube', frames: [1, 2, 3] } });
  });

  test('request_welcome decodes as a message of its own type', () => {
    expect(onlyMessage('message-request-welcome').type).toBe('request_welcome');
  });

  test('a username user without `from` is keyed by the business-scoped user id', () => {
    expect(onlyMessage('message-username-user').customer).toEqual({
      key: 'BR.5512345678901234567',
      phone: undefined,
      userId: 'BR.5512345678901234567',
      profileName: 'Sam',
      username: '@sam.travels',
    });
  });

  test('raw is the message exactly as Meta sent it', () => {
    const envelope = fixtureEnvelope('message-text');
    const entry = envelope.whatsAppWebhookEntry as { changes: { value: { messages: unknown[] } }[] };
    expect(JSON.parse(onlyMessage('message-text').rawJson)).toEqual(entry.changes[0]?.value.messages[0]);
  });

  test('a known type with a malformed payload is kept as "other" rather than lost', () => {
    const envelope = fixtureEnvelope('message-text');
    const entry = envelope.whatsAppWebhookEntry as {
      changes: { value: { messages: Record<string, unknown>[] } }[];
    };
    const message = entry.changes[0]?.value.messages[0];
    if (message === undefined) throw new Error('fixture changed');
    message.text = { body: 42 };
    const [decoded] = decodeSnsEvent(snsEvent(encodeEnvelope(envelope)));
    expect(decoded?.messages[0]?.content).toEqual({ kind: 'other' });
  });
});

describe('decodeSnsEvent: statuses', () => {
  test('sent keeps pricing (PMP) and conversation', () => {
    const [status] = decode('status-sent').statuses;
    expect(status).toMatchObject({
      status: 'sent',
      timestamp: 1767225600,
      pricing: { pricingModel: 'PMP', category: 'utility', type: 'regular' },
      conversation: { id: 'b1e5e7d0f4d3c2b1a0f9e8d7c6b5a4f3', originType: 'utility' },
      recipient: { key: 'US.13491208655302741918', phone: '14255550150' },
    });
  });

  test.each(['delivered', 'read', 'played'])('%s decodes', (value) => {
    expect(decode(`status-${value}`).statuses.map((s) => s.status)).toEqual([value]);
  });

  test('failed keeps its errors', () => {
    const [status] = decode('status-failed').statuses;
    expect(status?.errors).toEqual([
      {
        code: '131047',
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        details:
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    ]);
  });

  test('an unknown status value is kept verbatim', () => {
    expect(decode('status-unknown-value').statuses[0]?.status).toBe('warning');
  });

  test('a status of a message sent to a user id has a recipient without phone', () => {
    expect(decode('status-bsuid-recipient').statuses[0]?.recipient).toMatchObject({
      key: 'BR.5512345678901234567',
      phone: undefined,
    });
  });

  test('every status of a batch is decoded, in the order received', () => {
    expect(decode('status-batch').statuses.map((s) => `${s.wamid.slice(-4)}:${s.status}`)).toEqual([
      '8010:read',
      '8010:sent',
      '8011:delivered',
      '8010:delivered',
    ]);
  });
});

describe('decodeSnsEvent: envelopes and entries', () => {
  test('every change and every item is decoded, never only the first', () => {
    const decoded = decode('edge-multi-change');
    expect(decoded.messages.map((m) => m.type)).toEqual(['text', 'text', 'image']);
    expect(decoded.statuses).toHaveLength(1);
  });

  test('a template status update is decoded as account health, not skipped', () => {
    const decoded = decode('edge-template-status-update');
    expect(decoded.skippedFields).toEqual([]);
    expect(decoded.health).toEqual([
      expect.objectContaining({
        field: 'message_template_status_update',
        event: 'APPROVED',
        aspect: 'status',
      }),
    ]);
    expect(decoded.messages).toEqual([]);
  });

  test('a webhook-level error is decoded', () => {
    expect(decode('edge-webhook-error').errors).toEqual([
      expect.objectContaining({
        code: '130429',
        title: 'Rate limit hit',
        details: 'Cloud API message throughput has been reached.',
      }),
    ]);
  });

  test.each([
    'edge-lowercase-entry-key',
    'edge-entry-as-object',
    'edge-top-level-context',
    'edge-no-envelope-message-id',
  ])('%s is routed like the canonical form', (name) => {
    expect(onlyMessage(name).routing).toMatchObject({
      kind: 'routed',
      originationPhoneNumberId: ORIGINATION,
    });
  });

  test('no context: the message is decoded and flagged no-context', () => {
    expect(onlyMessage('edge-no-context').routing).toEqual({ kind: 'no-context' });
  });

  test('an unknown receiving number is unmatched, never routed to the first number', () => {
    expect(onlyMessage('edge-unmatched-phone-number').routing).toEqual({ kind: 'unmatched' });
  });

  test('with two numbers, the one that received the message is chosen', () => {
    expect(onlyMessage('edge-second-phone-number').routing).toMatchObject({
      originationPhoneNumberId: 'phone-number-id-0123456789abcdef0123456789abcdef',
    });
  });

  test('the envelope message_timestamp is kept', () => {
    expect(decode('message-text').publishedAt).toBe('2026-01-01T00:00:01.271279391Z');
  });
});

describe('decodeSnsEvent: bad input', () => {
  test('a console test message is not an envelope', () => {
    const error = decodeFailure(fixtureEvent('bad-console-test-message'));
    expect(error.reason).toBe('not-an-eum-envelope');
    expect(error.message).toContain('is not an End User Messaging Social envelope');
  });

  test('an unparseable entry string says so', () => {
    const error = decodeFailure(fixtureEvent('bad-entry-not-json'));
    expect(error.reason).toBe('entry-not-json');
    expect(error.message).toContain('whatsAppWebhookEntry is not valid JSON');
  });

  test('a message without id rejects the whole notification, naming its path', () => {
    const error = decodeFailure(fixtureEvent('bad-message-without-id'));
    expect(error.reason).toBe('item-without-identity');
    expect(error.message).toContain(
      'changes[0].value.messages[1] is a message without id, timestamp or type',
    );
    expect(error.cause).toBeDefined();
  });

  test('a status without status value is rejected', () => {
    const envelope = fixtureEnvelope('status-read');
    const entry = envelope.whatsAppWebhookEntry as {
      changes: { value: { statuses: Record<string, unknown>[] } }[];
    };
    delete entry.changes[0]?.value.statuses[0]?.status;
    expect(decodeFailure(snsEvent(encodeEnvelope(envelope))).message).toContain(
      'statuses[0] is a status without id',
    );
  });

  test('a non-numeric timestamp is malformed identity', () => {
    const envelope = fixtureEnvelope('message-text');
    const entry = envelope.whatsAppWebhookEntry as {
      changes: { value: { messages: Record<string, unknown>[] } }[];
    };
    const message = entry.changes[0]?.value.messages[0];
    if (message) message.timestamp = 'yesterday';
    expect(decodeFailure(snsEvent(encodeEnvelope(envelope))).reason).toBe('item-without-identity');
  });

  test('an entry without changes is invalid', () => {
    const error = decodeFailure(snsEvent(JSON.stringify({ whatsAppWebhookEntry: '{"id":"1"}' })));
    expect(error.reason).toBe('entry-invalid');
    expect(error.message).toContain('changes');
  });

  test('an event without Records is not an SNS event', () => {
    expect(decodeFailure({ hello: 'world' }).reason).toBe('not-an-sns-event');
  });

  test('a record without Sns.Message is not an SNS notification', () => {
    expect(decodeFailure({ Records: [{ EventSource: 'aws:sqs', body: '{}' }] }).message).toBe(
      'Records[0] is not an SNS notification',
    );
  });

  test('a good record next to a bad one still fails the whole event, before anything is returned', () => {
    const event = {
      Records: [fixtureEvent('message-text').Records[0], snsRecord('Hello from SNS!', 'second')],
    };
    expect(decodeFailure(event).reason).toBe('not-an-eum-envelope');
  });
});

describe('decodeSnsRecord', () => {
  test('keeps the SNS MessageId on every item', () => {
    const record = fixtureEvent('edge-multi-change', 'sns-id-1').Records[0];
    const decoded = decodeSnsRecord(record);
    expect(new Set([...decoded.messages, ...decoded.statuses].map((i) => i.source.snsMessageId))).toEqual(
      new Set(['sns-id-1']),
    );
  });
});

describe('resolveRouting', () => {
  const arn = 'arn:aws:social-messaging:eu-west-1:111122223333:phone-number-id/0a1b2c';

  test('derives phone-number-id-<id> from the matching ARN', () => {
    expect(resolveRouting({ MetaPhoneNumberIds: [{ metaPhoneNumberId: '1', arn }] }, '1')).toEqual({
      kind: 'routed',
      originationPhoneNumberId: 'phone-number-id-0a1b2c',
      phoneNumberArn: arn,
    });
  });

  test('works in other partitions', () => {
    const govArn = 'arn:aws-us-gov:social-messaging:us-gov-west-1:111122223333:phone-number-id/ff';
    expect(
      resolveRouting({ MetaPhoneNumberIds: [{ metaPhoneNumberId: '1', arn: govArn }] }, '1'),
    ).toMatchObject({
      originationPhoneNumberId: 'phone-number-id-ff',
    });
  });

  test('a malformed ARN is unmatched rather than guessed', () => {
    expect(
      resolveRouting(
        { MetaPhoneNumberIds: [{ metaPhoneNumberId: '1', arn: 'arn:aws:social-messaging:::waba/0a' }] },
        '1',
      ),
    ).toEqual({ kind: 'unmatched' });
  });

  test('an empty list is no context', () => {
    expect(resolveRouting({ MetaPhoneNumberIds: [] }, '1')).toEqual({ kind: 'no-context' });
  });
});
