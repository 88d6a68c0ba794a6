import type { CapacityReservation } from '@aws-sdk/client-ec2';
import type { Context } from './context';
import { endDateStep } from './end-date';
import { chunkSizes, createChunk, describeError, liveTotal, modifyEndDate } from './ec2';
import { futureRequestProblem, refusedRequest } from './future';
import { joinGroup } from './group';
import { applyStep, matches, switchInPlace } from './match';
import { planReduction, type ReducibleReservation } from './reduction';
import type { PoolDemand } from './rows';
import { changeability } from './states';

/** What one pool's reconciliation did to EC2. */
export interface PoolWork {
  /** Instances of matching reservations when the pool's reconciliation started. */
  readonly observed: number;
  created: number;
  reservationsCreated: number;
  /** A CreateCapacityReservation was sent (the pool then keeps its token generation). */
  createAttempted: boolean;
  /** Released from matching reservations (lowers the actual capacity). */
  removedMatching: number;
  /** Released from reservations replaced because the row's attributes changed. */
  removedReplaced: number;
  readonly notes: string[];
  failure?: { code: string; message: string };
}

function reducible(r: CapacityReservation, now: Date): ReducibleReservation {
  return {
    id: r.CapacityReservationId as string,
    total: r.TotalInstanceCount ?? 0,
    available: r.AvailableInstanceCount ?? 0,
    ...changeability(r, now),
  };
}

/**
 * Releases reservations of the pool that no longer match the row, a part at a time: each new chunk of the
 * row's attributes releases as much of the old ones, so capacity is replaced, never dropped first.
 */
class Replacement {
  private list: ReducibleReservation[];
  removed = 0;

  constructor(
    private readonly ctx: Context,
    private readonly demand: PoolDemand,
    private readonly old: readonly CapacityReservation[],
    now: Date,
  ) {
    this.list = old.map((r) => reducible(r, now));
  }

  get remaining(): number {
    return this.list.reduce((n, r) => n + r.total, 0);
  }

  /** Releases up to `n` old instances; returns what could not be released now (and why). */
  async release(n: number): Promise<{ unreleased: number; blockers: readonly string[] }> {
    const plan = planReduction(this.list, Math.min(n, this.remaining));
    for (const step of plan.steps) {
      await applyStep(this.ctx, step, this.old);
      this.removed += step.removes;
      this.list = this.list
        .map((r) =>
          r.id !== step.id
            ? r
            : {
                ...r,
                total: r.total - step.removes,
                available: Math.max(r.available - step.removes, 0),
              },
        )
        .filter((r) => r.total > 0);
      this.ctx.log.info('replaced reservation released', { pool: this.demand.pool, ...step });
    }
    return plan;
  }
}

function emptyWork(observed: number): PoolWork {
  return {
    observed,
    created: 0,
    reservationsCreated: 0,
    createAttempted: false,
    removedMatching: 0,
    removedReplaced: 0,
    notes: [],
  };
}

/** Keeps the end of the pool's matching reservations in step with the row's End_Date. */
async function keepEndDates(
  ctx: Context,
  demand: PoolDemand,
  kept: readonly CapacityReservation[],
  notes: string[],
): Promise<void> {
  const now = ctx.now();
  const blocked: string[] = [];
  for (const r of kept) {
    const step = endDateStep(r, demand, now);
    if (step?.kind === 'blocked') blocked.push(`${step.id} ${step.reason}`);
    if (step?.kind !== 'modify') continue;
    await modifyEndDate(ctx.deps.ec2, step.id, step.change);
    ctx.log.info('reservation end date set from End_Date', {
      pool: demand.pool,
      id: step.id,
      ...step.change,
    });
  }
  if (blocked.length > 0) notes.push(`End_Date not applied yet to ${blocked.join(', ')}`);
}

/**
 * Brings one pool to its target: creates the gap in chunks (each followed by the release of as many
 * instances of reservations that no longer match the row), or lowers matching reservations; once the
 * target is met, releases every remaining non-matching reservation; keeps the end of the matching ones in
 * step with End_Date. EC2 errors end in `failure`.
 */
