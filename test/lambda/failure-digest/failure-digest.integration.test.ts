import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DigestStore } from '../../../lambda/adapters/digest-store';
import { EffectStore } from '../../../lambda/adapters/effect-store';
import { FailureStore } from '../../../lambda/adapters/failure-store';
import { HealthStore } from '../../../lambda/adapters/health-store';
import { TopicNotifier } from '../../../lambda/adapters/notifier';
import { isSubjectChange, type TemplateHealthChange } from '../../../lambda/domain/account-health';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { windowOf } from '../../../lambda/domain/failure-digest';
import { decodeFailureEvent, type MessageFailure } from '../../../lambda/domain/failure-event';
import { createDigestHandler, DIGEST_RUN_LEASE } from '../../../lambda/failure-digest/process';
import { createFailureHandler } from '../../../lambda/failure-recorder/process';
import { BundleHost } from '../../../local/bundle-host';
import { messageFailedEvent } from '../../../local/events';
import type { SocialMessagingSimulator } from '../../../local/socialmessaging-simulator';
import { endpointClientConfig } from '../../../ops/endpoint';
import { fixtureEvent } from '../../fixtures';
import { createConversationTable, localDynamoDbClient, shippedFunction } from '../../support/assembly';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';
import { startSimulator } from '../../support/simulator';

const WINDOW_MINUTES = 15;
const WINDOW = windowOf(new Date('2026-03-02T10:07:00Z'), WINDOW_MINUTES);
const ALERTS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';

let dynamo: DynamoDBClient;
let simulator: SocialMessagingSimulator;
beforeAll(async () => {
  dynamo = localDynamoDbClient();
  simulator = await startSimulator();
});
afterEach(() => simulator.reset());
afterAll(async () => {
  dynamo.destroy();
  await simulator.stop();
});

/** A failure event of `number` with `code`, at second `second` of the window. */
function failure(number: { id: string; display: string }, code: number, second: number) {
  const event = messageFailedEvent(
    `aws-${randomUUID()}`,
    new Date(Date.parse(WINDOW.start) + second * 1000),
    {
      code,
      title: `Title of ${code}`,
    },
  );
  return {
    ...event,
    detail: { ...event.detail, originationPhoneNumberId: number.id, originationPhoneNumber: number.display },
  };
}

/** The failure as the recorder decodes it. */
function decodedFailure(event: unknown): MessageFailure {
  const decoded = decodeFailureEvent(event);
  if (decoded.kind !== 'failure') throw new Error('not a failure event');
  return decoded;
}

