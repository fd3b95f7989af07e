import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Service name on every log line and metric. `POWERTOOLS_SERVICE_NAME` overrides it. */
export const SERVICE_NAME = 'whatsapp-pipeline';
/** CloudWatch namespace of the pipeline's custom metrics (a contract with dashboards and alarms). */
export const METRICS_NAMESPACE = 'WhatsAppPipeline';

/** Structured logger shared by the functions. Never give it whole events, phone numbers or texts. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** EMF metrics: written to the log, so no PutMetricData call sits in the hot path. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * A stable pseudonym of a customer for logs: lets an operator follow one customer across log lines
 * without the log holding their phone number or user id.
 */
export function pseudonym(customerKey: string): string {
  return createHash('sha256').update(customerKey).digest('hex').slice(0, 12);
}

/** The subset of the Powertools logger the processing code uses, so tests can pass their own. */
export type LoggerPort = Pick<Logger, 'info' | 'warn' | 'error' | 'debug' | 'appendKeys' | 'removeKeys'>;

/** Counts by dimension value, emitted as one EMF metric per value. */
export interface MetricsPort {
  count(name: string, value: number, dimension?: { readonly name: string; readonly value: string }): void;
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