/** Instances one CreateCapacityReservation may ask for. */
const MAX_REQUEST = 1000;

/**
 * What stops a future-dated request for `gap` instances now: a refusal of the same request (not retried blindly)
 * or a rule of EC2's it breaks. Undefined for requests for immediate use.
 */
async function futureBlocker(
  ctx: Context,
  demand: PoolDemand,
  refused: readonly CapacityReservation[],
  gap: number,
): Promise<string | undefined> {
  const { future } = demand;
  if (!future) return undefined;
  const earlier = refusedRequest(refused, future);
  if (earlier)
    return `future-dated request ${String(earlier.CapacityReservationId)} for Start_Date ${future.startDate.toISOString()} ended ${String(earlier.State)}; not requested again: change Start_Date or Commitment_Days to retry`;
  return futureRequestProblem(ctx.deps.ec2, { ...demand, future }, gap, ctx.now());
}

export async function workPool(
  ctx: Context,
  demand: PoolDemand,
  found: readonly CapacityReservation[],
  refused: readonly CapacityReservation[] = [],
): Promise<PoolWork> {
  const { ec2, managedBy, group } = ctx.deps;
  const now = ctx.now();
  let ours = found;
  try {
    ours = await switchInPlace(ctx, demand, found);
  } catch (error) {
    return {
      ...emptyWork(liveTotal(found.filter((r) => matches(r, demand)))),
      failure: describeError(error),
    };
  }
  const matching = ours.filter((r) => matches(r, demand));
  const replacement = new Replacement(
    ctx,
    demand,
    ours.filter((r) => !matches(r, demand)),
    now,
  );
  const work: PoolWork = emptyWork(liveTotal(matching));
  const { observed } = work;
  const cancelled = new Set<string>();
  try {
    if (group && demand.match === 'targeted') await joinGroup(group, matching);
    const gap = demand.target - observed;
    const blocker = gap > 0 ? await futureBlocker(ctx, demand, refused, gap) : undefined;
    if (blocker) work.notes.push(blocker);
    if (gap > 0 && !blocker) {
      const known = new Set(ours.map((r) => r.CapacityReservationId as string));
      // A future-dated gap goes in as few requests as possible: each must reach EC2's minimum on its own.
      const sizes = chunkSizes(gap, demand.future ? MAX_REQUEST : demand.chunkSize);
      for (const [chunkIndex, instanceCount] of sizes.entries()) {
        work.createAttempted = true;
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
        work.created += chunk.instances;
        work.reservationsCreated += 1;
        ctx.log.info('capacity reservation created', {
          pool: demand.pool,
          capacityReservationId: chunk.id,
          instances: chunk.instances,
          clientToken: chunk.clientToken,
        });
        // Counted first: a failed GroupResources does not undo the reservation (the next run adds it).
        if (group && demand.match === 'targeted') await joinGroup(group, [chunk.reservation]);
        await replacement.release(chunk.instances);
      }
    } else if (demand.target < observed) {
      const plan = planReduction(
        matching.map((r) => reducible(r, now)),
        observed - demand.target,
      );
      if (plan.unreleased > 0)
        work.notes.push(
          `${plan.unreleased} instance(s) above the target cannot be released yet: ${plan.blockers.join(', ')}`,
        );
      for (const step of plan.steps) {
        await applyStep(ctx, step, matching);
        if (step.action === 'cancel') cancelled.add(step.id);
        work.removedMatching += step.removes;
        ctx.log.info('capacity reservation reduced', { pool: demand.pool, ...step });
      }
    }
    if (replacement.remaining > 0) {
      const left = await replacement.release(replacement.remaining);
      if (left.unreleased > 0)
        work.notes.push(
          `${left.unreleased} instance(s) of reservations that no longer match the row's platform, tenancy or Match cannot be released yet: ${left.blockers.join(', ')}`,
        );
    }
    if (demand.target > 0)
      await keepEndDates(
        ctx,
        demand,
        matching.filter((r) => !cancelled.has(r.CapacityReservationId as string)),
        work.notes,
      );
  } catch (error) {
    work.failure = describeError(error);
  }
  work.removedReplaced = replacement.removed;
  return work;
}
