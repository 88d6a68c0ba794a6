import {
  POOL_DIMENSION,
  POOL_METRICS,
  RUN_METRICS,
} from '../../functions/capacity-reservation/metric-names';
import { SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import * as dash from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

export interface CapacityDashboardRefs {
  readonly reserver: NodeFunction;
  readonly failureQueueName: string;
}

/** Target against actual capacity per pool, the gap, what each run did, bad rows and failures. */
export function capacityDashboard(stack: OpsStack, r: CapacityDashboardRefs): dash.OpsDashboard {
  const { reserver } = r;
  const perPool = (name: string, stat: string, period: number, label: string, color?: string) =>
    dash.emfSearch(reserver, name, [POOL_DIMENSION], stat, period, {
      label,
      ...(color ? { color } : {}),
    });
  return new dash.OpsDashboard(stack, 'dashboard', {
    widgets: [
      dash.heading('Capacity reservations', [
        'Each run brings every pool (`<instance type>/<AZ>`, a row of odcr_capacity) to its Target_Capacity. Pools are found by SEARCH, so new rows appear by themselves.',
        dash.emfNote([reserver]),
      ]),
      dash.graph({
        title: 'Target against actual capacity, per pool (instances)',
        width: 24,
        period: 300,
        series: [
          perPool(POOL_METRICS.target, 'Maximum', 300, 'target'),
          perPool(POOL_METRICS.actual, 'Minimum', 300, 'actual'),
        ],
      }),
      dash.graph({
        title: 'Capacity gap per pool (target - actual)',
        period: 300,
        series: [perPool(POOL_METRICS.gap, 'Maximum', 300, 'gap')],
      }),
      dash.graph({
        title: 'Largest gap of any pool (what the gap alarm watches)',
        period: 300,
        series: [
          dash.insightsQuery(
            {
              namespace: dash.METRICS_NAMESPACE,
              metricName: POOL_METRICS.gap,
              aggregate: 'MAX',
              dimensionKeys: [POOL_DIMENSION, SERVICE_DIMENSION],
              where: { [SERVICE_DIMENSION]: dash.serviceOf(reserver) },
            },
            { label: 'largest gap', color: dash.RED },
          ),
        ],
      }),
      dash.graph({
        title: 'Utilization of the active reservations, per pool (%)',
        period: 300,
        yAxis: { left: { min: 0, max: 100 } },
        series: [perPool(POOL_METRICS.utilization, 'Average', 300, 'utilization')],
      }),
      dash.graph({
        title: 'Hours each pool has been idle (what the idle alarm watches)',
        period: 300,
        series: [perPool(POOL_METRICS.idleHours, 'Maximum', 300, 'idle hours', dash.ORANGE)],
      }),
      dash.graph({
        title: 'Instances whose reservations end soon, per pool (what the expiry alarm watches)',
        period: 300,
        series: [perPool(POOL_METRICS.expiringInstances, 'Maximum', 300, 'ending', dash.RED)],
      }),
      dash.graph({
        title: 'Reservations created, insufficient capacity and quota errors, per pool and hour',
        stat: 'Sum',
        period: 3600,
        series: [
          perPool(POOL_METRICS.reservationsCreated, 'Sum', 3600, 'reservations created'),
          perPool(POOL_METRICS.insufficientCapacity, 'Sum', 3600, 'InsufficientCapacity', dash.RED),
          perPool(POOL_METRICS.quotaExceeded, 'Sum', 3600, 'QuotaExceeded', dash.ORANGE),
        ],
      }),
      dash.graph({
        title: 'Runs completed and runs that found the lock taken (the stale-run alarm)',
        stat: 'Sum',
        period: 300,
        series: [
          dash.emfMetric(
            reserver,
            RUN_METRICS.runsCompleted,
            {},
            { stat: 'Sum', label: 'completed' },
          ),
          dash.emfMetric(
            reserver,
            RUN_METRICS.runsLocked,
            {},
            { stat: 'Sum', label: 'locked out', color: dash.ORANGE },
          ),
        ],
      }),
      dash.graph({
        title: 'Invalid rows, orphaned reservations, reserver errors, failure queue',
        period: 300,
        series: [
          dash.emfMetric(
            reserver,
            RUN_METRICS.rowsInvalid,
            {},
            {
              stat: 'Maximum',
              label: 'invalid rows',
              color: dash.ORANGE,
            },
          ),
          dash.emfMetric(
            reserver,
            RUN_METRICS.orphanedReservations,
            {},
            { stat: 'Maximum', label: 'reservations without a row', color: dash.RED },
          ),
          ...dash.lambdaErrors([reserver]),
          dash.queueDepth(r.failureQueueName, 'failure queue'),
        ],
      }),
    ],
  });
}
