/** Namespace of every EMF metric the handlers write; the stacks set POWERTOOLS_METRICS_NAMESPACE to it. */
export const METRICS_NAMESPACE = 'OpsAutopilot';

/**
 * One EMF metric a function emits: its name and the dimensions it adds to Powertools' default `service`
 * dimension (POWERTOOLS_SERVICE_NAME). CloudWatch keys a metric by namespace, name and the whole dimension
 * set, so {service, Pool} and {service} are two different metrics: dashboards and alarms must name the set.
 */
export interface MetricSpec {
  readonly name: string;
  /** Dimension names besides `service`, e.g. ['Pool']; [] for `service` alone. */
  readonly dimensions: readonly string[];
}

/** Powertools Metrics' default dimension: the value of POWERTOOLS_SERVICE_NAME. */
export const SERVICE_DIMENSION = 'service';
