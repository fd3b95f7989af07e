import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { DigestStore } from '../../../lambda/adapters/digest-store';
import { HealthStore } from '../../../lambda/adapters/health-store';
import { healthRecordFromItem, type TemplateHealthItem } from '../../../lambda/adapters/items';
import {
  type HealthChange,
  isSubjectChange,
  type PreferenceChange,
  type TemplateHealthChange,
} from '../../../lambda/domain/account-health';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { closedWindows, DIGEST_LOOKBACK_WINDOWS, windowOf } from '../../../lambda/domain/failure-digest';
import { fixtureEvent } from '../../fixtures';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';

const parts = useLocalParts();
const WABA = '1163793972139053';
const NOW = new Date('2026-12-01T10:05:00.000Z');
const WINDOW = 15;

async function store(): Promise<{ health: HealthStore; tableName: string }> {
  const tableName = await createConversationTable(parts.dynamo);
  return {
    tableName,
    health: new HealthStore({
      client: parts.dynamo,
      tableName,
      retentionDays: 30,
      digestWindowMinutes: WINDOW,
      clock: () => NOW,
    }),
  };
}

function changesOf(name: string): (HealthChange | PreferenceChange)[] {
  return decodeSnsEvent(fixtureEvent(name)).flatMap((n) => [...n.health]);
}

function subjectChange(name: string): HealthChange {
  const [change] = changesOf(name);
  if (change === undefined || !isSubjectChange(change)) throw new Error(`${name}: no subject change`);
  return change;
}

function templateStatus(event: string, at: string): TemplateHealthChange {
  const base = subjectChange('health-template-paused');
  if (base.subject.kind !== 'template') throw new Error('not a template');
  return { ...base, subject: base.subject, aspect: 'status', event, occurredAt: at, detail: undefined };
}

async function templateRecord(health: HealthStore): Promise<TemplateHealthItem | undefined> {
  const records = await health.wabaHealth(WABA);
  return records.find((r): r is TemplateHealthItem => r.entity === 'template-health');
}

/** The alerts of every window the digest reads at NOW, and of the open one. */
async function alertsOf(tableName: string) {
  const digest = new DigestStore(parts.dynamo, tableName);
  const windows = [windowOf(NOW, WINDOW).start, ...closedWindows(NOW, WINDOW, DIGEST_LOOKBACK_WINDOWS)];
  const pending = await Promise.all(windows.map((start) => digest.pending(start)));
  return pending.flatMap((p) => p.health);
}

