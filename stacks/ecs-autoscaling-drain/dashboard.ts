import {
  DRAIN_METRICS,
  DRAIN_OUTCOMES,
  OUTCOME_DIMENSION,
} from '../../functions/ecs-drain/metric-names';
import { type EcsDashboardRefs, ecsWidgets } from '../ecs/dashboard';
import {
  emfMetric,
  emfNote,
  graph,
  GREEN,
  GREY,
  heading,
  lambdaErrors,
  metric,
  OpsDashboard,
  ORANGE,
  queueDepth,
  RED,
} from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

export interface EcsDrainDashboardRefs extends EcsDashboardRefs {
  readonly drain: NodeFunction;
  readonly groupName: string;
  readonly checkQueueName: string;
  readonly failureQueueName: string;
  /** ecs_drain_max_seconds: the longest a drain may take. */
  readonly maxDrainSeconds: number;
}

/** The ECS widgets, then drains: outcomes, durations, standalone tasks stopped, queues, instances. */
export function ecsDrainDashboard(stack: OpsStack, r: EcsDrainDashboardRefs): OpsDashboard {
  const { drain } = r;
  const color = { Completed: GREEN, NotInCluster: GREY, TimedOut: RED } as const;
  return new OpsDashboard(stack, 'dashboard', {
    widgets: [
      heading('ECS service with drain on scale-in', [
        'Tasks scale on the service CPU, instances on the cluster CPU reservation (lines: the thresholds). Before an instance terminates, the drain function empties it; a drain that reaches ecs_drain_max_seconds ends TimedOut.',
        emfNote([drain]),
      ]),
      ...ecsWidgets(r),
      graph({
        title: 'Drains per hour, by outcome',
        stat: 'Sum',
        period: 3600,
        series: DRAIN_OUTCOMES.map((outcome) =>
          emfMetric(
            drain,
            DRAIN_METRICS.outcome,
            { [OUTCOME_DIMENSION]: outcome },
            { label: outcome, color: color[outcome] },
          ),
        ),
      }),
      graph({
        title: 'Drain duration (seconds)',
        period: 3600,
        series: [
          emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'Completed' },
            { stat: 'Average', label: 'completed, average', color: GREEN },
          ),
          emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'Completed' },
            { stat: 'Maximum', label: 'completed, longest', color: ORANGE },
          ),
          emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'TimedOut' },
            { stat: 'Maximum', label: 'timed out', color: RED },
          ),
        ],
        horizontalAnnotations: [{ label: 'ecs_drain_max_seconds', value: r.maxDrainSeconds }],
      }),
      graph({
        title: 'Container instances in service',
        period: 60,
        series: [
          metric(
            'AWS/AutoScaling',
            'GroupInServiceInstances',
            { AutoScalingGroupName: r.groupName },
            { label: 'in service' },
          ),
        ],
        width: 8,
      }),
      graph({
        title: 'Drains in progress (queued re-checks) and failures',
        period: 300,
        series: [
          metric(
            'AWS/SQS',
            'ApproximateNumberOfMessagesDelayed',
            { QueueName: r.checkQueueName },
            { stat: 'Maximum', label: 're-checks waiting' },
          ),
          queueDepth(r.failureQueueName, 'failure queue'),
          ...lambdaErrors([drain]),
        ],
        width: 8,
      }),
      graph({
        title: 'Standalone tasks stopped by the drain',
        stat: 'Sum',
        period: 3600,
        series: [emfMetric(drain, DRAIN_METRICS.standaloneTasksStopped, {}, { label: 'stopped' })],
        width: 8,
      }),
    ],
  });
}
