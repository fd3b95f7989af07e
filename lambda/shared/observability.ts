import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ENV, METRICS_NAMESPACE, type MetricName } from '../../contracts';

/** Service name when `POWERTOOLS_SERVICE_NAME` is not set (the construct always sets it). */
export const DEFAULT_SERVICE_NAME = 'whatsapp-pipeline';

// Each pipeline instance names its own service, so two pipelines in one account never share logs
// keys or metrics; Powertools lets a constructor option win over the variable, hence reading it here.
const serviceName = process.env[ENV.serviceName] || DEFAULT_SERVICE_NAME;

/** Structured logger shared by the functions. Never give it whole events, phone numbers or texts. */
export const logger = new Logger({ serviceName });

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

/** Counts by dimension value, emitted as one EMF metric per value. */
export interface MetricsPort {
  count(name: MetricName, value: number, dimension?: { readonly name: string; readonly value: string }): void;
  flush(): void;
}

/** The {@link MetricsPort} over Powertools Metrics. */
export function powertoolsMetrics(target: Metrics = metrics): MetricsPort {
  return {
    count(name, value, dimension) {
      if (value === 0) return;
      if (dimension === undefined) {
        target.addMetric(name, 'Count', value);
        return;
      }
      const single = target.singleMetric();
      single.addDimension(dimension.name, dimension.value);
      single.addMetric(name, 'Count', value);
    },
    flush() {
      // Dimensioned counts are published as they are made; an empty flush would only log a warning.
      if (target.hasStoredMetrics()) target.publishStoredMetrics();
    },
  };
}
