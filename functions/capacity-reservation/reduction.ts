import type { Changeability } from './states';

/** What the planner needs to know about one of our reservations. */
export interface ReducibleReservation extends Partial<Changeability> {
  readonly id: string;
  readonly total: number;
  readonly available: number;
}

export type ReductionStep =
  | { readonly action: 'cancel'; readonly id: string; readonly removes: number }
  | {
      readonly action: 'modify';
      readonly id: string;
      readonly instanceCount: number;
      readonly removes: number;
    };

export interface ReductionPlan {
  readonly steps: ReductionStep[];
  /** Instances of the excess that cannot be released now (waiting, committed, not modifiable). */
  readonly unreleased: number;
  /** The reservations that hold them back, with why (for Last_Error). */
  readonly blockers: readonly string[];
}

const ALWAYS: Changeability = { cancellable: true, modifiable: true, floor: 1, waiting: false };

/** Most instances that can go from `r` now: all (cancel), down to its floor (modify), or none. */
function room(r: ReducibleReservation & Changeability): number {
  if (r.cancellable) return r.total;
  return r.modifiable ? Math.max(r.total - r.floor, 0) : 0;
}

/**
 * Plans how to remove `excess` reserved instances, in the states EC2 allows: unused capacity first, from
 * the reservations with the most unused capacity (AvailableInstanceCount) first. Unused capacity of a
 * reservation that will be changeable soon (`pending`) is waited for rather than replaced by capacity in
 * use; only what is left then comes from capacity in use (the instances keep running, they just no longer
 * hold a reservation). A reservation reduced to zero is cancelled, otherwise its InstanceCount is lowered;
 * one that can only be cancelled (`assessing`) goes whole or not at all. Each reservation gets one call.
 */
export function planReduction(
  reservations: readonly ReducibleReservation[],
  excess: number,
): ReductionPlan {
  if (excess <= 0) return { steps: [], unreleased: 0, blockers: [] };
  const all = reservations.map((r) => ({ ...ALWAYS, ...r }));
  const order = [...all].sort(
    (a, b) => b.available - a.available || a.total - b.total || a.id.localeCompare(b.id),
  );
  const removal = new Map<string, number>();
  let left = excess;
  const take = (r: (typeof all)[number], wanted: number) => {
    const already = removal.get(r.id) ?? 0;
    let n = Math.min(room(r) - already, wanted, left);
    if (!r.modifiable && already + n < r.total) n = 0;
    if (n > 0) removal.set(r.id, already + n);
    left -= Math.max(n, 0);
  };
  for (const r of order) if (left > 0) take(r, Math.max(r.available, 0));
  const waitedFor = order
    .filter((r) => r.waiting)
    .reduce((n, r) => n + Math.max(r.available, 0), 0);
  const deferred = Math.min(left, waitedFor);
  left -= deferred;
  for (const r of order) if (left > 0) take(r, r.total);

  const steps: ReductionStep[] = [];
  for (const r of order) {
    const removes = removal.get(r.id);
    if (removes === undefined) continue;
    steps.push(
      removes >= r.total && r.cancellable
        ? { action: 'cancel', id: r.id, removes: r.total }
        : { action: 'modify', id: r.id, instanceCount: r.total - removes, removes },
    );
  }
  const unreleased = left + deferred;
  const blockers =
    unreleased > 0
      ? order
          .filter((r) => r.reason && (removal.get(r.id) ?? 0) < r.total)
          .map((r) => `${r.id} ${r.reason ?? ''}`)
      : [];
  return { steps, unreleased, blockers };
}
