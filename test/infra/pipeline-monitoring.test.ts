import { Match, type Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_RATE_CARDS } from '../../local/rate-cards';
import { synthStack } from '../support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack();
});

const EXPECTED_ALARMS: Record<string, number> = {
  InboundProcessorErrors: 0,
  InboundProcessorThrottles: 0,
  FailureRecorderErrors: 0,
  FailureRecorderThrottles: 0,
  FailureDigestErrors: 0,
  FailureDigestThrottles: 0,
  EventPublisherErrors: 0,
  EventPublisherThrottles: 0,
  EventPublisherIteratorAge: 300_000,
  MediaArchiverErrors: 0,
  MediaArchiverThrottles: 0,
  MediaArchiveDeadLetters: 0,
  MediaArchiveDeadLettersLost: 0,
  FailedMessagesRuleFailedInvocations: 0,
  FailedMessagesRuleDeadLettersLost: 0,
  SendProgressRuleFailedInvocations: 0,
  SendProgressRuleDeadLettersLost: 0,
  DigestScheduleRuleFailedInvocations: 0,
  DigestScheduleRuleDeadLettersLost: 0,
  ProcessorFailureQueueNotEmpty: 0,
  ProcessorFailureQueueOldestMessageAge: 86_400,
  SubscriptionDeadLetterQueueNotEmpty: 0,
  SubscriptionDeadLetterQueueOldestMessageAge: 86_400,
  AlertsDeadLetterQueueNotEmpty: 0,
  AlertsDeadLetterQueueOldestMessageAge: 86_400,
  UndeliveredEventsQueueNotEmpty: 0,
  UndeliveredEventsQueueOldestMessageAge: 86_400,
  StreamFailureQueueNotEmpty: 0,
  StreamFailureQueueOldestMessageAge: 86_400,
  FailedWhatsAppMessages: 10,
  AutoResponsesRejected: 0,
  InboundTopicDeliveryFailures: 0,
  TableThrottles: 0,
  TableSystemErrors: 0,
  MarketingSpendSpike: 0,
  WhatsAppMessageFees: 1000,
  MetaTemplateMessageFees: 500,
};

const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm'));
const alarm = (id: string) => {
  const found = alarms().filter((a) => a.Properties.AlarmName === `WhatsAppPipeline-${id}`);
  expect(found).toHaveLength(1);
  return found[0]?.Properties;
};
const alertsTopicRef = { Ref: expect.stringMatching(/^AlertsTopic/) };

