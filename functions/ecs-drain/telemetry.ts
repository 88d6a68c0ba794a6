import { metrics, MetricUnit } from '../shared/metrics';
import { DRAIN_METRICS, type DrainOutcome, OUTCOME_DIMENSION } from './metric-names';

export type { DrainOutcome } from './metric-names';

/**
 * One EMF blob per finished drain, dimension Outcome: DrainOutcome (count 1) and DrainDurationSeconds.
 * Emitted only by the check whose CompleteLifecycleAction succeeded, so duplicates do not double count.
 */
export function recordOutcome(outcome: DrainOutcome, durationSeconds: number): void {
  const single = metrics.singleMetric();
  single.addDimension(OUTCOME_DIMENSION, outcome);
  single.addMetric(DRAIN_METRICS.outcome, MetricUnit.Count, 1);
  const duration = metrics.singleMetric();
  duration.addDimension(OUTCOME_DIMENSION, outcome);
  duration.addMetric(DRAIN_METRICS.duration, MetricUnit.Seconds, durationSeconds);
}

/** Standalone tasks this function stopped (StopTask accepted). */
export function recordStandaloneStopped(count: number): void {
  if (count === 0) return;
  metrics.singleMetric().addMetric(DRAIN_METRICS.standaloneTasksStopped, MetricUnit.Count, count);
}
