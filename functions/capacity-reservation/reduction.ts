/** What the planner needs to know about one of our live reservations. */
interface ReducibleReservation {
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

/**
 * Plans how to remove `excess` reserved instances: unused capacity first, taken from the reservations with
 * the most unused capacity (AvailableInstanceCount) first; only when that is not enough, capacity that is in
 * use (the instances keep running, they just no longer hold a reservation). A reservation reduced to zero is
 * cancelled, otherwise its InstanceCount is lowered; each reservation gets at most one call.
 */
export function planReduction(
  reservations: readonly ReducibleReservation[],
  excess: number,
): ReductionStep[] {
  if (excess <= 0) return [];
  const order = [...reservations].sort(
    (a, b) => b.available - a.available || a.total - b.total || a.id.localeCompare(b.id),
  );
  const removal = new Map<string, number>();
  let left = excess;
  // Pass 1: unused capacity.
  for (const r of order) {
    if (left === 0) break;
    const take = Math.min(Math.max(r.available, 0), r.total, left);
    if (take > 0) removal.set(r.id, take);
    left -= take;
  }
  // Pass 2: capacity in use, same order.
  for (const r of order) {
    if (left === 0) break;
    const already = removal.get(r.id) ?? 0;
    const take = Math.min(r.total - already, left);
    if (take > 0) removal.set(r.id, already + take);
    left -= take;
  }
  const steps: ReductionStep[] = [];
  for (const r of order) {
    const removes = removal.get(r.id);
    if (removes === undefined) continue;
    steps.push(
      removes >= r.total
        ? { action: 'cancel', id: r.id, removes: r.total }
        : { action: 'modify', id: r.id, instanceCount: r.total - removes, removes },
    );
  }
  return steps;
}
