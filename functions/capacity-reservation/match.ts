import type { CapacityReservation } from '@aws-sdk/client-ec2';
import type { Context } from './context';
import { applyReduction, modifyMatchCriteria } from './ec2';
import { leaveGroup } from './group';
import type { ReductionStep } from './reduction';
import type { MatchCriteria, PoolDemand } from './rows';

export function criteriaOf(r: CapacityReservation): MatchCriteria {
  return r.InstanceMatchCriteria === 'targeted' ? 'targeted' : 'open';
}

/** Same platform and tenancy as the row: EC2 cannot change these, so only eligibility may differ. */
function sameKind(r: CapacityReservation, demand: PoolDemand): boolean {
  return r.InstancePlatform === demand.platform && r.Tenancy === demand.tenancy;
}

/** A reservation serves the row only with all of the row's attributes. */
export function matches(r: CapacityReservation, demand: PoolDemand): boolean {
  return sameKind(r, demand) && criteriaOf(r) === demand.match;
}

/**
 * EC2 changes InstanceMatchCriteria in place only on an `active` reservation (a commitment does not prevent it)
 * that is completely idle; any other one of the wrong eligibility is replaced, creating before cancelling.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-modify.html
 */
function switchable(r: CapacityReservation): boolean {
  return r.State === 'active' && (r.AvailableInstanceCount ?? 0) === (r.TotalInstanceCount ?? 0);
}

/**
 * Switches idle reservations of the wrong eligibility to the row's, in place, until the row's target is held
 * by matching ones; returns the pool's reservations as they are afterwards. A reservation leaving `targeted`
 * leaves the group first (see leaveGroup).
 */
export async function switchInPlace(
  ctx: Context,
  demand: PoolDemand,
  ours: readonly CapacityReservation[],
): Promise<CapacityReservation[]> {
  let held = ours
    .filter((r) => matches(r, demand))
    .reduce((n, r) => n + (r.TotalInstanceCount ?? 0), 0);
  const after: CapacityReservation[] = [];
  for (const r of ours) {
    if (held >= demand.target || matches(r, demand) || !sameKind(r, demand) || !switchable(r)) {
      after.push(r);
      continue;
    }
    const id = r.CapacityReservationId as string;
    if (demand.match === 'open') await leaveGroup(ctx.deps.group, [r]);
    await modifyMatchCriteria(ctx.deps.ec2, id, demand.match);
    ctx.log.info('reservation switched in place', { pool: demand.pool, id, to: demand.match });
    held += r.TotalInstanceCount ?? 0;
    after.push({ ...r, InstanceMatchCriteria: demand.match });
  }
  return after;
}

/** Applies one reduction step; a targeted reservation about to be cancelled leaves the group first. */
export async function applyStep(
  ctx: Context,
  step: ReductionStep,
  reservations: readonly CapacityReservation[],
): Promise<void> {
  if (step.action === 'cancel')
    await leaveGroup(
      ctx.deps.group,
      reservations.filter((r) => r.CapacityReservationId === step.id),
    );
  await applyReduction(ctx.deps.ec2, step);
}
