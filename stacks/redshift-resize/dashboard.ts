import {
  GUARD_METRICS,
  REASON_DIMENSION,
  RESIZE_METRICS,
  TRIGGER_METRICS,
} from '../../functions/redshift-resize/metric-names';
import * as dash from '../platform/dashboard';
import { fullestNodeDisk } from './alarms';
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
  /** redshift_node_disk_threshold_percent: where the per-node alarm fires. */
  readonly nodeDiskThresholdPercent: number;
  readonly triggerFailureQueueName: string;
}

/** Runs and their outcomes (trigger, guard, resize, Step Functions), and the cluster's disk usage. */
export function redshiftDashboard(stack: OpsStack, r: RedshiftDashboardRefs): dash.OpsDashboard {
  const { trigger, guard, resize } = r;
  const executions = (name: string, label: string, color?: string) =>
    dash.metric(
      'AWS/States',
      name,
      { StateMachineArn: r.stateMachineArn },
      { label, ...(color ? { color } : {}) },
    );
  return new dash.OpsDashboard(stack, 'dashboard', {
    start: '-P7D',
    widgets: [
      dash.heading('Redshift resize', [
        'The disk alarm starts a run: the guard approves or skips it, then DMS is paused, the cluster snapshotted, resized and DMS resumed. TimedOut and Aborted executions leave DMS stopped (README: operating notes).',
        dash.emfNote([trigger, guard, resize]),
      ]),
      dash.graph({
        title: 'Disk space used (%)',
        period: 300,
        series: [
          dash.metric(
            'AWS/Redshift',
            'PercentageDiskSpaceUsed',
            { ClusterIdentifier: r.clusterId },
            { label: 'used' },
          ),
        ],
        horizontalAnnotations: [
          {
            label: 'redshift_disk_threshold_percent',
            value: r.diskThresholdPercent,
            color: dash.RED,
          },
        ],
        yAxis: { left: { min: 0, max: 100 } },
      }),
      dash.graph({
        title: 'Fullest node: disk space used (%), what the per-node alarm watches',
        period: 300,
        series: [fullestNodeDisk(r.clusterId, { label: 'fullest node', color: dash.ORANGE })],
        horizontalAnnotations: [
          {
            label: 'redshift_node_disk_threshold_percent',
            value: r.nodeDiskThresholdPercent,
            color: dash.RED,
          },
        ],
        yAxis: { left: { min: 0, max: 100 } },
      }),
      dash.graph({
        title: 'Runs per hour: requested, skipped (one already running), started',
        stat: 'Sum',
        period: 3600,
        series: [
          dash.emfMetric(trigger, TRIGGER_METRICS.requested, {}, { label: 'requested' }),
          dash.emfLine(
            trigger,
            TRIGGER_METRICS.skippedRunning,
            'skipped: one already running',
            dash.GREY,
          ),
          executions('ExecutionsStarted', 'executions started'),
        ],
      }),
      dash.graph({
        title: 'Guard and resize outcomes per hour',
        stat: 'Sum',
        period: 3600,
        series: [
          dash.emfMetric(guard, GUARD_METRICS.approved, {}, { label: 'approved' }),
          dash.emfSearch(guard, GUARD_METRICS.skipped, [REASON_DIMENSION], 'Sum', 3600, {
            label: 'skipped',
          }),
          dash.emfLine(resize, RESIZE_METRICS.succeeded, 'resize succeeded', dash.GREEN),
          dash.emfLine(resize, RESIZE_METRICS.failed, 'resize failed', dash.RED),
        ],
      }),
      dash.graph({
        title: 'Executions per hour, by end state',
        stat: 'Sum',
        period: 3600,
        series: [
          executions('ExecutionsSucceeded', 'succeeded', dash.GREEN),
          executions('ExecutionsFailed', 'failed', dash.RED),
          executions('ExecutionsTimedOut', 'timed out', dash.ORANGE),
          executions('ExecutionsAborted', 'aborted', dash.GREY),
        ],
      }),
      dash.graph({
        title: 'Function errors and trigger failures',
        stat: 'Sum',
        period: 300,
        series: [
          ...dash.lambdaErrors([trigger, guard, r.replication, resize]),
          dash.queueDepth(r.triggerFailureQueueName, 'trigger failure queue'),
        ],
        width: 24,
      }),
    ],
  });
}
