import fc from 'fast-check';
import { HEALTH_FIELDS } from '../../../contracts';
import {
  decodeHealthChange,
  HealthDecodeError,
  isSubjectChange,
  KNOWN_HEALTH_EVENTS,
} from '../../../lambda/domain/account-health';

const SOURCE = { wabaId: '1163793972139053', snsMessageId: 'sns-1', entryTime: 1767225601 };

/** JSON values of any shape, as a relay could put under `value`. */
const json = fc.jsonValue({ maxDepth: 3 });

/** The smallest value of each field that has what identifies its subject and event. */
const MINIMAL: Record<(typeof HEALTH_FIELDS)[number], Record<string, unknown>> = {
  message_template_status_update: { event: 'APPROVED', message_template_id: 1 },
  message_template_quality_update: { new_quality_score: 'GREEN', message_template_id: 1 },
  template_category_update: { new_category: 'UTILITY', message_template_id: 1 },
  phone_number_quality_update: { display_phone_number: '15550783881', event: 'UPGRADE' },
  phone_number_name_update: { display_phone_number: '15550783881', decision: 'APPROVED' },
  account_update: { event: 'PARTNER_ADDED' },
  account_review_update: { decision: 'APPROVED' },
  business_capability_update: {},
  account_alerts: { alert_info: { alert_type: 'OBA_APPROVED' } },
  flows: { event: 'FLOW_STATUS_CHANGE', flow_id: '1' },
  user_preferences: {
    metadata: { phone_number_id: '1' },
    user_preferences: [{ wa_id: '2', category: 'marketing_messages', value: 'stop' }],
  },
};

describe('decodeHealthChange, for any input', () => {
  test('returns typed changes or throws a HealthDecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HEALTH_FIELDS), json, (field, value) => {
        try {
          const changes = decodeHealthChange(field, value, SOURCE) ?? [];
          for (const change of changes) {
            expect(change.field).toBe(field);
            expect(typeof change.occurredAt).toBe('string');
            expect(JSON.parse(change.payload)).toBeDefined();
            if (isSubjectChange(change)) expect(typeof change.event).toBe('string');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(HealthDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a field that is not a health field is undefined (skipped), whatever its value', () => {
    fc.assert(
      fc.property(
        fc.string().filter((f) => f !== 'messages' && !(HEALTH_FIELDS as readonly string[]).includes(f)),
        json,
        (field, value) => {
          expect(decodeHealthChange(field, value, SOURCE)).toBeUndefined();
        },
      ),
    );
  });

  test('fields Meta adds to a value never break its decoding', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HEALTH_FIELDS),
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x_${k}`),
          json,
        ),
        (field, extra) => {
          expect(decodeHealthChange(field, { ...extra, ...MINIMAL[field] }, SOURCE)?.length).toBeGreaterThan(
            0,
          );
        },
      ),
    );
  });

  test('any event string is kept verbatim, and flagged unknown exactly when Meta does not document it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (event) => {
        const [change] =
          decodeHealthChange('message_template_status_update', { event, message_template_id: '7' }, SOURCE) ??
          [];
        expect(change).toMatchObject({ event });
        const known = KNOWN_HEALTH_EVENTS.message_template_status_update;
        expect(change?.knownEvent).toBe(known !== 'any' && known.includes(event));
      }),
    );
  });
});
