import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { DIMENSION, METRIC, METRICS_NAMESPACE, type MetricName, SERVICE_DIMENSION } from '../../contracts';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The pipeline's own metrics (namespace `WhatsAppPipeline`, dimension `service`), built one way
 * for the alarms, the dashboard and a team's own widgets and alarms.
 */
export class PipelineMetrics {
  constructor(
    /** The `service` dimension of the pipeline's metrics: the functions' service name. */
    public readonly serviceName: string,
  ) {}

  /** One metric with exactly these dimensions, summed over 5 minutes. */
  metric(metricName: MetricName, dimensions: Readonly<Record<string, string>> = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [SERVICE_DIMENSION]: this.serviceName, ...dimensions },
      statistic: cloudwatch.Stats.SUM,
      period: FIVE_MINUTES,
    });
  }

  /**
   * Every series of a metric by one dimension, for graphs. CloudWatch alarms cannot use a search:
   * alarm on {@link metric} with the dimension's value.
   */
  byDimension(
    metricName: MetricName,
    dimension: string,
    label: string,
    /** `Maximum` for a level (a day's spend so far), which a sum would multiply by the runs. */
    statistic: 'Sum' | 'Maximum' = 'Sum',
  ): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},${SERVICE_DIMENSION}} MetricName="${metricName}" ${SERVICE_DIMENSION}="${this.serviceName}"', '${statistic}', 300)`,
      label,
      period: FIVE_MINUTES,
    });
  }

  /** Inbound messages recorded for the first time, by message type (graphs). */
  messagesRecorded(): cloudwatch.IMetric {
    return this.byDimension(METRIC.inboundMessages, DIMENSION.type, 'messages');
  }

  /** Read receipts and reactions sent, by the answered message's type (graphs). */
  autoResponsesSent(): cloudwatch.IMetric {
    return this.byDimension(METRIC.autoResponsesSent, DIMENSION.type, 'sent');
  }

  /** Read receipts and reactions that SendWhatsAppMessage refused for good, together (alarmable). */
  autoResponsesFailed(): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: 'FILL(receipts, 0) + FILL(reactions, 0)',
      usingMetrics: {
        receipts: this.metric(METRIC.autoResponsesFailed, { [DIMENSION.action]: 'receipt' }),
        reactions: this.metric(METRIC.autoResponsesFailed, { [DIMENSION.action]: 'reaction' }),
      },
      label: 'Auto-responses rejected',
      period: FIVE_MINUTES,
    });
  }

  /** Events rejected as not End User Messaging Social's, by reason (graphs). */
  undecodableEvents(): cloudwatch.IMetric {
    return this.byDimension(METRIC.undecodableEvents, DIMENSION.reason, 'rejected');
  }
}

/** How far a stream consumer is behind its stream: the maximum iterator age over 5 minutes, in ms. */
export function iteratorAge(fn: lambda.IFunction): cloudwatch.Metric {
  return fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM });
}
