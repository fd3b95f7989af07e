import type {
  HealthAspectState,
  MarketingPreferenceItem,
  TemplateHealthItem,
} from '../../../lambda/adapters/items';
import { eventsOfChange } from '../../../lambda/event-publisher/changes';
import { expectValidEvent } from '../../support/event-schemas';

const PIPELINE = 'WhatsAppPipeline';
const paused: HealthAspectState = {
  event: 'PAUSED',
  at: '2026-12-01T10:00:00.000Z',
  field: 'message_template_status_update',
};
const approved: HealthAspectState = {
  event: 'APPROVED',
  at: '2026-12-01T09:00:00.000Z',
  field: 'message_template_status_update',
};

function template(current: TemplateHealthItem['current']): TemplateHealthItem {
  return {
    entity: 'template-health',
    wabaId: '1163793972139053',
    templateId: '1234567890123456',
    templateName: 'order_update',
    language: 'en_US',
    current,
    history: [],
    updatedAt: '2026-12-01T10:00:01.000Z',
  };
}

function preference(overrides: Partial<MarketingPreferenceItem> = {}): MarketingPreferenceItem {
  return {
    entity: 'marketing-preference',
    conversationKey: '574086085794038#16505551234',
    businessPhoneNumberId: '574086085794038',
    wabaId: '1163793972139053',
    category: 'marketing_messages',
    customerKey: '16505551234',
    customerPhone: '16505551234',
    preference: 'stop',
    preferenceAt: '2026-12-01T10:00:00.000Z',
    history: [],
    expiresAt: 1,
    ...overrides,
  };
}

describe('eventsOfChange: account health', () => {
  test('a template whose status moved publishes Template Status Changed, naming the state it replaces', () => {
    const events = eventsOfChange(
      { old: template({ status: approved }), new: template({ status: paused }) },
      PIPELINE,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      detailType: 'Template Status Changed',
      detail: {
        templateId: '1234567890123456',
        templateName: 'order_update',
        aspect: 'status',
        event: 'PAUSED',
        previousEvent: 'APPROVED',
        occurredAt: paused.at,
      },
    });
    expectValidEvent(events[0] ?? { detailType: 'none', detail: undefined });
  });

  test('a change older than the stored state (history only) publishes nothing', () => {
    const item = template({ status: paused });
    expect(
      eventsOfChange(
        {
          old: item,
          new: {
            ...item,
            history: [{ ...approved, aspect: 'status', snsMessageId: 's', recordedAt: approved.at }],
          },
        },
        PIPELINE,
      ),
    ).toEqual([]);
  });

  test('only the aspect that moved publishes', () => {
    const quality: HealthAspectState = {
      event: 'RED',
      at: paused.at,
      field: 'message_template_quality_update',
    };
    const events = eventsOfChange(
      { old: template({ status: approved }), new: template({ status: approved, quality }) },
      PIPELINE,
    );
    expect(events.map((e) => e.detail)).toEqual([
      expect.objectContaining({ aspect: 'quality', event: 'RED' }),
    ]);
  });

  test('the same change always gets the same event id', () => {
    const change = { old: template({ status: approved }), new: template({ status: paused }) };
    expect(eventsOfChange(change, PIPELINE)[0]?.detail.eventId).toBe(
      eventsOfChange(change, PIPELINE)[0]?.detail.eventId,
    );
  });

  test('a stop publishes Marketing Preference Changed for the conversation', () => {
    const [event] = eventsOfChange(
      {
        old: preference({ preference: 'resume', preferenceAt: '2026-11-01T00:00:00.000Z' }),
        new: preference(),
      },
      PIPELINE,
    );
    expect(event).toMatchObject({
      detailType: 'Marketing Preference Changed',
      detail: {
        conversationKey: '574086085794038#16505551234',
        customer: { key: '16505551234' },
        preference: 'stop',
        previousPreference: 'resume',
      },
    });
    expectValidEvent(event ?? { detailType: 'none', detail: undefined });
  });

  test('a preference record whose preference did not move publishes nothing', () => {
    expect(eventsOfChange({ old: preference(), new: preference({ detail: 'x' }) }, PIPELINE)).toEqual([]);
  });

  test('a health alert waiting for the digest publishes nothing', () => {
    expect(
      eventsOfChange(
        {
          new: {
            entity: 'health-alert',
            windowStart: '2026-12-01T10:00:00.000Z',
            windowEnd: '2026-12-01T10:15:00.000Z',
            wabaId: '1',
            subjectKey: 'ACCOUNT',
            subject: 'account',
            aspect: 'status',
            event: 'ACCOUNT_VIOLATION',
            severity: 'critical',
            headline: 'h',
            runbookSection: 'account-restricted-or-banned',
            at: '2026-12-01T10:00:00.000Z',
            count: 1,
            expiresAt: 1,
          },
        },
        PIPELINE,
      ),
    ).toEqual([]);
  });
});