async function setup() {
  const tableName = await createConversationTable(dynamo);
  const record = createFailureHandler({
    store: new FailureStore({ client: dynamo, tableName, retentionDays: 30 }),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    digestWindowMinutes: WINDOW_MINUTES,
  });
  const sns = new SNSClient(endpointClientConfig(simulator.endpoint));
  const digestAt = (at: string) =>
    createDigestHandler({
      store: new DigestStore(dynamo, tableName),
      lease: new EffectStore({ client: dynamo, tableName, retentionDays: 1 }),
      notifier: new TopicNotifier(sns, ALERTS_TOPIC),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      windowMinutes: WINDOW_MINUTES,
      links: {
        runbook: 'docs/runbook.md#failedwhatsappmessages',
        healthRunbook: 'docs/runbook.md',
        console: 'https://console.example/dashboard',
      },
      clock: () => new Date(at),
    });
  return {
    tableName,
    store: new FailureStore({ client: dynamo, tableName, retentionDays: 30 }),
    lease: new EffectStore({ client: dynamo, tableName, retentionDays: 1 }),
    record,
    digest: digestAt(new Date(Date.parse(WINDOW.end) + 60_000).toISOString()),
    digestAt,
  };
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe('failure digest', () => {
  const A = { id: '574086085794038', display: '+1 555-0100' };
  const B = { id: '574086085794039', display: '+1 555-0101' };

  test('5,000 failures in a window give one notification per number and code, with the right counts', async () => {
    const { store, digest } = await setup();
    const plan: [typeof A, number, number][] = [
      [A, 131049, 3000],
      [A, 131026, 1200],
      [B, 131049, 500],
      [B, 131047, 300],
    ];
    const failures = plan.flatMap(([number, code, count]) =>
      Array.from({ length: count }, (_, i) =>
        decodedFailure(failure(number, code, Math.floor((i * 800) / count))),
      ),
    );
    expect(failures).toHaveLength(5000);
    // What the recorder does for each newly recorded failure, 100 at a time as concurrent invocations would.
    await inBatches(failures, 100, (f) => store.countInDigest(f, WINDOW_MINUTES));

    await expect(digest()).resolves.toEqual({ notifications: 4 });
    const sent = simulator.notifications.map((n) => ({ ...n, message: n.message.replace(/\n/g, ' ') }));
    expect(sent.every((n) => n.topicArn === ALERTS_TOPIC)).toBe(true);
    const counts = Object.fromEntries(
      sent.map((n) => [
        `${/id (\d+)/.exec(n.message)?.[1]} ${/error (\d+)/.exec(n.message)?.[1]}`,
        Number(/^(\d+) WhatsApp/.exec(n.message)?.[1]),
      ]),
    );
    expect(counts).toEqual({
      [`${A.id} 131049`]: 3000,
      [`${A.id} 131026`]: 1200,
      [`${B.id} 131049`]: 500,
      [`${B.id} 131047`]: 300,
    });
    const first = sent.find((n) => n.message.includes(`${A.id}) failed with error 131049`));
    expect(first?.subject).toBe('WhatsApp: 3000 failed with 131049 on +1 555-0100');
    expect(first?.message).toContain('(Title of 131049)');
    // The true first and last times, whatever order the failures were counted in.
    expect(first?.message).toContain(
      `between ${WINDOW.start.replace('.000Z', 'Z')} and 2026-03-02T10:13:19Z`,
    );
    expect(first?.message).toContain('docs/runbook.md#failedwhatsappmessages');
    expect(first?.message).toContain('https://console.example/dashboard');
  }, 90_000); // 5,000 writes to four hot items of DynamoDB Local: slow under load, never wrong.

  test('through the recorder, a redelivered failure event is counted once', async () => {
    const { record, digest } = await setup();
    const events = Array.from({ length: 300 }, (_, i) => failure(A, 131049, i));
    // One in three is delivered twice, as EventBridge may.
    await inBatches([...events, ...events.filter((_, i) => i % 3 === 0)].reverse(), 50, record);
    await digest();
    expect(simulator.notifications).toHaveLength(1);
    expect(simulator.notifications[0]?.message).toMatch(/^300 WhatsApp message\(s\)/);
  }, 90_000); // 400 deliveries through the recorder: slow under load, never wrong.

  test('a second run sends nothing new', async () => {
    const { record, digest } = await setup();
    await record(failure(A, 131049, 1));
    await digest();
    simulator.reset();
    await expect(digest()).resolves.toEqual({ notifications: 0 });
    expect(simulator.notifications).toEqual([]);
  });

  test('two runs at once send each notification once: the second finds the lease and does nothing', async () => {
    const { record, digest } = await setup();
    await record(failure(A, 131049, 1));
    await record(failure(B, 131026, 2));
    const runs = await Promise.all([digest(), digest(), digest()]);
    expect(runs.filter((r) => r.skipped === undefined)).toEqual([{ notifications: 2 }]);
    expect(simulator.notifications).toHaveLength(2);
  });

  test('a lease left by a run that ended expires, and the next run reports', async () => {
    const { record, digest, lease } = await setup();
    await record(failure(A, 131049, 1));
    await lease.claim(DIGEST_RUN_LEASE, { owner: 'gone', token: 't', expiresAtMs: 1 }, 1, false);
    await expect(digest()).resolves.toEqual({ notifications: 1 });
  });

  test("Meta's title reaches people scrubbed of phone numbers and wamids, as logs are", async () => {
    const { record, digest } = await setup();
    const event = failure(A, 131026, 1);
    const quoting = {
      ...event,
      detail: {
        ...event.detail,
        errors: [
          {
            code: 131026,
            title: 'Message to +1 425 555 0150 (wamid.HBgLMTQyNTU1NTAxNTAVAgAR) undeliverable',
          },
        ],
      },
    };
    await record(quoting);
    await digest();
    const [sent] = simulator.notifications;
    expect(sent?.message).toContain('Message to +[number] (wamid.[redacted]) undeliverable');
    expect(sent?.message).not.toContain('425 555 0150');
  });

  test('failures recorded late into a reported window come as "N more"', async () => {
    const { record, digest } = await setup();
    await record(failure(A, 131049, 1));
    await digest();
    simulator.reset();
    await inBatches([failure(A, 131049, 2), failure(A, 131049, 3), failure(A, 131049, 4)], 3, record);
    await expect(digest()).resolves.toEqual({ notifications: 1 });
    expect(simulator.notifications[0]?.message).toMatch(/^3 more, 4 WhatsApp message\(s\)/);
  });

  test('account-health changes of a window are one notification, beside the failures, and never sent twice', async () => {
    const { tableName, record, digest } = await setup();
    const health = new HealthStore({
      client: dynamo,
      tableName,
      retentionDays: 30,
      digestWindowMinutes: WINDOW_MINUTES,
      clock: () => new Date(Date.parse(WINDOW.start) + 60_000),
    });
    for (const name of [
      'health-template-paused',
      'health-phone-number-downgrade',
      'health-account-violation',
    ]) {
      for (const change of decodeSnsEvent(fixtureEvent(name)).flatMap((n) => n.health)) {
        if (isSubjectChange(change)) await health.recordChange(change);
      }
    }
    await record(failure(A, 131049, 1));
    await expect(digest()).resolves.toEqual({ notifications: 2 });
    const healthNotice = simulator.notifications.find((n) =>
      n.subject?.startsWith('WhatsApp account health'),
    );
    expect(healthNotice?.subject).toBe('WhatsApp account health: 3 change(s) need attention (2 critical)');
    expect(healthNotice?.message).toContain('template order_update (en_US) [id 1234567890123456]');
    expect(healthNotice?.message).toContain('What to do: docs/runbook.md#account-restricted-or-banned');
    simulator.reset();
    await expect(digest()).resolves.toEqual({ notifications: 0 });
  });

  test('50 template pauses in a window give one notification listing every one', async () => {
    const { tableName, digest } = await setup();
    const health = new HealthStore({
      client: dynamo,
      tableName,
      retentionDays: 30,
      digestWindowMinutes: WINDOW_MINUTES,
      clock: () => new Date(Date.parse(WINDOW.start) + 120_000),
    });
    const [base] = decodeSnsEvent(fixtureEvent('health-template-paused')).flatMap((n) => n.health);
    if (base === undefined || !isSubjectChange(base) || base.subject.kind !== 'template')
      throw new Error('fixture');
    const pause: TemplateHealthChange = { ...base, subject: base.subject, aspect: 'status' };
    await inBatches(
      Array.from(
        { length: 50 },
        (_, i): TemplateHealthChange => ({
          ...pause,
          subject: { ...pause.subject, templateId: String(9000 + i), templateName: `campaign_${i}` },
          occurredAt: new Date(Date.parse(WINDOW.start) + i * 1000).toISOString(),
        }),
      ),
      10,
      (change) => health.recordChange(change),
    );
    await expect(digest()).resolves.toEqual({ notifications: 1 });
    expect(simulator.notifications).toHaveLength(1);
    const [notice] = simulator.notifications;
    expect(notice?.subject).toBe('WhatsApp account health: 50 change(s) need attention');
    for (let i = 0; i < 50; i++)
      expect(notice?.message).toContain(`template campaign_${i} (en_US) [id ${9000 + i}]`);
  });

  test('an open window is not reported yet', async () => {
    const { record, digestAt } = await setup();
    await record(failure(A, 131049, 1));
    await expect(digestAt(new Date(Date.parse(WINDOW.start) + 60_000).toISOString())()).resolves.toEqual({
      notifications: 0,
    });
  });

  test('the shipped digest bundle publishes through AWS_ENDPOINT_URL_SNS', async () => {
    const { tableName, record } = await setup();
    await record(failure(A, 131026, 1));
    const host = BundleHost.forFunction(shippedFunction('Alerts/Digest'), {
      CONVERSATION_TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
      AWS_ENDPOINT_URL_SNS: simulator.endpoint,
      ALERTS_TOPIC_ARN: ALERTS_TOPIC,
    });
    try {
      // The shipped function looks at the windows closed before now; this one closed long ago,
      // beyond its look-back, so a fresh failure is recorded in the current window instead.
      await record(failure({ ...A, id: A.id }, 131026, 0));
      const now = failure(A, 131026, 0);
      const closedJustNow = new Date(Date.now() - WINDOW_MINUTES * 60_000).toISOString();
      await record({ ...now, id: randomUUID(), time: closedJustNow.replace(/\.\d{3}Z$/, 'Z') });
      await expect(host.invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).resolves.toEqual({
        ok: true,
        result: { notifications: 1 },
      });
      expect(simulator.notifications[0]?.subject).toMatch(/^WhatsApp: 1 failed with 131026/);
    } finally {
      await host.stop();
    }
  });
});
