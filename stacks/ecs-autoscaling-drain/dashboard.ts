import {
  DRAIN_METRICS,
  DRAIN_OUTCOMES,
  OUTCOME_DIMENSION,
} from '../../functions/ecs-drain/metric-names';
import { type EcsDashboardRefs, ecsWidgets } from '../ecs/dashboard';
import * as dash from '../platform/dashboard';
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
export function ecsDrainDashboard(stack: OpsStack, r: EcsDrainDashboardRefs): dash.OpsDashboard {
  const { drain } = r;
  const color = {
    Completed: dash.GREEN,
    NotInCluster: dash.GREY,
    TimedOut: dash.RED,
    AgentDisconnected: dash.ORANGE,
  } as const;
  return new dash.OpsDashboard(stack, 'dashboard', {
    widgets: [
      dash.heading('ECS service with drain on scale-in', [
        'Tasks scale on the service CPU, instances on the cluster CPU and memory reservation (lines: the CPU thresholds; memory has its own, ecs_drain_cluster_scale_*_memory_reservation_percent). Before an instance terminates, the drain function empties it; a drain that reaches ecs_drain_max_seconds ends TimedOut, one whose container agent stays disconnected for ecs_drain_agent_disconnected_grace_seconds ends AgentDisconnected.',
        dash.emfNote([drain]),
      ]),
      ...ecsWidgets(r),
      dash.graph({
        title: 'Drains per hour, by outcome',
        stat: 'Sum',
        period: 3600,
        series: DRAIN_OUTCOMES.map((outcome) =>
          dash.emfMetric(
            drain,
            DRAIN_METRICS.outcome,
            { [OUTCOME_DIMENSION]: outcome },
            { label: outcome, color: color[outcome] },
          ),
        ),
      }),
      dash.graph({
        title: 'Drain duration (seconds)',
        period: 3600,
        series: [
          dash.emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'Completed' },
            { stat: 'Average', label: 'completed, average', color: dash.GREEN },
          ),
          dash.emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'Completed' },
            { stat: 'Maximum', label: 'completed, longest', color: dash.ORANGE },
          ),
          dash.emfMetric(
            drain,
            DRAIN_METRICS.duration,
            { [OUTCOME_DIMENSION]: 'TimedOut' },
            { stat: 'Maximum', label: 'timed out', color: dash.RED },
          ),
        ],
        horizontalAnnotations: [{ label: 'ecs_drain_max_seconds', value: r.maxDrainSeconds }],
      }),
      dash.graph({
        title: 'Container instances in service',
        period: 60,
        series: [
          dash.metric(
            'AWS/AutoScaling',
            'GroupInServiceInstances',
            { AutoScalingGroupName: r.groupName },
            { label: 'in service' },
          ),
        ],
        width: 8,
      }),
      dash.graph({
        title: 'Drains in progress (queued re-checks) and failures',
        period: 300,
        series: [
          dash.metric(
            'AWS/SQS',
            'ApproximateNumberOfMessagesDelayed',
            { QueueName: r.checkQueueName },
            { stat: 'Maximum', label: 're-checks waiting' },
          ),
          dash.queueDepth(r.failureQueueName, 'failure queue'),
          ...dash.lambdaErrors([drain]),
        ],
        width: 8,
      }),
      dash.graph({
        title: 'Standalone tasks stopped by the drain',
        stat: 'Sum',
        period: 3600,
        series: [
          dash.emfMetric(drain, DRAIN_METRICS.standaloneTasksStopped, {}, { label: 'stopped' }),
        ],
        width: 8,
      }),
    ],
  });
}
