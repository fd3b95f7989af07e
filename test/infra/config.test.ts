import { RemovalPolicy } from 'aws-cdk-lib';
import { isCallingCode, MAX_RATE_CARDS_BYTES } from '../../contracts';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../../lambda/domain/auto-response';
import {
  autoResponsePolicyOfConfig,
  CONFIG_CONTEXT_KEY,
  CONFIG_KEYS,
  ConfigValidationError,
  type PipelineConfig,
  parsePipelineConfig,
} from '../../lib/config';
import { pipelinePropsOf } from '../../lib/whatsapp-pipeline-stack';
import { EXAMPLE_RATE_CARDS } from '../../local/rate-cards';
import { buildTestApp, cdkJsonContext } from '../support/synth';

describe('parsePipelineConfig', () => {
  test('an absent context is an empty configuration: it restates no default of the construct', () => {
    expect(parsePipelineConfig(undefined)).toEqual({});
  });

  test('cdk.json holds only what a deployer set: nothing, so the construct decides every default', () => {
    expect(parsePipelineConfig(cdkJsonContext()[CONFIG_CONTEXT_KEY])).toEqual({});
  });

  test('keeps the values it is given', () => {
    const given = {
      metaApiVersion: 'v23.0',
      phoneNumberIds: ['phone-number-id-abc123'],
      reactionEmoji: '🙏🏽',
      alarmEmail: 'ops@example.com',
      dataRetentionDays: 30,
      logRetentionDays: 14,
      removalPolicy: 'destroy',
      autoResponse: {
        enabled: false,
        typingIndicator: true,
        maxMessageAgeHours: 2,
        actions: { reaction: 'receipt' },
        defaultAction: 'none',
        emojiByType: { order: '🛒' },
      },
      linkedWabas: ['waba-abc123', 'arn:aws:social-messaging:us-east-1:123456789012:waba/def456'],
      alarmThresholds: {
        failedMessagesPer5Minutes: 3,
        deadLetterMaxAgeHours: 2,
        whatsAppMessageFeesPerHour: 50,
        metaTemplateMessageFeesPerHour: 5,
      },
      tracing: true,
      alertDigestMinutes: 30,
    };
    expect(parsePipelineConfig(given)).toEqual(given);
  });

  test('keeps only the auto-response keys it is given; the policy fills the rest from the defaults', () => {
    const config = parsePipelineConfig({ autoResponse: { typingIndicator: true } });
    expect(config.autoResponse).toEqual({ typingIndicator: true });
    expect(autoResponsePolicyOfConfig(config)).toEqual({
      ...DEFAULT_AUTO_RESPONSE_POLICY,
      typingIndicator: true,
    });
  });

  test.each([
    ['a ZWJ sequence', '👩‍💻'],
    ['a flag', '🇧🇷'],
    ['a keycap', '1️⃣'],
  ])('accepts %s as the reaction emoji', (_name, emoji) => {
    expect(parsePipelineConfig({ reactionEmoji: emoji }).reactionEmoji).toBe(emoji);
  });

  test.each([
    [
      'logRetentionDays',
      4,
      '"logRetentionDays" is 4: expected one of the CloudWatch Logs retention periods: 1, 3, 5, 7, 14, 30',
    ],
    ['removalPolicy', 'snapshot', '"removalPolicy" is "snapshot": expected "retain" or "destroy"'],
    ['metaApiVersion', '24', '"metaApiVersion" is "24": expected a Meta Graph API version such as "v24.0"'],
    ['reactionEmoji', '👍👍', '"reactionEmoji" is "👍👍": expected exactly one emoji'],
    ['reactionEmoji', 'ok', '"reactionEmoji" is "ok": expected exactly one emoji'],
    ['dataRetentionDays', 0, '"dataRetentionDays" is 0: expected a whole number of days from 1 to 3650'],
    [
      'dataRetentionDays',
      '30',
      '"dataRetentionDays" is "30": expected a whole number of days from 1 to 3650',
    ],
    ['alarmEmail', 'ops', '"alarmEmail" is "ops": expected an e-mail address'],
    [
      'phoneNumberIds',
      ['123'],
      '"phoneNumberIds.0" is "123": expected an AWS phone-number id such as "phone-number-id-',
    ],
  ])('rejects %s = %j, naming the key, the value and what is accepted', (key, value, message) => {
    expect(() => parsePipelineConfig({ [key]: value })).toThrow(message);
  });

  test('rejects a repeated phone-number id', () => {
    expect(() => parsePipelineConfig({ phoneNumberIds: ['phone-number-id-a', 'phone-number-id-a'] })).toThrow(
      'expected each phone-number id once',
    );
  });

  test('rejects an unknown key and lists the accepted ones, so typos do not pass silently', () => {
    expect(() => parsePipelineConfig({ reactionEmojis: '👍' })).toThrow(
      'unknown key "reactionEmojis": accepted keys are metaApiVersion, phoneNumberIds, reactionEmoji',
    );
  });

  test('reports every problem at once in one error', () => {
    const attempt = () => parsePipelineConfig({ logRetentionDays: 4, removalPolicy: 'never' });
    expect(attempt).toThrow(ConfigValidationError);
    expect(attempt).toThrow(/logRetentionDays[\s\S]*removalPolicy/);
  });

  test('rejects a context that is not an object', () => {
    expect(() => parsePipelineConfig('retain')).toThrow('"(the whole value)" is "retain"');
  });
});

