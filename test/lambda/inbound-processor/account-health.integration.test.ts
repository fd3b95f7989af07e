import { ConversationStore } from '../../../lambda/adapters/conversation-store';
import { HealthStore } from '../../../lambda/adapters/health-store';
import { EventDecodeError } from '../../../lambda/domain/errors';
import { createInboundHandler } from '../../../lambda/inbound-processor/process';
import { FIXTURE_NAMES, fixtureEvent } from '../../fixtures';
import { createConversationTable } from '../../support/assembly';
import { useLocalParts } from '../../support/local-parts';
import { testPseudonyms } from '../../support/pseudonyms';
import { RecordingLogger, RecordingMetrics } from '../../support/recording-observability';

const parts = useLocalParts();
const NOW = new Date('2026-12-01T10:05:00.000Z');

async function processor(options: { health?: boolean } = {}) {
  const tableName = await createConversationTable(parts.dynamo);
  const store = new ConversationStore({
    client: parts.dynamo,
    tableName,
    retentionDays: 30,
    clock: () => NOW,
  });
  const health = new HealthStore({
    client: parts.dynamo,
    tableName,
    retentionDays: 30,
    digestWindowMinutes: 15,
    clock: () => NOW,
  });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    health: options.health === false ? undefined : health,
    logger,
    metrics,
    clock: () => NOW.getTime(),
  });
  return { handler, health, logger, metrics };
}

const HEALTH_FIXTURES = FIXTURE_NAMES.filter((name) => name.startsWith('health-'));

describe('the inbound processor records account health', () => {
  test.each(HEALTH_FIXTURES)(
    '%s is recorded as the newest state and counted under its field',
    async (name) => {
      const { handler, metrics } = await processor();
      await handler(fixtureEvent(name));
      const recorded = [...metrics.counts].filter(([key]) => key.startsWith('HealthChanges/field='));
      expect(recorded).toHaveLength(1);
      expect(metrics.get('SkippedChanges')).toBe(0);
    },
  );

  test('a paused template is recorded and its alert queued, with a warning that names the template, not its id', async () => {
    const { handler, health, logger, metrics } = await processor();
    await handler(fixtureEvent('health-template-paused'));
    expect(metrics.get('HealthAlerts/field=message_template_status_update')).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Account health change needs attention; queued for the alerts digest',
        attributes: expect.objectContaining({ subject: 'template order_update (en_US)', event: 'PAUSED' }),
      }),
    );
    expect((await health.wabaHealth('1163793972139053'))[0]?.current).toMatchObject({
      status: { event: 'PAUSED' },
    });
  });

  test('a blocked Flow is recorded as its status and its alert queued, naming the Flow by its last digits', async () => {
    const { handler, health, logger, metrics } = await processor();
    await handler(fixtureEvent('health-flow-blocked'));
    expect(metrics.get('HealthAlerts/field=flows')).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ subject: 'flow ending 4000', event: 'BLOCKED' }),
      }),
    );
    expect(await health.wabaHealth('1163793972139053')).toEqual([
      expect.objectContaining({
        entity: 'flow-health',
        flowId: '1097420589034000',
        current: { status: expect.objectContaining({ event: 'BLOCKED', previous: 'PUBLISHED' }) },
      }),
    ]);
  });

  test("a Flow's endpoint alert is kept beside its status, neither replacing the other", async () => {
    const { handler, health } = await processor();
    await handler(fixtureEvent('health-flow-blocked'));
    await handler(fixtureEvent('health-flow-endpoint-error-rate'));
    const [flow] = await health.wabaHealth('1163793972139053');
    expect(flow?.current).toMatchObject({
      status: { event: 'BLOCKED' },
      endpoint: { event: 'ENDPOINT_ERROR_RATE' },
    });
  });

  test('templates are counted by their new state, numbers by theirs', async () => {
    const { handler, metrics } = await processor();
    await handler(fixtureEvent('health-template-paused'));
    await handler(fixtureEvent('health-template-quality-red'));
    await handler(fixtureEvent('health-phone-number-downgrade'));
    expect(metrics.get('TemplateHealthChanges/state=status:PAUSED')).toBe(1);
    expect(metrics.get('TemplateHealthChanges/state=quality:RED')).toBe(1);
    expect(metrics.get('PhoneNumberHealthChanges/state=quality:DOWNGRADE')).toBe(1);
  });

  test('a redelivered notification counts nothing twice', async () => {
    const { handler, metrics } = await processor();
    await handler(fixtureEvent('health-phone-number-downgrade'));
    await handler(fixtureEvent('health-phone-number-downgrade'));
    expect(metrics.get('HealthChanges/field=phone_number_quality_update')).toBe(1);
    expect(metrics.get('HealthAlerts/field=phone_number_quality_update')).toBe(1);
  });

  test('a stop arriving after a resume is counted as stale, and the customer stays resumed', async () => {
    const { handler, health, metrics } = await processor();
    await handler(fixtureEvent('health-user-preferences-resume'));
    await handler(fixtureEvent('health-user-preferences-stop'));
    expect(metrics.get('StaleHealthChanges/field=user_preferences')).toBe(1);
    expect((await health.marketingPreference('574086085794038', '16505551234'))?.preference).toBe('resume');
  });

  test('an event Meta added later is recorded verbatim and counted as unknown', async () => {
    const { handler, health, metrics } = await processor();
    await handler(fixtureEvent('health-template-future-event'));
    expect(metrics.get('UnknownHealthEvents/field=message_template_status_update')).toBe(1);
    expect(metrics.get('TemplateHealthChanges/state=other')).toBe(1);
    expect((await health.wabaHealth('1163793972139053'))[0]?.current).toMatchObject({
      status: { event: 'SUSPENDED_FOR_REVIEW' },
    });
  });

  test('a field the pipeline does not record is skipped and counted, never an error', async () => {
    const { handler, metrics } = await processor();
    await expect(handler(fixtureEvent('edge-future-field'))).resolves.toBeUndefined();
    expect(metrics.get('SkippedChanges/field=group_lifecycle_update')).toBe(1);
  });

  test('a malformed health value fails the invocation, so the event reaches the failure queue', async () => {
    const { handler, metrics } = await processor();
    await expect(handler(fixtureEvent('bad-health-template-without-id'))).rejects.toBeInstanceOf(
      EventDecodeError,
    );
    expect(metrics.get('UndecodableEvents/reason=entry-invalid')).toBe(1);
  });

  test('without a health store, health changes are counted as skipped', async () => {
    const { handler, metrics } = await processor({ health: false });
    await handler(fixtureEvent('health-template-paused'));
    expect(metrics.get('SkippedChanges/field=message_template_status_update')).toBe(1);
  });
});
