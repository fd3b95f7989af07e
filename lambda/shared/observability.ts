import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ENV, METRICS_NAMESPACE, type MetricName } from '../../contracts';

/** Service name when `POWERTOOLS_SERVICE_NAME` is not set (the construct always sets it). */
export const DEFAULT_SERVICE_NAME = 'whatsapp-pipeline';

// Each pipeline instance names its own service, so two pipelines in one account never share logs
// keys or metrics; Powertools lets a constructor option win over the variable, hence reading it here.
const serviceName = process.env[ENV.serviceName] || DEFAULT_SERVICE_NAME;

/**
 * Powertools' log record without the keys that repeat what the log group already says, so a line
 * costs what it tells. CloudWatch Logs bills every byte, and with a line per event the function's
 * name, ARN, memory size, service and sampling rate would be a third of the bill. Kept: level,
 * message, timestamp, the request id (to join a line with Lambda's REPORT line and with retries),
 * `cold_start` on a cold start only, and the X-Ray trace id and tenant id where Lambda sets them.
 */
export class CompactLogFormatter extends LogFormatter {
  public formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        function_request_id: context?.awsRequestId,
        cold_start: context?.coldStart === true ? true : undefined,
        xray_trace_id: attributes.xRayTraceId,
        tenant_id: context?.tenantId,
      },
    }).addAttributes(additional);
  }
}

/** Structured logger shared by the functions. Never give it whole events, phone numbers or texts. */
export const logger = new Logger({ serviceName, logFormatter: new CompactLogFormatter() });

/** EMF metrics: written to the log, so no PutMetricData call sits in the hot path. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });

/**
 * Wraps a handler with Powertools' own Lambda conventions: the logger gets the invocation's context
 * (request id, function name, cold start) on every line, and the first invocation of an execution
 * environment emits the `ColdStart` metric.
 */
export function withPowertools<E, R>(
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    metrics.captureColdStartMetric(context?.functionName);
    return handler(event, context);
  };
}

/** The subset of the Powertools logger the processing code uses, so tests can pass their own. */
export type LoggerPort = Pick<Logger, 'info' | 'warn' | 'error' | 'debug' | 'appendKeys' | 'removeKeys'>;

/** Counts by dimension value, published when the invocation ends. */
export interface MetricsPort {
  count(name: MetricName, value: number, dimension?: { readonly name: string; readonly value: string }): void;
  /**
   * A level rather than a count (a day's spend so far): the last value given wins, zero included,
   * published without a unit.
   */
  gauge(name: MetricName, value: number, dimension?: { readonly name: string; readonly value: string }): void;
  flush(): void;
}

/**
 * The {@link MetricsPort} over Powertools Metrics. Counts are added up during the invocation and
 * published by {@link MetricsPort.flush}, one EMF document for each dimension value that was
 * counted (and one for the counts without a dimension): EMF gives a document one value per
 * dimension, so that is the fewest documents that say it all. An answered message, counted by its
 * type, is one document; Powertools would write one per dimensioned metric.
 */
export function powertoolsMetrics(target: Metrics = metrics): MetricsPort {
  // Keyed by dimension name and value ('' for none), then by metric name.
  const pending = new Map<
    string,
    {
      dimension?: { name: string; value: string };
      counts: Map<string, number>;
      gauges: Map<string, number>;
    }
  >();
  const groupOf = (dimension: { readonly name: string; readonly value: string } | undefined) => {
    const key = dimension === undefined ? '' : `${dimension.name}\u0000${dimension.value}`;
    let group = pending.get(key);
    if (group === undefined) {
      group = {
        dimension: dimension === undefined ? undefined : { ...dimension },
        counts: new Map(),
        gauges: new Map(),
      };
      pending.set(key, group);
    }
    return group;
  };
  return {
    count(name, value, dimension) {
      if (value === 0) return;
      const group = groupOf(dimension);
      group.counts.set(name, (group.counts.get(name) ?? 0) + value);
    },
    gauge(name, value, dimension) {
      groupOf(dimension).gauges.set(name, value);
    },
    flush() {
      for (const { dimension, counts, gauges } of pending.values()) {
        if (dimension !== undefined) target.addDimension(dimension.name, dimension.value);
        for (const [name, value] of counts) target.addMetric(name, 'Count', value);
        for (const [name, value] of gauges) target.addMetric(name, 'None', value);
        target.publishStoredMetrics();
      }
      pending.clear();
    },
  };
}
