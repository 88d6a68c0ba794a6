import pLimit from 'p-limit';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import type { ReconcileConfig } from './config';
import { EMPTY, keyOf, type Context, type PoolOutcome, type ReconcileDeps } from './context';
import { acquireLock, ensureSchema, releaseLock, selectDemand } from './database';
import { describeError } from './ec2';
import { DatabaseWriteError } from './errors';
import { RUN_METRICS } from './metric-names';
import { reconcilePool } from './reconcile-pool';
import { findOrphans } from './orphans';
import type { DemandRow } from './rows';
import { describeZones } from './zones';

export type { MetricsSink, PoolOutcome } from './context';

export type ReconcileResult =
  | { readonly status: 'locked'; readonly holderConnectionId: number | null }
  | { readonly status: 'completed'; readonly pools: readonly PoolOutcome[] };

/** Orphans, run-level metrics and the summary log line of a completed run. */
async function finish(
  ctx: Context,
  rows: readonly DemandRow[],
  pools: PoolOutcome[],
): Promise<PoolOutcome[]> {
  const orphans = await findOrphans(ctx, rows);
  if (orphans && orphans.length > 0)
    ctx.log.warn('reservations of this deployment whose row no longer exists (not cancelled)', {
      orphans,
    });
  const invalid = pools.filter((p) => p.status === 'invalid').length;
  if (orphans)
    ctx.metrics.addMetric(RUN_METRICS.orphanedReservations, MetricUnit.Count, orphans.length);
  ctx.metrics.addMetric(RUN_METRICS.rowsInvalid, MetricUnit.Count, invalid);
  ctx.metrics.addMetric(RUN_METRICS.runsCompleted, MetricUnit.Count, 1);
  ctx.metrics.publishStoredMetrics();
  ctx.log.info('reconciliation finished', {
    rows: pools.length,
    reconciled: pools.filter((p) => p.status === 'reconciled').length,
    invalid,
    insufficientCapacity: pools.filter((p) => p.status === 'insufficient-capacity').length,
    failed: pools.filter((p) => p.status === 'failed').length,
    reservationsCreated: pools.reduce((n, p) => n + p.reservationsCreated, 0),
    instancesRemoved: pools.reduce((n, p) => n + p.instancesRemoved, 0),
  });
  return pools;
}

/** Under the lock: schema, rows, then every row's pool, CONCURRENCY at a time. */
async function reconcileAll(ctx: Context): Promise<PoolOutcome[]> {
  const { db } = ctx.deps;
  const schema = await ensureSchema(db);
  if (schema.createdTable || schema.addedColumns.length > 0)
    ctx.log.info('schema updated', { ...schema });
  const rows = await selectDemand(db);
  // Before any row: a row's zone may be a name or an id, and must be in this Region. No rows, no call.
  if (rows.length === 0) return finish(ctx, rows, []);
  const zones = await describeZones(ctx.deps.ec2);

  const limit = pLimit(ctx.config.concurrency);
  let databaseError: unknown;
  const pools = await Promise.all(
    rows.map((row) =>
      limit(async (): Promise<PoolOutcome> => {
        // After a database error the run stops starting rows: their results could not be recorded.
        if (databaseError !== undefined) return { ...keyOf(row), ...EMPTY, status: 'skipped' };
        try {
          return await reconcilePool(ctx, row, zones);
        } catch (error) {
          databaseError ??= error;
          return {
            ...keyOf(row),
            ...EMPTY,
            status: 'skipped',
            error: describeError(error).message,
          };
        }
      }),
    ),
  );
  if (databaseError !== undefined) {
    throw new DatabaseWriteError(
      `the database failed during the run; ${pools.filter((p) => p.status === 'skipped').length} row(s) not finished`,
      { cause: databaseError },
    );
  }

  return finish(ctx, rows, pools);
}

/**
 * One reconciliation run: takes the lock (or exits, changing nothing, when another run holds it), makes
 * sure the schema exists, then brings every valid row's pool to its target, CONCURRENCY rows at a time.
 * EC2 is the source of truth; Current_Capacity is only ever written from what EC2 holds.
 */
export async function reconcile(
  deps: ReconcileDeps,
  config: ReconcileConfig,
): Promise<ReconcileResult> {
  const ctx: Context = {
    deps,
    config,
    log: deps.logger ?? sharedLogger,
    metrics: deps.metrics ?? sharedMetrics,
    now: deps.now ?? (() => new Date()),
  };
  const lock = await acquireLock(deps.db, config.lockName);
  if (!lock.acquired) {
    // Counted, so a lock that stays taken (a stale session) shows as RunsLocked and no RunsCompleted.
    ctx.metrics.addMetric(RUN_METRICS.runsLocked, MetricUnit.Count, 1);
    ctx.metrics.publishStoredMetrics();
    ctx.log.warn('another run holds the lock; exiting without changes', {
      lockName: config.lockName,
      holderConnectionId: lock.holderConnectionId,
    });
    return { status: 'locked', holderConnectionId: lock.holderConnectionId };
  }

  let outcome: { ok: true; pools: PoolOutcome[] } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, pools: await reconcileAll(ctx) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    const held = await releaseLock(deps.db, config.lockName);
    if (!held) ctx.log.warn('the lock was no longer held by this session at the end of the run');
  } catch (releaseError) {
    // The session (and with it the lock) is gone. When the run already failed, that error is the one to report.
    if (outcome.ok) throw releaseError;
    ctx.log.error('releasing the lock failed after the run failed', { error: releaseError });
  }
  if (!outcome.ok) throw outcome.error;
  return { status: 'completed', pools: outcome.pools };
}
