import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PUBLISHER_STREAM_FILTERS } from '../../contracts';
import { BundleHost } from '../../local/bundle-host';
import type { SocialMessagingSimulator } from '../../local/socialmessaging-simulator';
import { StreamPoller } from '../../local/stream-poller';
import { FIXTURE_NAMES, fixtureEnvelope, fixtureEvent, fixtureMessage, snsEvent } from '../fixtures';
import { EVENTBRIDGE_FIXTURES, eventBridgeFixture } from '../fixtures/eventbridge';
import { createConversationTable, localDynamoDbClient, shippedFunction } from '../support/assembly';
import { localPartsEnvironment } from '../support/bundle-env';
import { startSimulator } from '../support/simulator';

/** Keys of the webhook payload whose values identify a customer. */
const IDENTIFIER_KEYS = new Set([
  'from',
  'from_user_id',
  'wa_id',
  'user_id',
  'recipient_id',
  'recipient_user_id',
  'phone',
  'email',
  'username',
  'destinationPhoneNumber',
]);
/**
 * Keys whose values are what a customer wrote or is called. Short ones ("Sent", "Hi") are words any
 * log line may hold, so free text counts from 10 characters on.
 */
const FREE_TEXT_KEYS = new Set([
  'name',
  'formatted_name',
  'first_name',
  'last_name',
  'body',
  'caption',
  'text',
  'address',
]);

/** Every personal value of a payload, and every wamid. */
function personalValues(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    const length = value.trim().length;
    if (value.startsWith('wamid.')) return [value];
    if (IDENTIFIER_KEYS.has(key) && length >= 4) return [value];
    return FREE_TEXT_KEYS.has(key) && length >= 10 ? [value] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item) => personalValues(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => personalValues(v, k));
  }
  return [];
}

/** What must never be in a log line for a personal value: itself, its digits, a wamid's body, unkeyed hashes. */
function forbiddenForms(value: string): string[] {
  const forms = [value];
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 7 && /^\+?[\d\s().-]+$/.test(value)) forms.push(digits);
  if (value.startsWith('wamid.')) forms.push(value.slice('wamid.'.length));
  for (const algorithm of ['sha256', 'sha1', 'md5']) {
    // Any prefix of 8 hex digits or more would be an unkeyed hash: look for the first 8.
    forms.push(createHash(algorithm).update(value).digest('hex').slice(0, 8));
  }
  return forms;
}

/** A fixture's envelope, re-dated to now so the auto-response path runs and logs too. */
function freshEvent(name: string, suffix: string) {
  const envelope = fixtureEnvelope(name);
  const now = String(Math.floor(Date.now() / 1000));
  const entry = JSON.stringify(envelope.whatsAppWebhookEntry ?? envelope.whatsappWebhookEntry)
    .replace(/"timestamp":"\d+"/g, `"timestamp":"${now}"`)
    .replace(/(wamid\.[A-Za-z0-9_=-]+)/g, `$1${suffix}`);
  return snsEvent(
    JSON.stringify({ ...envelope, whatsAppWebhookEntry: entry, whatsappWebhookEntry: undefined }),
    `fresh-${name}`,
  );
}