describe('rate cards', () => {
  const card = EXAMPLE_RATE_CARDS[0];

  test('keeps valid cards as given', () => {
    expect(parsePipelineConfig({ rateCards: EXAMPLE_RATE_CARDS }).rateCards).toEqual(EXAMPLE_RATE_CARDS);
  });

  test('names a calling code written with a plus, with its path and the fix', () => {
    const bad = [{ ...card, markets: [{ name: 'UK', callingCodes: ['+44'], rates: { marketing: 0.05 } }] }];
    expect(() => parsePipelineConfig({ rateCards: bad })).toThrow(
      '"rateCards.0.markets.0.callingCodes.0" is "+44": expected a country calling code such as "44": no "+", as numbers start with it',
    );
  });

  test('refuses a code no number starts with, such as 441 (those numbers have the code 44)', () => {
    const bad = [{ ...card, markets: [{ name: 'UK', callingCodes: ['441'], rates: {} }] }];
    expect(() => parsePipelineConfig({ rateCards: bad })).toThrow(
      '"rateCards.0.markets.0.callingCodes.0" is "441"',
    );
  });

  test('refuses cards in two currencies, whose spend would not add up', () => {
    const bad = [card, { ...card, effectiveFrom: '2027-01-01', currency: 'EUR' }];
    expect(() => parsePipelineConfig({ rateCards: bad })).toThrow(
      'expected one currency on every card, found USD, EUR',
    );
  });

  test('refuses two cards from the same day', () => {
    expect(() => parsePipelineConfig({ rateCards: [card, card] })).toThrow(
      '"rateCards.1.effectiveFrom" is "2026-01-01": expected each card to start on its own day',
    );
  });

  test('refuses a calling code in two markets of one card', () => {
    const markets = [
      { name: 'A', callingCodes: ['44'], rates: {} },
      { name: 'B', callingCodes: ['44'], rates: {} },
    ];
    expect(() => parsePipelineConfig({ rateCards: [{ ...card, markets }] })).toThrow(
      'but +44 is in "A" and "B"',
    );
  });

  test('refuses a negative price and a day that is not on the calendar', () => {
    const bad = [{ ...card, effectiveFrom: '2026-13-01', default: { marketing: -1 } }];
    const attempt = () => parsePipelineConfig({ rateCards: bad });
    expect(attempt).toThrow('"rateCards.0.effectiveFrom" is "2026-13-01": expected a day of the calendar');
    expect(attempt).toThrow('"rateCards.0.default.marketing" is -1: expected a price of 0 or more');
  });

  test('refuses cards too large for the digest environment, saying how to shrink them', () => {
    const codes = Array.from({ length: 800 }, (_, i) => String(200 + i)).filter(isCallingCode);
    // Every three-digit code, on a card a month for a year.
    const big = Array.from({ length: 12 }, (_, month) => ({
      ...card,
      effectiveFrom: `2026-${String(month + 1).padStart(2, '0')}-01`,
      markets: [{ name: 'Everywhere', callingCodes: codes, rates: { marketing: 0.01 } }],
    }));
    expect(() => parsePipelineConfig({ rateCards: big })).toThrow(
      `expected at most ${MAX_RATE_CARDS_BYTES} bytes of JSON`,
    );
  });
});

