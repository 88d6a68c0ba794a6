import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the resize functions (namespace METRICS_NAMESPACE, `service` = the function's asset name),
 * imported by the handlers and by the stack's dashboard. Whole executions are counted by Step Functions
 * itself (AWS/States ExecutionsStarted / Succeeded / Failed / TimedOut / Aborted).
 */

/** redshift-resize-trigger: per invocation, dimension service only. */
export const TRIGGER_METRICS = {
  /** Executions started (one per ALARM transition). */
  requested: 'ResizeRequested',
  /** ALARM transitions that found an execution already running, so started none. */
  skippedRunning: 'ResizeSkippedRunning',
} as const;

/** Dimension of ResizeSkipped: the guard's reason (a GuardReason other than RESIZE, e.g. COOLDOWN). */
export const REASON_DIMENSION = 'Reason';

/**
 * Skip reasons that mean growth is blocked until a person acts or a day passes (as opposed to a temporary
 * skip: cooldown, busy cluster, run in progress). Each has an alarm on ResizeSkipped with that Reason, which
 * notifies the alerts topic once when growth becomes blocked (alarm actions run on state transitions).
 */
export const GROWTH_BLOCKED_REASONS = {
  AT_MAXIMUM: 'the node limit is reached (redshift_max_node_count or the node type)',
  DAILY_LIMIT: 'redshift_max_resizes_per_day is reached',
  CONCURRENCY_SCALING_CAP:
    'redshift_concurrency_scaling_max_nodes is reached (more RA3 nodes lose concurrency scaling)',
  NODE_TYPE_CHANGE_REFUSED:
    'the DC2 to RA3 change of redshift_ra3_node_type is not possible by elastic resize (the skip message says why)',
} as const;

/** redshift-resize-guard: one per execution. */
export const GUARD_METRICS = {
  /** The guard let the execution resize; dimension service only. */
  approved: 'ResizeApproved',
  /** The guard skipped the resize; dimensions service + Reason. */
  skipped: 'ResizeSkipped',
} as const;

/** redshift-resize-resize, `status` action: once per execution that got as far as the resize. */
export const RESIZE_METRICS = {
  /** Redshift reports the resize to the target SUCCEEDED and the cluster available at the target size. */
  succeeded: 'ResizeSucceeded',
  /** Redshift reports the resize to the target FAILED or ABORTED (the workflow then resumes DMS). */
  failed: 'ResizeFailed',
} as const;

export const TRIGGER_METRIC_SPECS: readonly MetricSpec[] = Object.values(TRIGGER_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const GUARD_METRIC_SPECS: readonly MetricSpec[] = [
  { name: GUARD_METRICS.approved, dimensions: [] },
  { name: GUARD_METRICS.skipped, dimensions: [REASON_DIMENSION] },
];
export const RESIZE_METRIC_SPECS: readonly MetricSpec[] = Object.values(RESIZE_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
