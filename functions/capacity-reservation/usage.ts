import type { CapacityReservation } from '@aws-sdk/client-ec2';

/*
 * How much of a pool's reserved capacity is used, and how much of it ends soon, from the reservations the run
 * already describes. EC2 publishes the same quantities per reservation only (namespace AWS/EC2CapacityReservations:
 * InstanceUtilization, UsedInstanceCount, AvailableInstanceCount, TotalInstanceCount; dimensions
 * CapacityReservationId, InstanceType, AvailabilityZone, InstancePlatform, Tenancy, InstanceMatchCriteria, never a
 * tag), so no query over them can be grouped by pool:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservation-cw-metrics.html
 */

export interface UsageSettings {
  /** A pool whose active capacity is used below this percentage is idle. */
  readonly idleThresholdPercent: number;
  /** Reservations whose EndDate is at most this many hours away count as expiring. */
  readonly expiryWarningHours: number;
}

export interface PoolUsage {
  /** Percent of the pool's active reserved instances in use; undefined when it holds no active capacity. */
  readonly utilization?: number;
  /** Start of the current idle stretch (kept in the row's Idle_Since); null when the pool is not idle. */
  readonly idleSince: Date | null;
  /** Hours since idleSince, 0 when not idle: what the idle alarm compares with capacity_idle_alarm_hours. */
  readonly idleHours: number;
  /** Instances of the pool's live reservations whose EndDate falls within the warning window. */
  readonly expiringInstances: number;
  /** Those reservations, for the log line. */
  readonly expiring: readonly { readonly id: string; readonly endDate: string }[];
}

const HOUR_MS = 3_600_000;

/** Rounded to 2 decimals: EMF values stay short and tests compare them exactly. */
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The usage of one pool at `now`. A stretch of idleness survives from run to run through `previousIdleSince`, so
 * "idle for 24 hours" is a fact the function records, not a 24-hour window a Metrics Insights alarm would have to
 * look back over (such alarms evaluate only the latest 3 hours of data).
 */
export function poolUsage(
  reservations: readonly CapacityReservation[],
  previousIdleSince: Date | null,
  now: Date,
  settings: UsageSettings,
): PoolUsage {
  const active = reservations.filter((r) => r.State === 'active');
  const total = active.reduce((n, r) => n + (r.TotalInstanceCount ?? 0), 0);
  const available = active.reduce((n, r) => n + (r.AvailableInstanceCount ?? 0), 0);
  const utilization = total > 0 ? round2(((total - available) / total) * 100) : undefined;

  const idle = utilization !== undefined && utilization < settings.idleThresholdPercent;
  const idleSince = idle ? (previousIdleSince ?? now) : null;
  const idleHours = idleSince
    ? round2(Math.max(0, now.getTime() - idleSince.getTime()) / HOUR_MS)
    : 0;
  // EC2 ends a limited reservation within an hour after its EndDate and sends no warning before (its documented
  // expiration warning exists for Capacity Blocks only), so the warning comes from here, where the pool is known.
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CapacityReservation.html
  const horizon = now.getTime() + settings.expiryWarningHours * HOUR_MS;
  const expiring = reservations.filter(
    (r) => r.EndDateType === 'limited' && r.EndDate !== undefined && r.EndDate.getTime() <= horizon,
  );
  return {
    ...(utilization !== undefined ? { utilization } : {}),
    idleSince,
    idleHours,
    expiringInstances: expiring.reduce((n, r) => n + (r.TotalInstanceCount ?? 0), 0),
    expiring: expiring.map((r) => ({
      id: r.CapacityReservationId ?? '',
      endDate: (r.EndDate as Date).toISOString(),
    })),
  };
}