describe('pipelinePropsOf', () => {
  /** A value for every key, so a key that reaches no prop is caught. */
  const everything: Required<PipelineConfig> = {
    metaApiVersion: 'v23.0',
    phoneNumberIds: ['phone-number-id-abc123'],
    reactionEmoji: '🙏',
    alarmEmail: 'ops@example.com',
    dataRetentionDays: 30,
    processorMaxConcurrency: 5,
    humanTakeoverMinutes: 45,
    stallMinutes: 20,
    rateCards: [...EXAMPLE_RATE_CARDS],
    logRetentionDays: 14,
    removalPolicy: 'destroy',
    autoResponse: { typingIndicator: true },
    alarmThresholds: { failedMessagesPer5Minutes: 3 },
    tracing: true,
    events: false,
    mediaArchive: { enabled: false },
    alertDigestMinutes: 30,
    linkedWabas: ['waba-abc123'],
  };

  test('the test sets every key a configuration accepts', () => {
    expect(Object.keys(everything).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  test.each(CONFIG_KEYS)('%s reaches the construct', (key) => {
    const base = pipelinePropsOf(parsePipelineConfig({}));
    const props = pipelinePropsOf(parsePipelineConfig({ [key]: everything[key] }));
    const changed = Object.entries(props).filter(
      ([prop, value]) => JSON.stringify(value) !== JSON.stringify(Reflect.get(base, prop)),
    );
    expect(changed).toHaveLength(1);
  });

  test('the emoji reaches the auto-response, and retention and removal keep their values', () => {
    const props = pipelinePropsOf(parsePipelineConfig(everything));
    expect(props.autoResponse?.reactionEmoji).toBe('🙏');
    expect(props.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(props.humanTakeoverMinutes).toBe(45);
    expect(props.stallMinutes).toBe(20);
    expect(props.rateCards).toEqual(EXAMPLE_RATE_CARDS);
  });
});

describe('autoResponsePolicyOfConfig', () => {
  test('with the defaults, is the documented default policy', () => {
    expect(autoResponsePolicyOfConfig(parsePipelineConfig({}))).toEqual(DEFAULT_AUTO_RESPONSE_POLICY);
  });

  test('merges action overrides over the defaults and converts hours to seconds', () => {
    const policy = autoResponsePolicyOfConfig(
      parsePipelineConfig({
        reactionEmoji: '🙏',
        autoResponse: { actions: { reaction: 'receipt' }, maxMessageAgeHours: 1.5 },
      }),
    );
    expect(policy.actions.reaction).toBe('receipt');
    expect(policy.actions.text).toBe('receipt-and-reaction');
    expect(policy.emoji).toBe('🙏');
    expect(policy.maxMessageAgeSeconds).toBe(5400);
  });
});

describe('synthesis with an invalid configuration', () => {
  test('fails before anything is defined, with the actionable message', () => {
    expect(() => buildTestApp({ logRetentionDays: 4 })).toThrow(
      'Invalid configuration in cdk.json context "whatsappPipeline":\n  - "logRetentionDays" is 4: expected one of the CloudWatch Logs retention periods',
    );
  });
});

describe('turning parts off from the command line', () => {
  test('-c whatsappPipeline.events=false synthesizes without the event bus and the media archive', () => {
    const { stack } = buildTestApp({ events: false });
    expect(stack.pipeline.events).toBeUndefined();
    expect(stack.pipeline.media).toBeUndefined();
  });

  test('mediaArchive.enabled=false keeps the bus and drops the archive', () => {
    const { stack } = buildTestApp({ mediaArchive: { enabled: false } });
    expect(stack.pipeline.events).toBeDefined();
    expect(stack.pipeline.media).toBeUndefined();
  });

  test('an unknown member of mediaArchive is refused, naming it', () => {
    expect(() => parsePipelineConfig({ mediaArchive: { enable: false } })).toThrow(
      /unknown key "enable"|enable/,
    );
  });
});
