import { CREATE_METRICS, DELETE_METRICS } from '../../functions/ebs-snapshot/metric-names';
import {
  emfMetric,
  emfNote,
  graph,
  GREEN,
  GREY,
  heading,
  lambdaErrors,
  OpsDashboard,
  ORANGE,
  queueDepth,
  RED,
} from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

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
