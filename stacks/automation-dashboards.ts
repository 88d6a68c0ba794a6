import {
  POOL_DIMENSION,
  POOL_METRICS,
  RUN_METRICS,
} from '../functions/capacity-reservation/metric-names';
import { CREATE_METRICS, DELETE_METRICS } from '../functions/ebs-snapshot/metric-names';
import {
  DRAIN_METRICS,
  DRAIN_OUTCOMES,
  OUTCOME_DIMENSION,
} from '../functions/ecs-drain/metric-names';
import {
  GUARD_METRICS,
  REASON_DIMENSION,
  RESIZE_METRICS,
  TRIGGER_METRICS,
} from '../functions/redshift-resize/metric-names';
import { SERVICE_DIMENSION } from '../functions/shared/metric-spec';
import {
  emfMetric,
  emfSearch,
  graph,
  type HorizontalAnnotation,
  insightsQuery,
  METRICS_NAMESPACE,
  metric,
  OpsDashboard,
  serviceOf,
  text,
  type Widget,
} from './platform/dashboard';
import type { NodeFunction } from './platform/node-function';
import type { OpsStack } from './platform/ops-stack';

/**
 * The dashboard of each automation: what it did (the handlers' EMF metrics, by the names the handlers import
 * from functions/<group>/metric-names.ts) and the AWS metrics of what it runs on. Every name comes from the
 * stack's own resources. Construct id 'dashboard' in every stack.
 */

const RED = '#d62728';
const GREEN = '#2ca02c';
const ORANGE = '#ff7f0e';
const GREY = '#7f7f7f';

const lambdaErrors = (fns: readonly NodeFunction[]) =>
  fns.map((fn) =>
    metric('AWS/Lambda', 'Errors', { FunctionName: fn.functionName }, { stat: 'Sum' }),
  );

const queueDepth = (queueName: string, label?: string) =>
  metric(
    'AWS/SQS',
    'ApproximateNumberOfMessagesVisible',
    { QueueName: queueName },
    { stat: 'Maximum', ...(label ? { label } : {}) },
  );

const heading = (title: string, lines: readonly string[]) =>
  text([`## ${title}`, ...lines].join('\n\n'), { height: 3 });

