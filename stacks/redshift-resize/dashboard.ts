import {
  GUARD_METRICS,
  REASON_DIMENSION,
  RESIZE_METRICS,
  TRIGGER_METRICS,
} from '../../functions/redshift-resize/metric-names';
import {
  emfMetric,
  emfSearch,
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
