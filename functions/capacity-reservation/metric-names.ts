import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the reserver (namespace METRICS_NAMESPACE, `service` = capacity-reservation-reserver). The
 * reserver and its stack (alarm, dashboard) both import these names, so they cannot drift apart.
 */

/** Dimension of the per-pool metrics: `<instance type>/<AZ>`, as in tag ops-autopilot:pool. */
export const POOL_DIMENSION = 'Pool';

/** One EMF document per pool and run, dimensions service + Pool. */
export const POOL_METRICS = {
  /** Target_Capacity of the row. */
  target: 'TargetCapacity',
  /** Instances this deployment's live reservations hold after the run (Current_Capacity); omitted when unknown. */
  actual: 'ActualCapacity',
  /** Target minus actual (target alone when EC2 could not be read). */
  gap: 'CapacityGap',
  reservationsCreated: 'ReservationsCreated',
  /** 1 when EC2 answered InsufficientInstanceCapacity, else 0. */
  insufficientCapacity: 'InsufficientCapacity',
  /** 1 when EC2 answered with an account quota error (InstanceLimitExceeded, VcpuLimitExceeded), else 0. */
  quotaExceeded: 'QuotaExceeded',
  /** Percent of the pool's active reserved instances in use at the run (unit Percent); omitted without active capacity. */
  utilization: 'Utilization',
  /** Hours the pool has stayed under IDLE_THRESHOLD_PERCENT (0 when it is not idle): the idle alarm's metric. */
  idleHours: 'IdleHours',
  /** Instances of the pool's live reservations that end within EXPIRY_WARNING_HOURS: the expiry alarm's metric. */
  expiringInstances: 'ExpiringInstances',
} as const;

/** One EMF document per run, dimension service only. */
export const RUN_METRICS = {
  /** Rows skipped as invalid in the run. */
  rowsInvalid: 'RowsInvalid',
  /** 1 per run that reached the end under the lock; the stale-run alarm fires when none does. */
  runsCompleted: 'RunsCompleted',
  /** 1 per run that found the lock taken by another session and changed nothing. */
  runsLocked: 'RunsLocked',
  /** Live reservations of this deployment whose row no longer exists (reported, never cancelled). */
  orphanedReservations: 'OrphanedReservations',
} as const;

export const RESERVER_METRICS: readonly MetricSpec[] = [
  ...Object.values(POOL_METRICS).map((name) => ({ name, dimensions: [POOL_DIMENSION] })),
  ...Object.values(RUN_METRICS).map((name) => ({ name, dimensions: [] })),
];
