import { CREATE_METRICS, DELETE_METRICS } from '../../functions/ebs-snapshot/metric-names';
import * as dash from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

export interface EbsSnapshotDashboardRefs {
  readonly create: NodeFunction;
  readonly remove: NodeFunction;
  readonly failureQueueName: string;
}

/** Snapshots created, skipped and failed per run; deleted, failed and in use per day; the failure queue. */
export function ebsSnapshotDashboard(
  stack: OpsStack,
  r: EbsSnapshotDashboardRefs,
): dash.OpsDashboard {
  const { create, remove } = r;
  return new dash.OpsDashboard(stack, 'dashboard', {
    start: '-P14D',
    widgets: [
      dash.heading('EBS snapshot lifecycle', [
        'Scheduled snapshots of tagged volumes, each deleted when its DynamoDB record expires. A failed snapshot or deletion fails its invocation (errors alarm); deletions that keep failing land in the failure queue.',
        dash.emfNote([create, remove]),
      ]),
      dash.graph({
        title: 'Snapshots per day: created, skipped, failed',
        stat: 'Sum',
        period: 86400,
        series: [
          dash.emfMetric(
            create,
            CREATE_METRICS.created,
            {},
            { label: 'created', color: dash.GREEN },
          ),
          dash.emfMetric(
            create,
            CREATE_METRICS.skipped,
            {},
            { label: 'skipped', color: dash.GREY },
          ),
          dash.emfMetric(create, CREATE_METRICS.failed, {}, { label: 'failed', color: dash.RED }),
        ],
      }),
      dash.graph({
        title: 'Expired snapshots per day: deleted, failed, still in use',
        stat: 'Sum',
        period: 86400,
        series: [
          dash.emfMetric(
            remove,
            DELETE_METRICS.deleted,
            {},
            { label: 'deleted', color: dash.GREEN },
          ),
          dash.emfMetric(
            remove,
            DELETE_METRICS.deleteFailed,
            {},
            { label: 'failed', color: dash.RED },
          ),
          dash.emfMetric(
            remove,
            DELETE_METRICS.inUse,
            {},
            { label: 'in use by an AMI', color: dash.ORANGE },
          ),
        ],
      }),
      dash.graph({
        title: 'Failure queue depth',
        period: 300,
        series: [dash.queueDepth(r.failureQueueName, 'failed records / invocations')],
      }),
      dash.graph({
        title: 'Function errors',
        stat: 'Sum',
        period: 300,
        series: dash.lambdaErrors([create, remove]),
      }),
    ],
  });
}
