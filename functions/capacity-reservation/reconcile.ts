import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Connection } from 'mysql2/promise';
import pLimit from 'p-limit';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import type { ReconcileConfig } from './config';
import {
  acquireLock,
  ensureSchema,
  recordReconciled,
  recordRowError,
  releaseLock,
  selectDemand,
  type RowKey,
} from './database';
import {
  INSUFFICIENT_CAPACITY,
  applyReduction,
  chunkSizes,
  createChunk,
  describeError,
  describePool,
  liveTotal,
} from './ec2';
import { DatabaseWriteError } from './errors';
import { POOL_DIMENSION, POOL_METRICS, RUN_METRICS } from './metric-names';
import { planReduction } from './reduction';
import { changeability } from './states';
import { parseDemandRow, type DemandRow, type PoolDemand } from './rows';

/** The part of Powertools Metrics reconcile() uses (so a benchmark can pass a no-op). */
export type MetricsSink = Pick<Metrics, 'addDimensions' | 'addMetric' | 'publishStoredMetrics'>;

interface ReconcileDeps {
  /** One connection for the whole run: it holds the GET_LOCK lock, so it must not be a pool. */
  readonly db: Connection;
  readonly ec2: EC2Client;
  /** Value of tag `managed-by`: set on everything created, required on everything counted or reduced. */
  readonly managedBy: string;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  readonly now?: () => Date;
}

type PoolStatus =
  /** At target, or changed towards it without error. */
  | 'reconciled'
  /** The row's values are not usable; Last_Error says why, nothing was called. */
  | 'invalid'
  /** EC2 had no capacity; what was created is recorded, the next run tries again. */
  | 'insufficient-capacity'
  /** Any other error; recorded in Last_Error and makes the invocation fail. */
  | 'failed'
  /** Not started because the database failed earlier in the run. */
  | 'skipped';

export interface PoolOutcome {
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly status: PoolStatus;
  readonly target?: number;
  /** Instances held by our live reservations when the pool's reconciliation started. */
  readonly observed?: number;
  /** observed + created - removed: what Current_Capacity now says. */
  readonly actual?: number;
  readonly reservationsCreated: number;
  readonly instancesCreated: number;
  readonly instancesRemoved: number;
  readonly error?: string;
}

export type ReconcileResult =
  | { readonly status: 'locked'; readonly holderConnectionId: number | null }
  | { readonly status: 'completed'; readonly pools: readonly PoolOutcome[] };

interface Context {
  readonly deps: ReconcileDeps;
  readonly config: ReconcileConfig;
  readonly log: Logger;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
}

const EMPTY = { reservationsCreated: 0, instancesCreated: 0, instancesRemoved: 0 } as const;

function keyOf(row: DemandRow): RowKey {
  return { instanceType: String(row.InstanceType), availabilityZone: String(row.AvailabilityZone) };
}

/**
 * Per-pool EMF metrics, one document per pool (synchronous, so concurrent rows never mix dimensions):
 * the row's target, what EC2 holds after the run (when it could be read), the gap, and what was done.
 */
function publishPoolMetrics(ctx: Context, demand: PoolDemand, outcome: PoolOutcome): void {
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
  m.publishStoredMetrics();
}

