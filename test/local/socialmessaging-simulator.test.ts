import {
  GetLinkedWhatsAppBusinessAccountCommand,
  GetWhatsAppMessageMediaCommand,
  type GetWhatsAppMessageMediaCommandInput,
  InvalidParametersException,
  PutWhatsAppBusinessAccountEventDestinationsCommand,
  ResourceNotFoundException,
  SendWhatsAppMessageCommand,
  type SocialMessagingClient,
  ThrottledRequestException,
} from '@aws-sdk/client-socialmessaging';
import {
  FAULTS,
  type SocialMessagingSimulator,
  whatsAppPayloadProblem,
} from '../../local/socialmessaging-simulator';
import { socialMessagingClient, startSimulator } from '../support/simulator';

const ORIGINATION = 'phone-number-id-abcdef0123456789abcdef0123456789';
const READ = { messaging_product: 'whatsapp', message_id: 'wamid.ABC', status: 'read' };
const REACTION = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '14255550150',
  type: 'reaction',
  reaction: { message_id: 'wamid.ABC', emoji: '👍' },
};

let simulator: SocialMessagingSimulator;
let client: SocialMessagingClient;

beforeAll(async () => {
  simulator = await startSimulator();
  client = socialMessagingClient();
});
afterEach(() => simulator.reset());
afterAll(async () => {
  client.destroy();
  await simulator.stop();
});

function send(message: unknown, originationPhoneNumberId = ORIGINATION) {
  return client.send(
    new SendWhatsAppMessageCommand({
      originationPhoneNumberId,
      message: new TextEncoder().encode(JSON.stringify(message)),
      metaApiVersion: 'v24.0',
    }),
  );
}