describe('HealthStore.recordChange', () => {
  test('the first change of a template becomes its current state, with its history', async () => {
    const { health } = await store();
    await expect(health.recordChange(subjectChange('health-template-paused'))).resolves.toMatchObject({
      kind: 'recorded',
      alert: { severity: 'warning' },
    });
    const record = await templateRecord(health);
    expect(record).toMatchObject({
      templateId: '1234567890123456',
      templateName: 'order_update',
      language: 'en_US',
      current: { status: { event: 'PAUSED', at: '2026-01-01T00:00:01.000Z' } },
    });
    expect(record?.history.map((h) => h.event)).toEqual(['PAUSED']);
  });

  test('a redelivered change writes nothing', async () => {
    const { health } = await store();
    const change = subjectChange('health-template-paused');
    await health.recordChange(change);
    await expect(health.recordChange(change)).resolves.toEqual({ kind: 'duplicate' });
    expect((await templateRecord(health))?.history).toHaveLength(1);
  });

  test('an older change joins the history but never replaces the newer state', async () => {
    const { health } = await store();
    await health.recordChange(templateStatus('APPROVED', '2026-12-01T10:00:00.000Z'));
    await expect(health.recordChange(templateStatus('PAUSED', '2026-12-01T09:00:00.000Z'))).resolves.toEqual({
      kind: 'stale',
    });
    const record = await templateRecord(health);
    expect(record?.current.status?.event).toBe('APPROVED');
    expect(record?.history.map((h) => h.event)).toEqual(['PAUSED', 'APPROVED']);
  });

  test('aspects are independent: an old quality change does not hold back a new status', async () => {
    const { health } = await store();
    await health.recordChange(templateStatus('APPROVED', '2026-12-01T10:00:00.000Z'));
    const quality = subjectChange('health-template-quality-red');
    await expect(health.recordChange(quality)).resolves.toMatchObject({ kind: 'recorded' });
    const record = await templateRecord(health);
    expect(record?.current).toMatchObject({ status: { event: 'APPROVED' }, quality: { event: 'RED' } });
  });

  test('in any order, with any redeliveries, the current status is the newest and the history holds each change once', async () => {
    const changes = [
      templateStatus('PENDING', '2026-12-01T08:00:00.000Z'),
      templateStatus('APPROVED', '2026-12-01T09:00:00.000Z'),
      templateStatus('PAUSED', '2026-12-01T10:00:00.000Z'),
      templateStatus('APPROVED', '2026-12-01T13:00:00.000Z'),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...changes, ...changes], { minLength: changes.length * 2 }),
        async (deliveries) => {
          const { health } = await store();
          await Promise.all(deliveries.map((change) => health.recordChange(change)));
          const record = await templateRecord(health);
          expect(record?.current.status).toMatchObject({ event: 'APPROVED', at: '2026-12-01T13:00:00.000Z' });
          expect(record?.history.map((h) => `${h.event}@${h.at}`)).toEqual(
            changes.map((c) => `${c.event}@${c.occurredAt}`),
          );
        },
      ),
      { numRuns: 8 },
    );
  });

  test('a change that needs a human waits in the digest window of its recording, once', async () => {
    const { health, tableName } = await store();
    const change = subjectChange('health-phone-number-downgrade');
    await health.recordChange(change);
    await health.recordChange(change);
    const alerts = await alertsOf(tableName);
    expect(alerts).toEqual([
      expect.objectContaining({
        subject: 'phone number 15550783881',
        event: 'DOWNGRADE',
        severity: 'critical',
        headline: 'messaging limit lowered from TIER_10K to TIER_2K',
        runbookSection: 'phone-number-flagged-or-downgraded',
        count: 1,
      }),
    ]);
  });

  test("an alert goes into its change's window, or the oldest the digest still reads when the change is late", async () => {
    const { health, tableName } = await store();
    const recent = { ...templateStatus('PAUSED', '2026-12-01T09:50:00.000Z') };
    await health.recordChange(recent);
    await health.recordChange(subjectChange('health-account-violation'));
    const digest = new DigestStore(parts.dynamo, tableName);
    expect((await digest.pending('2026-12-01T09:45:00.000Z')).health.map((a) => a.event)).toEqual(['PAUSED']);
    // Eleven months late: kept three windows back, where the next digest run still looks.
    expect((await digest.pending('2026-12-01T09:15:00.000Z')).health.map((a) => a.event)).toEqual([
      'ACCOUNT_VIOLATION',
    ]);
  });

  test('an informational change raises no alert', async () => {
    const { health, tableName } = await store();
    await health.recordChange(subjectChange('health-phone-number-throughput-upgrade'));
    expect(await alertsOf(tableName)).toEqual([]);
  });

  test('a stale alerting change raises no alert: the newer state is what matters', async () => {
    const { health, tableName } = await store();
    await health.recordChange(templateStatus('APPROVED', '2026-12-01T10:00:00.000Z'));
    await health.recordChange(templateStatus('PAUSED', '2026-12-01T09:00:00.000Z'));
    expect(await alertsOf(tableName)).toEqual([]);
  });

  test('the WABA partition holds its templates, numbers and account, and nothing of another WABA', async () => {
    const { health } = await store();
    for (const name of [
      'health-template-paused',
      'health-phone-number-flagged',
      'health-account-violation',
    ]) {
      await health.recordChange(subjectChange(name));
    }
    const other = subjectChange('health-account-violation');
    await health.recordChange({ ...other, wabaId: '999' });
    expect((await health.wabaHealth(WABA)).map((r) => r.entity).sort()).toEqual([
      'account-health',
      'phone-number-health',
      'template-health',
    ]);
  });
});

describe('HealthStore.recordPreference', () => {
  function preferenceOf(name: string): PreferenceChange {
    const [change] = changesOf(name);
    if (change === undefined || isSubjectChange(change)) throw new Error(`${name}: no preference`);
    return change;
  }

  test('a stop is the customer preference, found by business number and customer', async () => {
    const { health } = await store();
    await expect(health.recordPreference(preferenceOf('health-user-preferences-stop'))).resolves.toEqual({
      kind: 'recorded',
    });
    expect(await health.marketingPreference('574086085794038', '16505551234')).toMatchObject({
      conversationKey: '574086085794038#16505551234',
      preference: 'stop',
      preferenceAt: '2026-01-01T00:00:00.000Z',
    });
  });

  test('a stop that arrives after a later resume is history only: the customer stays resumed', async () => {
    const { health } = await store();
    await health.recordPreference(preferenceOf('health-user-preferences-resume'));
    await expect(health.recordPreference(preferenceOf('health-user-preferences-stop'))).resolves.toEqual({
      kind: 'stale',
    });
    const stored = await health.marketingPreference('574086085794038', '16505551234');
    expect(stored?.preference).toBe('resume');
    expect(stored?.history.map((h) => h.preference)).toEqual(['stop', 'resume']);
  });

  test('a redelivered preference writes nothing', async () => {
    const { health } = await store();
    const change = preferenceOf('health-user-preferences-stop');
    await health.recordPreference(change);
    await expect(health.recordPreference(change)).resolves.toEqual({ kind: 'duplicate' });
  });

  test('a customer who never changed a preference has none', async () => {
    const { health } = await store();
    await expect(health.marketingPreference('574086085794038', 'nobody')).resolves.toBeUndefined();
  });

  test('the preference has a TTL: it is personal data', async () => {
    const { health, tableName } = await store();
    await health.recordPreference(preferenceOf('health-user-preferences-stop'));
    const { Items } = await parts.dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': 'CONV#574086085794038#16505551234' }),
      }),
    );
    expect(Items?.map((i) => healthRecordFromItem(i))).toEqual([
      expect.objectContaining({ expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86_400 }),
    ]);
  });
});