describe('PipelineMonitoring', () => {
  test('defines exactly the documented alarms, named <stack>-<id>', () => {
    expect(
      alarms()
        .map((a) => a.Properties.AlarmName)
        .sort(),
    ).toEqual(
      Object.keys(EXPECTED_ALARMS)
        .map((id) => `WhatsAppPipeline-${id}`)
        .sort(),
    );
  });

  test.each(Object.entries(EXPECTED_ALARMS))(
    '%s fires above %d and notifies the alerts topic on alarm and recovery',
    (id, threshold) => {
      const props = alarm(id);
      expect(props.Threshold).toBe(threshold);
      expect(props.ComparisonOperator).toBe('GreaterThanThreshold');
      expect(props.TreatMissingData).toBe('notBreaching');
      expect(props.AlarmActions).toEqual([alertsTopicRef]);
      expect(props.OKActions).toEqual([alertsTopicRef]);
      expect(props.AlarmDescription).toContain(`docs/runbook.md#${id.toLowerCase()}`);
    },
  );

  test('thresholds come from the configuration', () => {
    template = synthStack({
      alarmThresholds: {
        failedMessagesPer5Minutes: 3,
        deadLetterMaxAgeHours: 2,
        whatsAppMessageFeesPerHour: 7,
        metaTemplateMessageFeesPerHour: 1,
      },
    });
    expect(alarm('FailedWhatsAppMessages')?.Threshold).toBe(3);
    expect(alarm('ProcessorFailureQueueOldestMessageAge')?.Threshold).toBe(7200);
    expect(alarm('WhatsAppMessageFees')?.Threshold).toBe(7);
    expect(alarm('MetaTemplateMessageFees')?.Threshold).toBe(1);
    template = synthStack();
  });

  test('the spend alarms sum AWS/SocialMessaging fees over every dimension, hourly', () => {
    for (const [id, metric] of [
      ['WhatsAppMessageFees', 'WhatsAppMessageFeeCount'],
      ['MetaTemplateMessageFees', 'MetaTemplateMessageFeeCount'],
    ]) {
      expect(alarm(id ?? '')?.Metrics).toEqual([
        expect.objectContaining({
          Expression: `SELECT SUM(${metric}) FROM "AWS/SocialMessaging"`,
          Period: 3600,
        }),
      ]);
    }
  });

  describe('the marketing spend spike', () => {
    const level = (id: string, metricName: string, dimensions: unknown[]) =>
      expect.objectContaining({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'WhatsAppPipeline',
            MetricName: metricName,
            Dimensions: expect.arrayContaining([
              { Name: 'service', Value: 'WhatsAppPipeline' },
              ...dimensions,
            ]),
          },
          Period: 3600,
          Stat: 'Maximum',
        },
      });
    const marketing = { Name: 'category', Value: 'marketing' };

    test("compares today's level with 3 times the 7-day median, never on a baseline of 0", () => {
      expect(alarm('MarketingSpendSpike')?.Metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Expression: 'IF(baseline > 0 AND today > 3 * baseline, 1, 0)',
            ReturnData: true,
          }),
          level('baseline', 'MarketingSpendBaseline', []),
        ]),
      );
    });

    test('without rate cards, watches billable marketing messages', () => {
      expect(alarm('MarketingSpendSpike')?.Metrics).toContainEqual(
        level('today', 'BillableMessagesToday', [marketing]),
      );
      expect(alarm('MarketingSpendSpike')?.AlarmDescription).toMatch(/^Today's marketing billable messages/);
    });

    test('with rate cards, watches money, and the digest gets the cards', () => {
      template = synthStack({ rateCards: EXAMPLE_RATE_CARDS });
      expect(alarm('MarketingSpendSpike')?.Metrics).toContainEqual(level('today', 'SpendToday', [marketing]));
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^Sends one alert per number'),
        Environment: { Variables: Match.objectLike({ RATE_CARDS: JSON.stringify(EXAMPLE_RATE_CARDS) }) },
      });
      template = synthStack();
    });

    test('without rate cards, the digest has none in its environment', () => {
      const digest = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
        String(f.Properties.Description).startsWith('Sends one alert per number'),
      );
      expect(digest?.Properties.Environment.Variables).not.toHaveProperty('RATE_CARDS');
    });
  });

  test('failed messages take the larger of failed statuses and failure events', () => {
    const metrics = alarm('FailedWhatsAppMessages')?.Metrics as Record<string, unknown>[];
    expect(metrics).toContainEqual(
      expect.objectContaining({ Expression: 'MAX([FILL(statuses, 0), FILL(events, 0)])', ReturnData: true }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({
        Id: 'statuses',
        MetricStat: expect.objectContaining({
          Metric: {
            Namespace: 'WhatsAppPipeline',
            MetricName: 'StatusUpdates',
            Dimensions: expect.arrayContaining([
              { Name: 'service', Value: 'WhatsAppPipeline' },
              { Name: 'status', Value: 'failed' },
            ]),
          },
        }),
      }),
    );
  });

  test('the queue alarms watch each failure queue', () => {
    expect(alarm('AlertsDeadLetterQueueNotEmpty')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetterQueue/), 'QueueName'] },
        },
      ],
    });
  });

  test('the inbound topic alarm watches NumberOfNotificationsFailed', () => {
    expect(alarm('InboundTopicDeliveryFailures')).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
    });
  });

  test('a dashboard shows the pipeline', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'WhatsAppPipeline-whatsapp',
    });
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
    );
    for (const title of [
      'Inbound messages by type',
      'Statuses by kind',
      'Auto-responses sent (by message type) and rejected (by action)',
      'Failed messages by error code',
      'Failure queue depth',
      'Lambda duration p50 / p99 (ms)',
      'Lambda errors and throttles',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('MetricName=\\\\\\"InboundMessages\\\\\\"');
    // Sends are counted by the answered message's type, in the same EMF document as InboundMessages.
    expect(body).toMatch(/\{WhatsAppPipeline,type,service\} MetricName=\\+"AutoResponsesSent/);
    expect(body).toContain('p99');
  });

  test('the dashboard shows account-health changes and alerts by field', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
    );
    expect(body).toContain('Account health changes by field');
    expect(body).toContain('Account health alerts (sent in the digest)');
    expect(body).toContain('Templates by new status, quality and category');
    expect(body).toContain('Phone numbers by new quality and name');
    expect(body).toContain('MetricName=\\\\\\"HealthAlerts\\\\\\"');
    expect(body).toContain('MetricName=\\\\\\"StaleHealthChanges\\\\\\"');
  });

  test('is in the stack once', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('^WhatsAppPipeline-'),
    });
  });
});
