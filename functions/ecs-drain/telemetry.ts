import { metrics, MetricUnit } from '../shared/metrics';

export type DrainOutcome = 'Completed' | 'NotInCluster' | 'TimedOut';

/**
 * One EMF blob per finished drain, dimension Outcome: DrainOutcome (count 1) and DrainDurationSeconds.
 * Emitted only by the check whose CompleteLifecycleAction succeeded, so duplicates do not double count.
 */
export function recordOutcome(outcome: DrainOutcome, durationSeconds: number): void {
  const single = metrics.singleMetric();
  single.addDimension('Outcome', outcome);
  single.addMetric('DrainOutcome', MetricUnit.Count, 1);
  const duration = metrics.singleMetric();
  duration.addDimension('Outcome', outcome);
  duration.addMetric('DrainDurationSeconds', MetricUnit.Seconds, durationSeconds);
}

/** Standalone tasks this function stopped (StopTask accepted). */
export function recordStandaloneStopped(count: number): void {
  if (count === 0) return;
  metrics.singleMetric().addMetric('StandaloneTasksStopped', MetricUnit.Count, count);
}