const emfNote = (fns: readonly NodeFunction[]) =>
  `EMF metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`${SERVICE_DIMENSION}\` = ${fns
    .map((fn) => `\`${serviceOf(fn)}\``)
    .join(', ')}.`;

// ---- ebs-snapshot-lifecycle ---------------------------------------------------------------------------

export interface EbsSnapshotDashboardRefs {
  readonly create: NodeFunction;
  readonly remove: NodeFunction;
  readonly failureQueueName: string;
}

/** Snapshots created, skipped and failed per run; deleted, failed and in use per day; the failure queue. */
export function ebsSnapshotDashboard(stack: OpsStack, r: EbsSnapshotDashboardRefs): OpsDashboard {
  const { create, remove } = r;
  return new OpsDashboard(stack, 'dashboard', {
    start: '-P14D',
    widgets: [
      heading('EBS snapshot lifecycle', [
        'Scheduled snapshots of tagged volumes, each deleted when its DynamoDB record expires. A failed snapshot or deletion fails its invocation (errors alarm); deletions that keep failing land in the failure queue.',
        emfNote([create, remove]),
      ]),
      graph({
        title: 'Snapshots per day: created, skipped, failed',
        stat: 'Sum',
        period: 86400,
        series: [
          emfMetric(create, CREATE_METRICS.created, {}, { label: 'created', color: GREEN }),
          emfMetric(create, CREATE_METRICS.skipped, {}, { label: 'skipped', color: GREY }),
          emfMetric(create, CREATE_METRICS.failed, {}, { label: 'failed', color: RED }),
        ],
      }),
      graph({
        title: 'Expired snapshots per day: deleted, failed, still in use',
        stat: 'Sum',
        period: 86400,
        series: [
          emfMetric(remove, DELETE_METRICS.deleted, {}, { label: 'deleted', color: GREEN }),
          emfMetric(remove, DELETE_METRICS.deleteFailed, {}, { label: 'failed', color: RED }),
          emfMetric(remove, DELETE_METRICS.inUse, {}, { label: 'in use by an AMI', color: ORANGE }),
        ],
      }),
      graph({
        title: 'Failure queue depth',
        period: 300,
        series: [queueDepth(r.failureQueueName, 'failed records / invocations')],
      }),
      graph({
        title: 'Function errors',
        stat: 'Sum',
        period: 300,
        series: lambdaErrors([create, remove]),
      }),
    ],
  });
}

// ---- capacity-reservations ----------------------------------------------------------------------------

export interface CapacityDashboardRefs {
  readonly reserver: NodeFunction;
  readonly failureQueueName: string;
}

/** Target against actual capacity per pool, the gap, what each run did, bad rows and failures. */
export function capacityDashboard(stack: OpsStack, r: CapacityDashboardRefs): OpsDashboard {
  const { reserver } = r;
  const perPool = (name: string, stat: string, period: number, label: string, color?: string) =>
    emfSearch(reserver, name, [POOL_DIMENSION], stat, period, {
      label,
      ...(color ? { color } : {}),
    });
  return new OpsDashboard(stack, 'dashboard', {
    widgets: [
      heading('Capacity reservations', [
        'Each run brings every pool (`<instance type>/<AZ>`, a row of odcr_capacity) to its Target_Capacity. Pools are found by SEARCH, so new rows appear by themselves.',
        emfNote([reserver]),
      ]),
      graph({
        title: 'Target against actual capacity, per pool (instances)',
        width: 24,
        period: 300,
        series: [
          perPool(POOL_METRICS.target, 'Maximum', 300, 'target'),
          perPool(POOL_METRICS.actual, 'Minimum', 300, 'actual'),
        ],
      }),
      graph({
        title: 'Capacity gap per pool (target - actual)',
        period: 300,
        series: [perPool(POOL_METRICS.gap, 'Maximum', 300, 'gap')],
      }),
      graph({
        title: 'Largest gap of any pool (what the gap alarm watches)',
        period: 300,
        series: [
          insightsQuery(
            {
              namespace: METRICS_NAMESPACE,
              metricName: POOL_METRICS.gap,
              aggregate: 'MAX',
              dimensionKeys: [POOL_DIMENSION, SERVICE_DIMENSION],
              where: { [SERVICE_DIMENSION]: serviceOf(reserver) },
            },
            { label: 'largest gap', color: RED },
          ),
        ],
      }),
      graph({
        title: 'Reservations created and insufficient capacity, per pool and hour',
        stat: 'Sum',
        period: 3600,
        series: [
          perPool(POOL_METRICS.reservationsCreated, 'Sum', 3600, 'reservations created'),
          perPool(POOL_METRICS.insufficientCapacity, 'Sum', 3600, 'InsufficientCapacity', RED),
        ],
      }),
      graph({
        title: 'Invalid rows, reserver errors, failure queue',
        period: 300,
        series: [
          emfMetric(
            reserver,
            RUN_METRICS.rowsInvalid,
            {},
            {
              stat: 'Maximum',
              label: 'invalid rows',
              color: ORANGE,
            },
          ),
          ...lambdaErrors([reserver]),
          queueDepth(r.failureQueueName, 'failure queue'),
        ],
      }),
    ],
  });
}

// ---- ECS (both ECS stacks) ----------------------------------------------------------------------------

export interface EcsDashboardRefs {
  readonly clusterName: string;
  readonly serviceName: string;
  /** Lines on the service CPU graph (scale-out / scale-in thresholds, target). @default [] */
  readonly cpuAnnotations?: readonly HorizontalAnnotation[];
  /** Lines on the cluster CPU reservation graph. @default [] */
  readonly reservationAnnotations?: readonly HorizontalAnnotation[];
}

/** Service CPU, cluster CPU reservation, and tasks running against desired (Container Insights). */
export function ecsWidgets(r: EcsDashboardRefs): Widget[] {
  const service = { ClusterName: r.clusterName, ServiceName: r.serviceName };
  return [
    graph({
      title: 'Service CPU utilization (%)',
      period: 60,
      series: [metric('AWS/ECS', 'CPUUtilization', service, { label: 'average' })],
      horizontalAnnotations: r.cpuAnnotations ?? [],
      yAxis: { left: { min: 0, max: 100 } },
      width: 8,
    }),
    graph({
      title: 'Cluster CPU reservation (%)',
      period: 60,
      series: [
        metric('AWS/ECS', 'CPUReservation', { ClusterName: r.clusterName }, { label: 'reserved' }),
      ],
      horizontalAnnotations: r.reservationAnnotations ?? [],
      yAxis: { left: { min: 0, max: 100 } },
      width: 8,
    }),
    graph({
      title: 'Tasks: running and desired',
      period: 60,
      series: [
        metric('ECS/ContainerInsights', 'RunningTaskCount', service, { label: 'running' }),
        metric('ECS/ContainerInsights', 'DesiredTaskCount', service, {
          label: 'desired',
          color: GREY,
        }),
      ],
      width: 8,
    }),
  ];
}

export interface EcsSpotDashboardRefs extends EcsDashboardRefs {
  /** Auto Scaling group names and capacity provider names, per purchase option. */
  readonly onDemand: { readonly groupName: string; readonly capacityProviderName: string };
  readonly spot: { readonly groupName: string; readonly capacityProviderName: string };
}

/** The ECS widgets, and Spot against On-Demand: instances in service and capacity provider reservation. */
export function ecsSpotDashboard(stack: OpsStack, r: EcsSpotDashboardRefs): OpsDashboard {
  const inService = (groupName: string, label: string, color: string) =>
    metric(
      'AWS/AutoScaling',
      'GroupInServiceInstances',
      { AutoScalingGroupName: groupName },
      { label, color },
    );
  const reservation = (providerName: string, label: string, color: string) =>
    metric(
      'AWS/ECS/ManagedScaling',
      'CapacityProviderReservation',
      { ClusterName: r.clusterName, CapacityProviderName: providerName },
      { label, color },
    );
  return new OpsDashboard(stack, 'dashboard', {
    widgets: [
      heading('ECS API on Spot and On-Demand', [
        'Service auto scaling keeps the tasks near the CPU target; the capacity provider strategy splits them between the On-Demand and the Spot group, and ECS managed scaling sizes each group.',
      ]),
      ...ecsWidgets(r),
      graph({
        title: 'Instances in service: Spot against On-Demand',
        period: 60,
        stacked: true,
        series: [
          inService(r.onDemand.groupName, 'On-Demand', '#1f77b4'),
          inService(r.spot.groupName, 'Spot', ORANGE),
        ],
      }),
      graph({
        title: 'Capacity provider reservation (%): needed against running instances',
        period: 60,
        series: [
          reservation(r.onDemand.capacityProviderName, 'On-Demand', '#1f77b4'),
          reservation(r.spot.capacityProviderName, 'Spot', ORANGE),
        ],
      }),
    ],
  });
}

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

// ---- redshift-resize ----------------------------------------------------------------------------------

export interface RedshiftDashboardRefs {
  readonly trigger: NodeFunction;
  readonly guard: NodeFunction;
  readonly replication: NodeFunction;
  readonly resize: NodeFunction;
  readonly stateMachineArn: string;
  readonly clusterId: string;
  /** redshift_disk_threshold_percent: where the disk alarm fires. */
  readonly diskThresholdPercent: number;
  readonly triggerFailureQueueName: string;
}

/** Runs and their outcomes (trigger, guard, resize, Step Functions), and the cluster's disk usage. */
export function redshiftDashboard(stack: OpsStack, r: RedshiftDashboardRefs): OpsDashboard {
  const { trigger, guard, resize } = r;
  const executions = (name: string, label: string, color?: string) =>
    metric(
      'AWS/States',
      name,
      { StateMachineArn: r.stateMachineArn },
      { label, ...(color ? { color } : {}) },
    );
  return new OpsDashboard(stack, 'dashboard', {
    start: '-P7D',
    widgets: [
      heading('Redshift resize', [
        'The disk alarm starts a run: the guard approves or skips it, then DMS is paused, the cluster snapshotted, resized and DMS resumed. TimedOut and Aborted executions leave DMS stopped (README: operating notes).',
        emfNote([trigger, guard, resize]),
      ]),
      graph({
        title: 'Disk space used (%)',
        period: 300,
        series: [
          metric(
            'AWS/Redshift',
            'PercentageDiskSpaceUsed',
            { ClusterIdentifier: r.clusterId },
            { label: 'used' },
          ),
        ],
        horizontalAnnotations: [
          { label: 'redshift_disk_threshold_percent', value: r.diskThresholdPercent, color: RED },
        ],
        yAxis: { left: { min: 0, max: 100 } },
      }),
      graph({
        title: 'Runs per hour: requested, skipped (one already running), started',
        stat: 'Sum',
        period: 3600,
        series: [
          emfMetric(trigger, TRIGGER_METRICS.requested, {}, { label: 'requested' }),
          emfMetric(
            trigger,
            TRIGGER_METRICS.skippedRunning,
            {},
            { label: 'skipped: one already running', color: GREY },
          ),
          executions('ExecutionsStarted', 'executions started'),
        ],
      }),
      graph({
        title: 'Guard and resize outcomes per hour',
        stat: 'Sum',
        period: 3600,
        series: [
          emfMetric(guard, GUARD_METRICS.approved, {}, { label: 'approved' }),
          emfSearch(guard, GUARD_METRICS.skipped, [REASON_DIMENSION], 'Sum', 3600, {
            label: 'skipped',
          }),
          emfMetric(
            resize,
            RESIZE_METRICS.succeeded,
            {},
            { label: 'resize succeeded', color: GREEN },
          ),
          emfMetric(resize, RESIZE_METRICS.failed, {}, { label: 'resize failed', color: RED }),
        ],
      }),
      graph({
        title: 'Executions per hour, by end state',
        stat: 'Sum',
        period: 3600,
        series: [
          executions('ExecutionsSucceeded', 'succeeded', GREEN),
          executions('ExecutionsFailed', 'failed', RED),
          executions('ExecutionsTimedOut', 'timed out', ORANGE),
          executions('ExecutionsAborted', 'aborted', GREY),
        ],
      }),
      graph({
        title: 'Function errors and trigger failures',
        stat: 'Sum',
        period: 300,
        series: [
          ...lambdaErrors([trigger, guard, r.replication, resize]),
          queueDepth(r.triggerFailureQueueName, 'trigger failure queue'),
        ],
        width: 24,
      }),
    ],
  });
}