describe('logs are free of personal data', () => {
  let client: DynamoDBClient;
  let simulator: SocialMessagingSimulator;
  let processor: BundleHost;
  let recorder: BundleHost;
  let publisher: BundleHost;
  let poller: StreamPoller;

  beforeAll(async () => {
    simulator = await startSimulator();
    client = localDynamoDbClient();
    const tableName = await createConversationTable(client);
    const environment = {
      ...localPartsEnvironment(tableName, simulator.endpoint),
      // Debug lines too: nothing at any level may carry personal data.
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    };
    processor = BundleHost.forFunction(shippedFunction('InboundProcessor/Processor'), environment);
    recorder = BundleHost.forFunction(shippedFunction('Alerts/Recorder'), environment);
    publisher = BundleHost.forFunction(shippedFunction('Events/Publisher'), {
      ...environment,
      AWS_ENDPOINT_URL_EVENTBRIDGE: simulator.endpoint,
      AWS_ENDPOINT_URL_SQS: simulator.endpoint,
      EVENT_BUS_NAME: 'bus',
      UNDELIVERED_EVENTS_QUEUE_URL: `${simulator.endpoint}/123456789012/undelivered`,
    });
    poller = new StreamPoller({
      dynamoDb: client,
      endpoint: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
      tableName,
      filters: PUBLISHER_STREAM_FILTERS,
    });
    await Promise.all([processor.start(), recorder.start(), publisher.start()]);
  });

  afterAll(async () => {
    poller.stop();
    await Promise.all([processor.stop(), recorder.stop(), publisher.stop()]);
    await simulator.stop();
    client.destroy();
  });

  test('across every fixture, fresh and old, with failing sends, in every log line of the shipped bundles', async () => {
    const envelopeFixtures = FIXTURE_NAMES.filter((name) => {
      try {
        fixtureEnvelope(name);
        return true;
      } catch {
        return false;
      }
    });
    const personal = new Set<string>();
    for (const name of FIXTURE_NAMES) {
      await processor.invoke(fixtureEvent(name));
      personal.add(fixtureMessage(name));
      const message = fixtureMessage(name);
      try {
        for (const value of personalValues(JSON.parse(message))) personal.add(value);
        const parsed: unknown = JSON.parse(message);
        const entry =
          typeof parsed === 'object' && parsed !== null && 'whatsAppWebhookEntry' in parsed
            ? parsed.whatsAppWebhookEntry
            : undefined;
        if (typeof entry === 'string')
          for (const value of personalValues(JSON.parse(entry))) personal.add(value);
      } catch {
        // Not JSON: a fixture of a malformed event; its whole text is already in the set.
      }
    }
    // The auto-response path, with a permanent rejection that quotes the recipient's number.
    simulator.failWhen(({ message }) =>
      typeof message === 'object' && message !== null && 'type' in message && message.type === 'reaction'
        ? {
            type: 'InvalidParametersException',
            status: 400,
            message:
              'Recipient phone number +1 425-555-0150 not in allowed list (wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz)',
          }
        : undefined,
    );
    for (const name of envelopeFixtures) await processor.invoke(freshEvent(name, 'F'));
    for (const name of EVENTBRIDGE_FIXTURES) {
      const event = eventBridgeFixture(name);
      await recorder.invoke(event);
      for (const value of personalValues(event)) personal.add(value);
    }

    // Every recorded change through the shipped publisher, some entries refused so it keeps them.
    simulator.eventBridge.failNextEntries(15, { code: 'InternalFailure' });
    await poller.drain(async (batch) => {
      await publisher.invoke(batch);
      return {};
    });
    expect(simulator.eventBridge.events.length).toBeGreaterThan(20);

    const output = [...processor.output, ...recorder.output, ...publisher.output];
    expect(output.length).toBeGreaterThan(100);
    const hits = [...personal]
      .filter((value) => !value.startsWith('{'))
      .flatMap((value) => forbiddenForms(value).map((form) => ({ value, form })))
      .filter(({ form }) => output.some((line) => line.includes(form)));
    expect(
      hits.map(({ value, form }) => `${JSON.stringify(form)} (of ${JSON.stringify(value.slice(0, 40))})`),
    ).toEqual([]);
    // Correlation is kept: customers and messages appear as keyed pseudonyms.
    expect(output.some((line) => /"customer":"c-[a-p]{16}"/.test(line))).toBe(true);
    expect(output.some((line) => /"messageRef":"m-[a-p]{16}"/.test(line))).toBe(true);
  }, 120_000); // Every fixture through three shipped bundles: 7 s alone, several times that under load.

  test('the check is live: a line with a phone number is caught', () => {
    const forms = forbiddenForms('14255550150');
    expect(forms.some((form) => '{"to":"14255550150"}'.includes(form))).toBe(true);
    expect(
      forms.some((form) =>
        `{"h":"${createHash('sha256').update('14255550150').digest('hex').slice(0, 12)}"}`.includes(form),
      ),
    ).toBe(true);
  });
});
