import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, type MetricName, SPEND_WATCH } from '../../contracts';
import { iteratorAge, PipelineMetrics } from './pipeline-metrics';

/** Alarm thresholds. Alarms on errors, throttles and dead letters fire on the first occurrence. */
export interface AlarmThresholds {
  /**
   * Failed WhatsApp messages (failed statuses or EventBridge failure events) in 5 minutes that raise an alarm.
   * @default 10
   */
  readonly failedMessagesPer5Minutes: number;
  /**
   * Age, in hours, of the oldest message in a failure queue that raises an alarm (queues keep 14 days).
   * @default 24
   */
  readonly deadLetterMaxAgeHours: number;
  /**
   * WhatsApp message fees (`AWS/SocialMessaging` `WhatsAppMessageFeeCount`) in one hour that raise an alarm.
   * @default 1000
   */
  readonly whatsAppMessageFeesPerHour: number;
  /**
   * Meta template message fees (`MetaTemplateMessageFeeCount`) in one hour that raise an alarm.
   * @default 500
   */
  readonly metaTemplateMessageFeesPerHour: number;
}

/** The thresholds applied when none are given. */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  failedMessagesPer5Minutes: 10,
  deadLetterMaxAgeHours: 24,
  whatsAppMessageFeesPerHour: 1000,
  metaTemplateMessageFeesPerHour: 500,
};

/** Properties of {@link PipelineMonitoring}. */
export interface PipelineMonitoringProps {
  /** Every alarm notifies this topic, on alarm and on recovery. */
  readonly alertsTopic: sns.ITopic;
  readonly inboundTopic: sns.ITopic;
  /** The pipeline's functions, by a short name used in alarm names. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Functions on a stream, by a short name used in alarm names: their iterator age is alarmed.
   * @default {}
   */
  readonly streamConsumers?: Readonly<Record<string, lambda.IFunction>>;
  /** The failure queues, by a short name used in alarm names. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly table: dynamodb.ITable;
  /**
   * EventBridge rules, by a short name used in alarm names: their failed deliveries and their
   * dead letters that could not be written are alarmed.
   * @default {}
   */
  readonly rules?: Readonly<Record<string, events.IRule>>;
  /** @default DEFAULT_ALARM_THRESHOLDS */
  readonly thresholds?: AlarmThresholds;
  /** Prefix of the alarm and dashboard names: unique per pipeline instance. */
  readonly namePrefix: string;
  /** The `service` dimension of the pipeline's own metrics (the functions' service name). */
  readonly serviceName: string;
  /**
   * What the marketing spend alarm compares: `money` when the digest has rate cards to price with,
   * else `messages` (billable marketing messages).
   * @default 'messages'
   */
  readonly spendWatch?: 'money' | 'messages';
}

/** The dashboard's name for a pipeline's name prefix. */
export function dashboardNameOf(namePrefix: string): string {
  return `${namePrefix}-whatsapp`;
}

