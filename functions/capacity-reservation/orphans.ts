import {
  paginateDescribeCapacityReservations,
  type CapacityReservation,
} from '@aws-sdk/client-ec2';
import type { Context } from './context';
import { describeError, TAG_MANAGED_BY, TAG_POOL } from './ec2';
import type { DemandRow } from './rows';
import { COUNTED_STATES } from './states';

export interface Orphan {
  readonly id: string;
  readonly pool: string;
  readonly instances: number;
}

/**
 * Live reservations of this deployment (tag managed-by) whose pool has no row any more. Reported, never
 * cancelled: deleting a row is not an instruction to release capacity. Undefined when EC2 could not be read.
 */
export async function findOrphans(
  ctx: Context,
  rows: readonly DemandRow[],
): Promise<readonly Orphan[] | undefined> {
  const pools = new Set(rows.map((r) => `${String(r.InstanceType)}/${String(r.AvailabilityZone)}`));
  const found: CapacityReservation[] = [];
  try {
    for await (const page of paginateDescribeCapacityReservations(
      { client: ctx.deps.ec2, pageSize: 100 },
      {
        Filters: [
          { Name: `tag:${TAG_MANAGED_BY}`, Values: [ctx.deps.managedBy] },
          { Name: 'state', Values: [...COUNTED_STATES] },
        ],
      },
    ))
      found.push(...(page.CapacityReservations ?? []));
  } catch (error) {
    ctx.log.error('listing the reservations for orphans failed', { error: describeError(error) });
    return undefined;
  }
  return found
    .map((r) => ({
      id: r.CapacityReservationId ?? '',
      pool: r.Tags?.find((t) => t.Key === TAG_POOL)?.Value ?? '',
      instances: r.TotalInstanceCount ?? 0,
      managedBy: r.Tags?.find((t) => t.Key === TAG_MANAGED_BY)?.Value,
    }))
    .filter((r) => r.managedBy === ctx.deps.managedBy && !pools.has(r.pool))
    .map(({ id, pool, instances }) => ({ id, pool, instances }));
}
