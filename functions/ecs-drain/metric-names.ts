import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the drain function (namespace METRICS_NAMESPACE, `service` = ecs-drain, the stack's
 * POWERTOOLS_SERVICE_NAME), imported by the function and by the stack's alarm and dashboard.
 */

/** How a drain ended. */
export const DRAIN_OUTCOMES = [
  'Completed',
  'NotInCluster',
  'TimedOut',
  'AgentDisconnected',
] as const;
export type DrainOutcome = (typeof DRAIN_OUTCOMES)[number];

/** Dimension of the per-drain metrics: one of DRAIN_OUTCOMES. */
export const OUTCOME_DIMENSION = 'Outcome';

export const DRAIN_METRICS = {
  /** 1 per finished drain, dimensions service + Outcome. */
  outcome: 'DrainOutcome',
  /** Seconds from Terminating:Wait to the completed lifecycle action, dimensions service + Outcome. */
  duration: 'DrainDurationSeconds',
  /** Standalone tasks the function stopped, dimension service only. */
  standaloneTasksStopped: 'StandaloneTasksStopped',
} as const;

export const DRAIN_METRIC_SPECS: readonly MetricSpec[] = [
  { name: DRAIN_METRICS.outcome, dimensions: [OUTCOME_DIMENSION] },
  { name: DRAIN_METRICS.duration, dimensions: [OUTCOME_DIMENSION] },
  { name: DRAIN_METRICS.standaloneTasksStopped, dimensions: [] },
];