describe('SocialMessaging simulator, through the real SDK client', () => {
  test('listens on the loopback interface', () => {
    expect(simulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('answers a send with a message id and records the decoded message', async () => {
    const { messageId } = await send(READ);
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(simulator.sent).toEqual([
      expect.objectContaining({
        operation: 'SendWhatsAppMessage',
        originationPhoneNumberId: ORIGINATION,
        metaApiVersion: 'v24.0',
        message: READ,
        outcome: { messageId },
      }),
    ]);
  });

  test('accepts the phone-number ARN as originationPhoneNumberId', async () => {
    await expect(
      send(
        REACTION,
        'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/abcdef0123456789abcdef0123456789',
      ),
    ).resolves.toHaveProperty('messageId');
  });

  test('throttling comes back as ThrottledRequestException with HTTP 429', async () => {
    simulator.failNext(1, FAULTS.throttled);
    const error = await send(READ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledRequestException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 }, message: 'Rate exceeded' });
    await expect(send(READ)).resolves.toHaveProperty('messageId');
  });

  test.each(Object.values(FAULTS))('$type comes back by name with HTTP $status', async (fault) => {
    simulator.failNext(1, fault);
    await expect(send(READ)).rejects.toMatchObject({
      name: fault.type,
      $metadata: { httpStatusCode: fault.status },
    });
  });

  test('a reaction without an address is rejected as InvalidParametersException', async () => {
    const { to: _to, ...unaddressed } = REACTION;
    const error = await send(unaddressed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParametersException);
    expect(simulator.sent).toEqual([]);
  });

  test('an originationPhoneNumberId outside the model pattern is a ValidationException', async () => {
    await expect(send(READ, 'abc')).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('an unknown phone number is a ResourceNotFoundException when numbers are declared', async () => {
    const strict = await startSimulator({ phoneNumberIds: ['phone-number-id-known'] });
    const strictClient = socialMessagingClient();
    try {
      await expect(send(READ, 'phone-number-id-known').then(() => 'ok')).resolves.toBe('ok');
      await expect(
        strictClient.send(
          new SendWhatsAppMessageCommand({
            originationPhoneNumberId: 'phone-number-id-other',
            message: new TextEncoder().encode(JSON.stringify(READ)),
            metaApiVersion: 'v24.0',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    } finally {
      strictClient.destroy();
      await strict.stop();
      process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = simulator.endpoint;
    }
  });

  test('adds the configured latency', async () => {
    simulator.latencyMs = 60;
    const started = Date.now();
    await send(READ);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  test('a rule can fail only some messages', async () => {
    simulator.failWhen(({ message }) =>
      typeof message === 'object' && message !== null && 'type' in message && message.type === 'reaction'
        ? FAULTS.internal
        : undefined,
    );
    await expect(send(READ)).resolves.toHaveProperty('messageId');
    await expect(send(REACTION)).rejects.toMatchObject({ name: 'InternalServiceException' });
  });

  test('records failed requests too, with their fault', async () => {
    simulator.failNext(1, FAULTS.accessDenied);
    await send(READ).catch(() => undefined);
    expect(simulator.requests[0]?.outcome).toEqual({ fault: FAULTS.accessDenied });
  });
});

describe('SocialMessaging simulator: WABA event destinations', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound';

  test('GetLinkedWhatsAppBusinessAccount returns the account with its event destinations', async () => {
    simulator.addWaba('waba-a1', [{ eventDestinationArn: TOPIC }]);
    const { account } = await client.send(new GetLinkedWhatsAppBusinessAccountCommand({ id: 'waba-a1' }));
    expect(account).toMatchObject({
      id: 'waba-a1',
      arn: 'arn:aws:social-messaging:us-east-1:123456789012:waba/a1',
      registrationStatus: 'COMPLETE',
      eventDestinations: [{ eventDestinationArn: TOPIC }],
    });
    expect(account?.linkDate).toBeInstanceOf(Date);
  });

  test('GetLinkedWhatsAppBusinessAccount accepts the WABA ARN', async () => {
    simulator.addWaba('waba-a1');
    const { account } = await client.send(
      new GetLinkedWhatsAppBusinessAccountCommand({
        id: 'arn:aws:social-messaging:us-east-1:123456789012:waba/a1',
      }),
    );
    expect(account?.id).toBe('waba-a1');
  });

  test('an unknown WABA is a ResourceNotFoundException; a malformed id a ValidationException', async () => {
    await expect(
      client.send(new GetLinkedWhatsAppBusinessAccountCommand({ id: 'waba-none' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client.send(new GetLinkedWhatsAppBusinessAccountCommand({ id: '1163793972139053' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  test('PutWhatsAppBusinessAccountEventDestinations sets, replaces and clears the destination', async () => {
    simulator.addWaba('waba-a1');
    await client.send(
      new PutWhatsAppBusinessAccountEventDestinationsCommand({
        id: 'waba-a1',
        eventDestinations: [{ eventDestinationArn: TOPIC }],
      }),
    );
    expect(simulator.wabas.get('waba-a1')?.eventDestinations).toEqual([{ eventDestinationArn: TOPIC }]);
    await client.send(
      new PutWhatsAppBusinessAccountEventDestinationsCommand({ id: 'waba-a1', eventDestinations: [] }),
    );
    expect(simulator.wabas.get('waba-a1')?.eventDestinations).toEqual([]);
    expect(simulator.requests.map((r) => [r.operation, r.wabaId])).toEqual([
      ['PutWhatsAppBusinessAccountEventDestinations', 'waba-a1'],
      ['PutWhatsAppBusinessAccountEventDestinations', 'waba-a1'],
    ]);
  });

  test('PutWhatsAppBusinessAccountEventDestinations rejects a destination that is not an SNS topic, or two', async () => {
    simulator.addWaba('waba-a1');
    await expect(
      client.send(
        new PutWhatsAppBusinessAccountEventDestinationsCommand({
          id: 'waba-a1',
          eventDestinations: [{ eventDestinationArn: 'topic' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new PutWhatsAppBusinessAccountEventDestinationsCommand({
          id: 'waba-a1',
          eventDestinations: [{ eventDestinationArn: TOPIC }, { eventDestinationArn: TOPIC }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('PutWhatsAppBusinessAccountEventDestinations on a WABA that is not linked is InvalidParametersException', async () => {
    await expect(
      client.send(
        new PutWhatsAppBusinessAccountEventDestinationsCommand({
          id: 'waba-none',
          eventDestinations: [{ eventDestinationArn: TOPIC }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParametersException);
  });
});

describe('whatsAppPayloadProblem', () => {
  test.each([
    [READ, undefined],
    [REACTION, undefined],
    [{ ...REACTION, to: undefined, recipient: 'US.13491208655302741918' }, undefined],
    [{ ...REACTION, recipient: 'US.1' }, 'exactly one of'],
    [{ ...READ, message_id: 'abc' }, 'wamid'],
    [{ ...REACTION, reaction: { message_id: 'wamid.X' } }, 'reaction.emoji'],
    [{ ...READ, messaging_product: 'sms' }, 'messaging_product'],
    [{ messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'hi' } }, undefined],
  ])('%j → %s', (payload, problem) => {
    const found = whatsAppPayloadProblem(payload);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('GetWhatsAppMessageMedia, on the simulator', () => {
  const get = (input: Partial<GetWhatsAppMessageMediaCommandInput>) =>
    client.send(
      new GetWhatsAppMessageMediaCommand({
        mediaId: '1013859600285441',
        originationPhoneNumberId: ORIGINATION,
        destinationS3File: { bucketName: 'media-bucket', key: 'media/1/2026/12/01/abc/' },
        ...input,
      }),
    );

  test('writes the media under the key prefix plus the media id and extension, and answers its type and size', async () => {
    simulator.media.set('1013859600285441', { mimeType: 'image/jpeg', size: 86_016 });
    await expect(get({})).resolves.toMatchObject({ mimeType: 'image/jpeg', fileSize: 84 });
    expect(simulator.s3Writes).toEqual([
      {
        bucket: 'media-bucket',
        key: 'media/1/2026/12/01/abc/1013859600285441.jpeg',
        mimeType: 'image/jpeg',
        size: 86_016,
      },
    ]);
  });

  test('expired or unknown media is ResourceNotFoundException, and nothing is written', async () => {
    await expect(get({})).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(simulator.s3Writes).toEqual([]);
  });

  test('refuses both destinations at once, as the API reference says', async () => {
    simulator.media.set('1013859600285441', { mimeType: 'image/jpeg', size: 1 });
    await expect(
      get({ destinationS3PresignedUrl: { url: 'https://b.s3.amazonaws.com/k', headers: {} } }),
    ).rejects.toBeInstanceOf(InvalidParametersException);
  });

  test('refuses a media id that is not letters and digits, and a bucket name S3 would refuse', async () => {
    await expect(get({ mediaId: 'abc/../x' })).rejects.toBeInstanceOf(InvalidParametersException);
    await expect(get({ destinationS3File: { bucketName: 'Bad_Bucket', key: '' } })).rejects.toBeInstanceOf(
      InvalidParametersException,
    );
  });
});
