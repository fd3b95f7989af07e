import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { customResourceHandler } from '../../../lambda/waba-linker/custom-resource';
import { parsePhysicalId, physicalIdOf, WabaLinker } from '../../../lambda/waba-linker/link';
import { synthesizeAssembly } from '../../../local/assembly';
import { BundleHost } from '../../../local/bundle-host';
import { FAULTS, type SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { socialMessagingClient, startSimulator } from '../../support/simulator';

const OUR_TOPIC = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-InboundTopic';
const NEW_TOPIC = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-InboundTopic2';
const CONSOLE_TOPIC = 'arn:aws:sns:us-east-1:123456789012:set-in-the-console';

let simulator: SocialMessagingSimulator;
let client: SocialMessagingClient;
let server: Server;
let responseUrl: string;
const responses: Record<string, unknown>[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  client = socialMessagingClient();
  // Stands in for CloudFormation's presigned S3 URL: keeps what the function answers.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      responses.push({ method: req.method, contentType: req.headers['content-type'], ...JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  responseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/response`;
});
beforeEach(() => {
  simulator.reset();
  responses.length = 0;
});
afterAll(async () => {
  client.destroy();
  await simulator.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The WABAs the tests' stack lists: the linker touches no other. */
const LISTED = ['waba-a', 'waba-b', 'waba-c', 'waba-missing'];

/** The linker of a stack whose topic is `topicArn`. */
const linkerFor = (topicArn: string) =>
  customResourceHandler((request, deadline, controls) =>
    new WabaLinker(client, { topicArn, wabas: LISTED }, { baseBackoffMs: 5, maxBackoffMs: 20 }).handle(
      request,
      deadline,
      controls,
    ),
  );
const handler = linkerFor(OUR_TOPIC);

function request(
  type: 'Create' | 'Update' | 'Delete',
  props: { WabaId: string; TopicArn?: string },
  extra: Record<string, unknown> = {},
) {
  return {
    RequestType: type,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/WhatsAppPipeline/1',
    RequestId: `request-${responses.length}`,
    LogicalResourceId: 'WabaLinkswabaA',
    ResourceType: 'Custom::WhatsAppEventDestination',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:…', TopicArn: OUR_TOPIC, ...props },
    ...extra,
  };
}

const context = (remainingMs = 60_000) => ({ getRemainingTimeInMillis: () => remainingMs });
const destinations = (id: string) =>
  simulator.wabas.get(id)?.eventDestinations.map((d) => d.eventDestinationArn);
const lastResponse = () =>
  responses[responses.length - 1] as Record<string, unknown> & { PhysicalResourceId: string };

async function create(wabaId: string): Promise<string> {
  await handler(request('Create', { WabaId: wabaId }), context());
  return lastResponse().PhysicalResourceId;
}

describe('WABA linker custom resource against the simulator', () => {
  test('create points the WABA at the topic and keeps what was there before', async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    await handler(request('Create', { WabaId: 'waba-a' }), context());
    expect(destinations('waba-a')).toEqual([OUR_TOPIC]);
    expect(lastResponse()).toMatchObject({
      method: 'PUT',
      contentType: '',
      Status: 'SUCCESS',
      LogicalResourceId: 'WabaLinkswabaA',
      Data: {
        WabaId: 'waba-a',
        PreviousEventDestinations: JSON.stringify([{ eventDestinationArn: CONSOLE_TOPIC }]),
      },
    });
    expect(parsePhysicalId(lastResponse().PhysicalResourceId)).toEqual({
      wabaId: 'waba-a',
      previous: [{ eventDestinationArn: CONSOLE_TOPIC }],
    });
  });

  test('read before write: the current destinations are read with GetLinkedWhatsAppBusinessAccount first', async () => {
    simulator.addWaba('waba-a');
    await create('waba-a');
    expect(simulator.requests.map((r) => r.operation)).toEqual([
      'GetLinkedWhatsAppBusinessAccount',
      'PutWhatsAppBusinessAccountEventDestinations',
    ]);
  });

  test('a WABA given by ARN is linked the same way', async () => {
    simulator.addWaba('waba-b');
    await handler(
      request('Create', { WabaId: 'arn:aws:social-messaging:us-east-1:123456789012:waba/b' }),
      context(),
    );
    expect(lastResponse().Status).toBe('SUCCESS');
    expect(destinations('waba-b')).toEqual([OUR_TOPIC]);
  });

  test('updating the list (A, B → B, C): C is linked, A gets its old destination back, B is untouched', async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    simulator.addWaba('waba-b');
    simulator.addWaba('waba-c');
    const linkA = await create('waba-a');
    await create('waba-b');
    const requestsBefore = simulator.requests.length;

    // CloudFormation creates the added link, then deletes the removed one.
    await create('waba-c');
    await handler(request('Delete', { WabaId: 'waba-a' }, { PhysicalResourceId: linkA }), context());

    expect(destinations('waba-a')).toEqual([CONSOLE_TOPIC]);
    expect(destinations('waba-b')).toEqual([OUR_TOPIC]);
    expect(destinations('waba-c')).toEqual([OUR_TOPIC]);
    expect(simulator.requests.slice(requestsBefore).some((r) => r.wabaId === 'waba-b')).toBe(false);
    expect(responses.every((r) => r.Status === 'SUCCESS')).toBe(true);
  });

  test('an update of the topic relinks, keeps the physical id, and delete still restores the original', async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    const link = await create('waba-a');
    // The deploy that changes the topic gives the function the new one first (the link depends on it).
    const updated = linkerFor(NEW_TOPIC);
    await updated(
      request(
        'Update',
        { WabaId: 'waba-a', TopicArn: NEW_TOPIC },
        { PhysicalResourceId: link, OldResourceProperties: { WabaId: 'waba-a', TopicArn: OUR_TOPIC } },
      ),
      context(),
    );
    expect(destinations('waba-a')).toEqual([NEW_TOPIC]);
    expect(lastResponse().PhysicalResourceId).toBe(link);

    await updated(
      request('Delete', { WabaId: 'waba-a', TopicArn: NEW_TOPIC }, { PhysicalResourceId: link }),
      context(),
    );
    expect(destinations('waba-a')).toEqual([CONSOLE_TOPIC]);
  });

  test('an update to another WABA links it under a new physical id (CloudFormation then deletes the old link)', async () => {
    simulator.addWaba('waba-a');
    simulator.addWaba('waba-b', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    const link = await create('waba-a');
    await handler(request('Update', { WabaId: 'waba-b' }, { PhysicalResourceId: link }), context());
    expect(lastResponse().PhysicalResourceId).toBe(
      physicalIdOf('waba-b', [{ eventDestinationArn: CONSOLE_TOPIC }]),
    );
    expect(destinations('waba-b')).toEqual([OUR_TOPIC]);
  });

  test('delete with nothing to restore removes our destination', async () => {
    simulator.addWaba('waba-a');
    const link = await create('waba-a');
    await handler(request('Delete', { WabaId: 'waba-a' }, { PhysicalResourceId: link }), context());
    expect(destinations('waba-a')).toEqual([]);
    expect(lastResponse()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: link,
      Data: { Restored: 'true' },
    });
  });

  test('delete leaves alone a WABA that someone pointed elsewhere since', async () => {
    simulator.addWaba('waba-a');
    const link = await create('waba-a');
    const waba = simulator.wabas.get('waba-a');
    if (waba) waba.eventDestinations = [{ eventDestinationArn: CONSOLE_TOPIC }];
    await handler(request('Delete', { WabaId: 'waba-a' }, { PhysicalResourceId: link }), context());
    expect(destinations('waba-a')).toEqual([CONSOLE_TOPIC]);
    expect(lastResponse()).toMatchObject({ Status: 'SUCCESS', Data: { Restored: 'false' } });
  });

  test('delete after a failed create changes nothing it does not own, and succeeds even if the WABA is gone', async () => {
    await handler(
      request('Delete', { WabaId: 'waba-a' }, { PhysicalResourceId: 'WabaLinkswabaA' }),
      context(),
    );
    expect(simulator.requests.filter((r) => r.operation !== 'GetLinkedWhatsAppBusinessAccount')).toEqual([]);
    expect(lastResponse()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'WabaLinkswabaA' });
  });

  test("delete after a failed create whose Put landed takes this stack's topic off the WABA", async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: OUR_TOPIC }]);
    await handler(
      request('Delete', { WabaId: 'waba-a' }, { PhysicalResourceId: 'WabaLinkswabaA' }),
      context(),
    );
    expect(destinations('waba-a')).toEqual([]);
    expect(lastResponse()).toMatchObject({ Status: 'SUCCESS' });
  });

  test('switching an entry between id and ARN keeps the physical id, so no cleanup delete unlinks it', async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    const link = await create('waba-a');
    await handler(
      request(
        'Update',
        { WabaId: 'arn:aws:social-messaging:us-east-1:123456789012:waba/a' },
        { PhysicalResourceId: link },
      ),
      context(),
    );
    expect(lastResponse()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: link });
    expect(destinations('waba-a')).toEqual([OUR_TOPIC]);
  });

  test('AccessDenied on create (a new role still propagating) is retried; on update it is not', async () => {
    simulator.addWaba('waba-a');
    simulator.failNext(2, { type: 'AccessDeniedException', status: 403, message: 'not yet' });
    await handler(request('Create', { WabaId: 'waba-a' }), context());
    const created = lastResponse();
    expect(created).toMatchObject({ Status: 'SUCCESS' });
    simulator.failNext(1, { type: 'AccessDeniedException', status: 403, message: 'denied' });
    await handler(
      request('Update', { WabaId: 'waba-a' }, { PhysicalResourceId: created.PhysicalResourceId }),
      context(),
    );
    expect(lastResponse()).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException: denied' });
  });

  test("an API failure reports FAILED with the API's message, never SUCCESS", async () => {
    simulator.addWaba('waba-a');
    simulator.failWhen(({ operation }) =>
      operation === 'PutWhatsAppBusinessAccountEventDestinations'
        ? {
            type: 'AccessDeniedException',
            status: 403,
            message: 'User is not authorized to perform PutWhatsAppBusinessAccountEventDestinations',
          }
        : undefined,
    );
    await handler(request('Create', { WabaId: 'waba-a' }), context());
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason:
        'AccessDeniedException: User is not authorized to perform PutWhatsAppBusinessAccountEventDestinations',
    });
    expect(destinations('waba-a')).toEqual([]);
  });

  test('an unknown WABA reports FAILED with ResourceNotFoundException', async () => {
    await handler(request('Create', { WabaId: 'waba-missing' }), context());
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason: 'ResourceNotFoundException: WhatsApp Business Account waba-missing not found',
    });
  });

  test('throttling is retried, then the link succeeds', async () => {
    simulator.addWaba('waba-a');
    simulator.failNext(3, FAULTS.throttled);
    await handler(request('Create', { WabaId: 'waba-a' }), context());
    expect(lastResponse().Status).toBe('SUCCESS');
    expect(simulator.requests.filter((r) => 'fault' in r.outcome)).toHaveLength(3);
    expect(destinations('waba-a')).toEqual([OUR_TOPIC]);
  });

  test('throttling beyond the time budget reports FAILED in time, rather than leaving the stack waiting', async () => {
    simulator.addWaba('waba-a');
    simulator.failWhen(() => FAULTS.throttled);
    await handler(request('Create', { WabaId: 'waba-a' }), context(5600));
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason: 'ThrottledRequestException: Rate exceeded',
    });
  });

  test("at the wrapper's own time-out it answers FAILED with the last real error and aborts what is in flight", async () => {
    let abortedInFlight = false;
    const stuck = customResourceHandler(async (_request, _deadline, controls) => {
      controls.noteFailure(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledRequestException' }));
      // A handler that ignores its deadline: only the abort ends it.
      await new Promise<void>((resolve) => controls.signal.addEventListener('abort', () => resolve()));
      abortedInFlight = true;
      return { physicalResourceId: 'late' };
    });
    await stuck(request('Create', { WabaId: 'waba-a' }), context(5100));
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason:
        'Timed out before the WABA could be updated; the last error was ThrottledRequestException: Rate exceeded',
    });
    expect(abortedInFlight).toBe(true);
  });

  test("a request naming another topic is refused: a WABA is pointed only at the stack's own topic", async () => {
    simulator.addWaba('waba-a', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    const foreign = 'arn:aws:sns:us-east-1:999999999999:attacker';
    await handler(request('Create', { WabaId: 'waba-a', TopicArn: foreign }), context());
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining(`names topic ${foreign}`),
    });
    expect(destinations('waba-a')).toEqual([CONSOLE_TOPIC]);
    expect(simulator.requests).toEqual([]);
  });

  test('a request for a WABA the stack does not list is refused, on create and on delete', async () => {
    simulator.addWaba('waba-other', [{ eventDestinationArn: CONSOLE_TOPIC }]);
    await handler(request('Create', { WabaId: 'waba-other' }), context());
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('not one this stack links'),
    });
    const forged = physicalIdOf('waba-other', [
      { eventDestinationArn: 'arn:aws:sns:us-east-1:999999999999:attacker' },
    ]);
    await handler(request('Delete', { WabaId: 'waba-other' }, { PhysicalResourceId: forged }), context());
    expect(lastResponse().Status).toBe('FAILED');
    expect(destinations('waba-other')).toEqual([CONSOLE_TOPIC]);
  });

  test('deleting the link of a WABA that no longer exists succeeds, saying so', async () => {
    simulator.addWaba('waba-b');
    const link = await create('waba-b');
    simulator.wabas.delete('waba-b');
    await handler(request('Delete', { WabaId: 'waba-b' }, { PhysicalResourceId: link }), context());
    expect(lastResponse()).toMatchObject({
      Status: 'SUCCESS',
      Data: { Restored: 'false', Reason: expect.stringContaining('The WABA is gone') },
    });
  });

  test('properties without a WABA id fail clearly', async () => {
    await handler({ ...request('Create', { WabaId: '' }) }, context());
    expect(lastResponse()).toMatchObject({
      Status: 'FAILED',
      Reason: 'Error: The resource needs WabaId and TopicArn properties',
    });
  });

  test('input that is not a custom resource request fails the invocation (there is no one to answer)', async () => {
    await expect(handler({ hello: 'world' }, context())).rejects.toThrow(
      'Not a CloudFormation custom resource request',
    );
  });

  test('the shipped bundle links a WABA through AWS_ENDPOINT_URL_SOCIALMESSAGING', async () => {
    const assembly = synthesizeAssembly(mkdtempSync(join(tmpdir(), 'linker-')), { linkedWabas: ['waba-a'] });
    const fn = assembly.function('WabaLinks/Linker');
    // The topic is a reference in the template: its local value, as CloudFormation would resolve it.
    expect(fn.references.LINKER_TOPIC_ARN).toBeDefined();
    const host = BundleHost.forFunction(fn, {
      AWS_ENDPOINT_URL_SOCIALMESSAGING: simulator.endpoint,
      LINKER_TOPIC_ARN: OUR_TOPIC,
    });
    try {
      simulator.addWaba('waba-a');
      await expect(host.invoke(request('Create', { WabaId: 'waba-a' }))).resolves.toEqual({
        ok: true,
        result: null,
      });
      expect(lastResponse().Status).toBe('SUCCESS');
      expect(destinations('waba-a')).toEqual([OUR_TOPIC]);
    } finally {
      await host.stop();
    }
  }, 60_000);
});