/** Reconciles one row; EC2 errors end up in the outcome and Last_Error, database errors are thrown. */
async function reconcilePool(ctx: Context, row: DemandRow): Promise<PoolOutcome> {
  const { db, ec2, managedBy } = ctx.deps;
  const key = keyOf(row);
  const parsed = parseDemandRow(row, {
    defaultChunkSize: ctx.config.defaultChunkSize,
    now: ctx.now(),
  });
  if (!parsed.ok) {
    await recordRowError(db, key, `invalid row: ${parsed.error}`);
    ctx.log.warn('invalid demand row skipped', { ...key, error: parsed.error });
    return { ...key, ...EMPTY, status: 'invalid', error: parsed.error };
  }
  const demand = parsed.demand;

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
  const ours = described.ours;
  const observed = liveTotal(ours);

  let created = 0;
  let reservationsCreated = 0;
  let removed = 0;
  let failure: { code: string; message: string } | undefined;
  const notes: string[] = [];
  try {
    if (demand.target > observed) {
      const known = new Set(ours.map((r) => r.CapacityReservationId as string));
      const sizes = chunkSizes(demand.target - observed, demand.chunkSize);
      for (const [chunkIndex, instanceCount] of sizes.entries()) {
        const chunk = await createChunk(
          ec2,
          { managedBy, demand, observed, chunkIndex, instanceCount },
          known,
          (burnt) =>
            ctx.log.warn('client token returned an old reservation; using its successor', {
              pool: demand.pool,
              ...burnt,
            }),
        );
        known.add(chunk.id);
        created += chunk.instances;
        reservationsCreated += 1;
        ctx.log.info('capacity reservation created', {
          pool: demand.pool,
          capacityReservationId: chunk.id,
          instances: chunk.instances,
          clientToken: chunk.clientToken,
        });
      }
    } else if (demand.target < observed) {
      const now = ctx.now();
      const plan = planReduction(
        ours.map((r) => ({
          id: r.CapacityReservationId as string,
          total: r.TotalInstanceCount ?? 0,
          available: r.AvailableInstanceCount ?? 0,
          ...changeability(r, now),
        })),
        observed - demand.target,
      );
      if (plan.unreleased > 0)
        notes.push(
          `${plan.unreleased} instance(s) above the target cannot be released yet: ${plan.blockers.join(', ')}`,
        );
      for (const step of plan.steps) {
        await applyReduction(ec2, step);
        removed += step.removes;
        ctx.log.info('capacity reservation reduced', { pool: demand.pool, ...step });
      }
    }
  } catch (error) {
    failure = describeError(error);
    const log = failure.code === INSUFFICIENT_CAPACITY ? ctx.log.warn : ctx.log.error;
    log.call(ctx.log, 'pool stopped short of its target', { pool: demand.pool, error });
  }

  const actual = observed + created - removed;
  const errorText = failure
    ? `${failure.code}: ${failure.message}`
    : notes.length > 0
      ? notes.join('; ')
      : null;
  await recordReconciled(db, key, actual, errorText);
  const outcome: PoolOutcome = {
    ...key,
    status: !failure
      ? 'reconciled'
      : failure.code === INSUFFICIENT_CAPACITY
        ? 'insufficient-capacity'
        : 'failed',
    target: demand.target,
    observed,
    actual,
    reservationsCreated,
    instancesCreated: created,
    instancesRemoved: removed,
    ...(errorText ? { error: errorText } : {}),
  };
  publishPoolMetrics(ctx, demand, outcome);
  return outcome;
}

/** Under the lock: schema, rows, then every row's pool, CONCURRENCY at a time. */
async function reconcileAll(ctx: Context): Promise<PoolOutcome[]> {
  const { db } = ctx.deps;
  const schema = await ensureSchema(db);
  if (schema.createdTable || schema.addedColumns.length > 0)
    ctx.log.info('schema updated', { ...schema });
  const rows = await selectDemand(db);

  const limit = pLimit(ctx.config.concurrency);
  let databaseError: unknown;
  const pools = await Promise.all(
    rows.map((row) =>
      limit(async (): Promise<PoolOutcome> => {
        // After a database error the run stops starting rows: their results could not be recorded.
        if (databaseError !== undefined) return { ...keyOf(row), ...EMPTY, status: 'skipped' };
        try {
          return await reconcilePool(ctx, row);
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

  const invalid = pools.filter((p) => p.status === 'invalid').length;
  ctx.metrics.addMetric(RUN_METRICS.rowsInvalid, MetricUnit.Count, invalid);
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
    ctx.log.info('another run holds the lock; exiting without changes', {
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
