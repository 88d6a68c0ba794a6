import { metrics, MetricUnit } from '../shared/metrics';
import type { GuardResult } from './guard';
import { GUARD_METRICS, REASON_DIMENSION, RESIZE_METRICS, TRIGGER_METRICS } from './metric-names';
import type { TriggerOutcome } from './start-run';

/**
 * EMF metrics of the resize functions (names in metric-names.ts). Each is a single metric, written at once,
 * so a later failure of the invocation cannot lose it, and dimensions never leak from one to another.
 */

/** Per trigger invocation: executions started, and ALARM transitions that found one already running. */
export function recordTriggerOutcomes(outcomes: readonly TriggerOutcome[]): void {
  const count = (kind: TriggerOutcome['outcome']) =>
    outcomes.filter((o) => o.outcome === kind).length;
  metrics.singleMetric().addMetric(TRIGGER_METRICS.requested, MetricUnit.Count, count('STARTED'));
  metrics
    .singleMetric()
    .addMetric(TRIGGER_METRICS.skippedRunning, MetricUnit.Count, count('ALREADY_RUNNING'));
}

/** Per guard decision: ResizeApproved, or ResizeSkipped with the reason as dimension. */
export function recordGuardDecision(result: Pick<GuardResult, 'decision' | 'reason'>): void {
  const single = metrics.singleMetric();
  if (result.decision === 'SKIP') {
    single.addDimension(REASON_DIMENSION, result.reason);
    single.addMetric(GUARD_METRICS.skipped, MetricUnit.Count, 1);
  } else {
    single.addMetric(GUARD_METRICS.approved, MetricUnit.Count, 1);
  }
}

/** The resize reached its end as Redshift reports it: SUCCEEDED (and the cluster at the target), or failed. */
export function recordResizeEnded(outcome: 'succeeded' | 'failed'): void {
  metrics.singleMetric().addMetric(RESIZE_METRICS[outcome], MetricUnit.Count, 1);
}
