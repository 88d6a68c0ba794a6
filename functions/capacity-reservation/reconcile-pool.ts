import { MetricUnit } from '../shared/metrics';
import { EMPTY, keyOf, type Context, type PoolOutcome } from './context';
import { recordReconciled, recordRowError } from './database';
import { INSUFFICIENT_CAPACITY, QUOTA_ERRORS, describeError, describePool } from './ec2';
import { POOL_DIMENSION, POOL_METRICS } from './metric-names';
import { workPool } from './pool-work';
import { parseDemandRow, type DemandRow, type PoolDemand } from './rows';
import { poolUsage, type PoolUsage } from './usage';
import type { ZoneDirectory } from './zones';

/** Defaults of IDLE_THRESHOLD_PERCENT and EXPIRY_WARNING_HOURS (variables capacity_idle_alarm_percent, ..._expiry_warning_hours). */
const DEFAULT_IDLE_THRESHOLD_PERCENT = 20;
const DEFAULT_EXPIRY_WARNING_HOURS = 72;

/**
 * Per-pool EMF metrics, one document per pool (synchronous, so concurrent rows never mix dimensions):
 * the row's target, what EC2 holds after the run (when it could be read), the gap, and what was done.
 */
function publishPoolMetrics(
  ctx: Context,
  demand: PoolDemand,
  outcome: PoolOutcome,
  errorCode?: string,
  usage?: PoolUsage,
): void {
  const m = ctx.metrics;
  const actual = outcome.actual ?? outcome.observed;
  m.addDimensions({ [POOL_DIMENSION]: demand.pool });
  m.addMetric(POOL_METRICS.target, MetricUnit.Count, demand.target);
  if (actual !== undefined) m.addMetric(POOL_METRICS.actual, MetricUnit.Count, actual);
  m.addMetric(POOL_METRICS.gap, MetricUnit.Count, demand.target - (actual ?? 0));
  m.addMetric(POOL_METRICS.reservationsCreated, MetricUnit.Count, outcome.reservationsCreated);
  m.addMetric(
    POOL_METRICS.insufficientCapacity,
    MetricUnit.Count,
    outcome.status === 'insufficient-capacity' ? 1 : 0,
  );
  m.addMetric(
    POOL_METRICS.quotaExceeded,
    MetricUnit.Count,
    errorCode !== undefined && QUOTA_ERRORS.has(errorCode) ? 1 : 0,
  );
  if (usage?.utilization !== undefined)
    m.addMetric(POOL_METRICS.utilization, MetricUnit.Percent, usage.utilization);
  if (usage) {
    m.addMetric(POOL_METRICS.idleHours, MetricUnit.NoUnit, usage.idleHours);
    m.addMetric(POOL_METRICS.expiringInstances, MetricUnit.Count, usage.expiringInstances);
  }
  m.publishStoredMetrics();
}

/** Reconciles one row; EC2 errors end up in the outcome and Last_Error, database errors are thrown. */
export async function reconcilePool(
  ctx: Context,
  row: DemandRow,
  zones: ZoneDirectory,
): Promise<PoolOutcome> {
  const { db, ec2, managedBy } = ctx.deps;
  const key = keyOf(row);
  const parsed = parseDemandRow(row, {
    defaultChunkSize: ctx.config.defaultChunkSize,
    now: ctx.now(),
    zones,
  });
  if (!parsed.ok) {
    await recordRowError(db, key, `invalid row: ${parsed.error}`);
    ctx.log.warn('invalid demand row skipped', { ...key, error: parsed.error });
    return { ...key, ...EMPTY, status: 'invalid', error: parsed.error };
  }
  const demand = parsed.demand;
  if (demand.match === 'targeted' && !ctx.deps.group) {
    const error =
      "Match 'targeted' needs the stack's capacity reservation group, and this deployment has none";
    await recordRowError(db, key, `invalid row: ${error}`);
    ctx.log.warn('invalid demand row skipped', { ...key, error });
    return { ...key, ...EMPTY, status: 'invalid', error };
  }

  let described;
  try {
    described = await describePool(ec2, managedBy, demand);
  } catch (error) {
    const { code, message } = describeError(error);
    const text = `${code}: ${message}`;
    await recordRowError(db, key, `DescribeCapacityReservations failed: ${text}`);
    ctx.log.error('describing the pool failed', { pool: demand.pool, error });
    const outcome: PoolOutcome = {
      ...key,
      ...EMPTY,
      status: 'failed',
      target: demand.target,
      error: text,
    };
    publishPoolMetrics(ctx, demand, outcome);
    return outcome;
  }
  if (described.rejected.length > 0) {
    ctx.log.warn('describe returned reservations that fail the tag/state re-check; ignored', {
      pool: demand.pool,
      ids: described.rejected.map((r) => r.CapacityReservationId),
    });
  }

  // Usage as found at the start of the run: capacity created now is unused by definition, and is counted next run.
  const usage = poolUsage(described.ours, demand.idleSince, ctx.now(), {
    idleThresholdPercent: ctx.config.idleThresholdPercent ?? DEFAULT_IDLE_THRESHOLD_PERCENT,
    expiryWarningHours: ctx.config.expiryWarningHours ?? DEFAULT_EXPIRY_WARNING_HOURS,
  });
  if (usage.idleSince && !demand.idleSince)
    ctx.log.info('pool capacity is idle', { pool: demand.pool, utilization: usage.utilization });
  if (usage.expiringInstances > 0)
    ctx.log.warn('pool capacity ends soon', { pool: demand.pool, reservations: usage.expiring });

  const work = await workPool(ctx, demand, described.ours, described.refused);
  const { failure } = work;
  if (failure) {
    const log = failure.code === INSUFFICIENT_CAPACITY ? ctx.log.warn : ctx.log.error;
    log.call(ctx.log, 'pool stopped short of its target', { pool: demand.pool, error: failure });
  }
  const actual = work.observed + work.created - work.removedMatching;
  const errorText = failure
    ? [`${failure.code}: ${failure.message}`, ...work.notes].join('; ')
    : work.notes.length > 0
      ? work.notes.join('; ')
      : null;
  await recordReconciled(db, key, {
    actual,
    error: errorText,
    newTokens: !work.createAttempted,
    idleSince: usage.idleSince,
  });
  const outcome: PoolOutcome = {
    ...key,
    status: !failure
      ? 'reconciled'
      : failure.code === INSUFFICIENT_CAPACITY
        ? 'insufficient-capacity'
        : 'failed',
    target: demand.target,
    observed: work.observed,
    actual,
    reservationsCreated: work.reservationsCreated,
    instancesCreated: work.created,
    instancesRemoved: work.removedMatching + work.removedReplaced,
    ...(errorText ? { error: errorText } : {}),
  };
  publishPoolMetrics(ctx, demand, outcome, failure?.code, usage);
  return outcome;
}