/** One alarm, as data: the monitoring construct turns each into a CloudWatch alarm. */
export interface AlarmDefinition {
  /** Stable id; the alarm name is `<name prefix>-<id>` and the runbook has a section of that name. */
  readonly id: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires when the metric is greater than this. */
  readonly threshold: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Stream lag (iterator age) that raises an alarm: far below the stream's 24-hour retention. */
const STREAM_LAG_MINUTES = 5;

/** The table operations the pipeline's functions use. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
  dynamodb.Operation.QUERY,
];

/** Sums a metric of `AWS/SocialMessaging` over all its dimensions (fee type, country, number). */
function socialMessagingTotal(metricName: string, label: string): cloudwatch.IMetric {
  return new cloudwatch.MathExpression({
    expression: `SELECT SUM(${metricName}) FROM "AWS/SocialMessaging"`,
    label,
    period: Duration.hours(1),
  });
}

/**
 * The pipeline's alarms and dashboard. Thresholds are data (see `AlarmThresholds`), names are
 * derived, and every alarm notifies the alerts topic when it fires and when it recovers. Each alarm
 * has a section in docs/runbook.md.
 */
export class PipelineMonitoring extends Construct {
  /** The alarm definitions, in order. */
  public readonly definitions: readonly AlarmDefinition[];
  public readonly alarms: readonly cloudwatch.Alarm[];
  public readonly dashboard: cloudwatch.Dashboard;
  /** The pipeline's metrics, as the alarms and the dashboard use them. */
  public readonly metrics: PipelineMetrics;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.metrics = new PipelineMetrics(props.serviceName);
    this.definitions = alarmDefinitions(props);
    const action = new actions.SnsAction(props.alertsTopic);
    this.alarms = this.definitions.map((definition) => {
      const alarm = new cloudwatch.Alarm(this, definition.id, {
        alarmName: `${props.namePrefix}-${definition.id}`,
        alarmDescription: `${definition.description} Runbook: docs/runbook.md#${definition.id.toLowerCase()}`,
        metric: definition.metric,
        threshold: definition.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
    this.dashboard = buildDashboard(this, props, this.alarms);
  }
}

/** Every alarm of the pipeline. */
export function alarmDefinitions(props: PipelineMonitoringProps): AlarmDefinition[] {
  const thresholds = props.thresholds ?? DEFAULT_ALARM_THRESHOLDS;
  const metrics = new PipelineMetrics(props.serviceName);
  const metric = (name: MetricName, dimensions?: Record<string, string>) => metrics.metric(name, dimensions);
  const definitions: AlarmDefinition[] = [];
  for (const [name, fn] of Object.entries(props.functions)) {
    definitions.push(
      {
        id: `${name}Errors`,
        description: `The ${name} function failed invocations (they are retried, then dead-lettered).`,
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
      },
      {
        id: `${name}Throttles`,
        description: `The ${name} function was throttled: events are delayed.`,
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
      },
    );
  }
  for (const [name, fn] of Object.entries(props.streamConsumers ?? {})) {
    definitions.push({
      id: `${name}IteratorAge`,
      description: `The ${name} function is more than ${STREAM_LAG_MINUTES} minutes behind its stream: events are late, and records older than 24 hours leave the stream.`,
      metric: iteratorAge(fn),
      threshold: STREAM_LAG_MINUTES * 60_000,
    });
  }
  for (const [name, rule] of Object.entries(props.rules ?? {})) {
    const ruleMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName,
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });
    definitions.push(
      {
        id: `${name}FailedInvocations`,
        description: `The ${name} rule could not deliver events to a target after its retries (they went to the dead-letter queue).`,
        metric: ruleMetric('FailedInvocations'),
        threshold: 0,
      },
      {
        id: `${name}DeadLettersLost`,
        description: `The ${name} rule could not write undeliverable events to its dead-letter queue: those events are lost.`,
        metric: ruleMetric('InvocationsFailedToBeSentToDLQ'),
        threshold: 0,
      },
    );
  }
  for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
    definitions.push(
      {
        id: `${name}NotEmpty`,
        description: `The ${name} queue holds events that were not processed.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
      },
      {
        id: `${name}OldestMessageAge`,
        description: `The oldest event in the ${name} queue is older than ${thresholds.deadLetterMaxAgeHours} hours; the queue keeps 14 days.`,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: thresholds.deadLetterMaxAgeHours * 3600,
      },
    );
  }
  definitions.push(
    {
      id: 'FailedWhatsAppMessages',
      description: `More than ${thresholds.failedMessagesPer5Minutes} WhatsApp messages failed in 5 minutes.`,
      // Failed statuses and EventBridge failure events report the same failures; take the larger count.
      metric: new cloudwatch.MathExpression({
        expression: 'MAX([FILL(statuses, 0), FILL(events, 0)])',
        usingMetrics: {
          statuses: metric(METRIC.statusUpdates, { [DIMENSION.status]: 'failed' }),
          events: metric(METRIC.messageFailures),
        },
        label: 'Failed WhatsApp messages',
        period: FIVE_MINUTES,
      }),
      threshold: thresholds.failedMessagesPer5Minutes,
    },
    {
      id: 'AutoResponsesRejected',
      description:
        'SendWhatsAppMessage rejected read receipts or reactions permanently (permissions, parameters, numbers).',
      metric: metrics.autoResponsesFailed(),
      threshold: 0,
    },
    {
      id: 'InboundTopicDeliveryFailures',
      description: 'SNS could not deliver events from the inbound topic to the processor.',
      metric: props.inboundTopic.metricNumberOfNotificationsFailed({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 0,
    },
    {
      id: 'TableThrottles',
      description: 'DynamoDB throttled requests to the conversation table.',
      metric: props.table.metricThrottledRequestsForOperations({
        operations: TABLE_OPERATIONS,
        period: FIVE_MINUTES,
      }),
      threshold: 0,
    },
    {
      id: 'TableSystemErrors',
      description: 'DynamoDB answered requests to the conversation table with system errors.',
      metric: props.table.metricSystemErrorsForOperations({
        operations: TABLE_OPERATIONS,
        period: FIVE_MINUTES,
      }),
      threshold: 0,
    },
    marketingSpendSpike(metrics, props.spendWatch ?? 'messages'),
    {
      id: 'WhatsAppMessageFees',
      description: `More than ${thresholds.whatsAppMessageFeesPerHour} WhatsApp message fees in one hour.`,
      metric: socialMessagingTotal('WhatsAppMessageFeeCount', 'WhatsApp message fees per hour'),
      threshold: thresholds.whatsAppMessageFeesPerHour,
    },
    {
      id: 'MetaTemplateMessageFees',
      description: `More than ${thresholds.metaTemplateMessageFeesPerHour} Meta template message fees in one hour.`,
      metric: socialMessagingTotal('MetaTemplateMessageFeeCount', 'Meta template message fees per hour'),
      threshold: thresholds.metaTemplateMessageFeesPerHour,
    },
  );
  return definitions;
}

/**
 * The day's marketing spend so far against the median of the days before it (both published by
 * the digest as levels): a spike above SPEND_WATCH.spikeFactor times that median. A baseline of 0
 * (no marketing before) never fires: from nothing, any spend is a spike and none is news.
 */
function marketingSpendSpike(metrics: PipelineMetrics, watch: 'money' | 'messages'): AlarmDefinition {
  const level = (name: MetricName, dimensions?: Record<string, string>) =>
    metrics.metric(name, dimensions).with({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) });
  const what = watch === 'money' ? 'spend' : 'billable messages';
  return {
    id: 'MarketingSpendSpike',
    description: `Today's marketing ${what} (UTC) is more than ${SPEND_WATCH.spikeFactor} times the median of the ${SPEND_WATCH.baselineDays} days before.`,
    metric: new cloudwatch.MathExpression({
      expression: `IF(baseline > 0 AND today > ${SPEND_WATCH.spikeFactor} * baseline, 1, 0)`,
      usingMetrics: {
        today: level(watch === 'money' ? METRIC.spendToday : METRIC.billableMessagesToday, {
          [DIMENSION.category]: 'marketing',
        }),
        baseline: level(METRIC.marketingSpendBaseline),
      },
      label: `Marketing ${what} above ${SPEND_WATCH.spikeFactor}x the ${SPEND_WATCH.baselineDays}-day median`,
      period: Duration.hours(1),
    }),
    threshold: 0,
  };
}

function buildDashboard(
  scope: Construct,
  props: PipelineMonitoringProps,
  alarms: readonly cloudwatch.Alarm[],
): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: dashboardNameOf(props.namePrefix),
    defaultInterval: Duration.hours(6),
  });
  const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
    new cloudwatch.GraphWidget({ title, left, width, height: 6 });
  const functions = Object.entries(props.functions);
  const metrics = new PipelineMetrics(props.serviceName);
  const find = (name: MetricName, dimension: string, label: string) =>
    metrics.byDimension(name, dimension, label);
  const metric = (name: MetricName) => metrics.metric(name);
  dashboard.addWidgets(
    graph('Inbound messages by type', [metrics.messagesRecorded()]),
    graph('Statuses by kind', [find(METRIC.statusUpdates, DIMENSION.status, 'statuses')]),
    graph('Auto-responses sent (by message type) and rejected (by action)', [
      metrics.autoResponsesSent(),
      find(METRIC.autoResponsesFailed, DIMENSION.action, 'rejected'),
      find(METRIC.autoResponsesRetried, DIMENSION.action, 'left for retry'),
    ]),
  );
  dashboard.addWidgets(
    graph('Failed messages by error code', [
      find(METRIC.messageFailuresByErrorCode, DIMENSION.errorCode, 'failures'),
    ]),
    graph(
      'Failure queue depth',
      Object.entries(props.deadLetterQueues).map(([name, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({ label: name, statistic: cloudwatch.Stats.MAXIMUM }),
      ),
    ),
    graph('Duplicates, unrouted and rejected events', [
      metric(METRIC.duplicateMessages),
      metric(METRIC.unroutedMessages),
      metrics.undecodableEvents(),
    ]),
  );
  dashboard.addWidgets(
    graph(
      'Lambda duration p50 / p99 (ms)',
      functions.flatMap(([name, fn]) => [
        fn.metricDuration({ statistic: cloudwatch.Stats.percentile(50), label: `${name} p50` }),
        fn.metricDuration({ statistic: cloudwatch.Stats.percentile(99), label: `${name} p99` }),
      ]),
      12,
    ),
    graph(
      'Lambda errors and throttles',
      functions.flatMap(([name, fn]) => [
        fn.metricErrors({ label: `${name} errors` }),
        fn.metricThrottles({ label: `${name} throttles` }),
      ]),
      12,
    ),
  );
  dashboard.addWidgets(
    graph('Account health changes by field', [find(METRIC.healthChanges, DIMENSION.field, 'changes')], 8),
    graph(
      'Account health alerts (sent in the digest)',
      [find(METRIC.healthAlerts, DIMENSION.field, 'alerts')],
      8,
    ),
    graph(
      'Health changes out of order, unknown, skipped fields',
      [
        find(METRIC.staleHealthChanges, DIMENSION.field, 'stale'),
        find(METRIC.unknownHealthEvents, DIMENSION.field, 'unknown event'),
        find(METRIC.skippedChanges, DIMENSION.field, 'skipped field'),
      ],
      8,
    ),
  );
  dashboard.addWidgets(
    graph(
      'Templates by new status, quality and category',
      [find(METRIC.templateHealthChanges, DIMENSION.healthState, 'templates')],
      12,
    ),
    graph(
      'Phone numbers by new quality and name',
      [find(METRIC.phoneNumberHealthChanges, DIMENSION.healthState, 'numbers')],
      12,
    ),
  );
  dashboard.addWidgets(
    graph(
      'Billable messages today (UTC), by price category',
      [metrics.byDimension(METRIC.billableMessagesToday, DIMENSION.category, 'billable', 'Maximum')],
      12,
    ),
    graph(
      'Spend today (UTC, rate-card currency), by category, and the marketing baseline',
      [
        metrics.byDimension(METRIC.spendToday, DIMENSION.category, 'spend', 'Maximum'),
        metrics
          .metric(METRIC.marketingSpendBaseline)
          .with({ statistic: cloudwatch.Stats.MAXIMUM, label: 'marketing baseline' }),
      ],
      12,
    ),
  );
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24 }));
  return dashboard;
}
