import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-spec';

export { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Embedded-metric-format metrics; namespace and service come from POWERTOOLS_* variables set by the stack. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
});
