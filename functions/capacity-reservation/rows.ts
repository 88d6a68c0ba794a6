import {
  CapacityReservationInstancePlatform,
  CapacityReservationTenancy,
} from '@aws-sdk/client-ec2';
import { resolveZone, ZONE_ID, ZONE_NAME, type ZoneDirectory } from './zones';

/** One row of `odcr_capacity` as SELECTed; users write these with plain SQL, so nothing is trusted. */
export interface DemandRow {
  readonly InstanceType: unknown;
  readonly AvailabilityZone: unknown;
  readonly Target_Capacity: unknown;
  readonly Current_Capacity: unknown;
  readonly Platform: unknown;
  readonly Tenancy: unknown;
  readonly End_Date: unknown;
  readonly Chunk_Size: unknown;
  readonly Token_Generation?: unknown;
  /** Function-written: start of the pool's current idle stretch (usage.ts). */
  readonly Idle_Since?: unknown;
  readonly Start_Date?: unknown;
  readonly Commitment_Days?: unknown;
  /** `open` (default, also when the column is missing or NULL) or `targeted`. */
  readonly Match?: unknown;
}

/** A validated row: the demand for one pool (instance type in one Availability Zone). */
export interface PoolDemand {
  readonly instanceType: string;
  /** The zone's name in this account (a row may give the zone id instead). */
  readonly availabilityZone: string;
  /** `<InstanceType>/<AvailabilityZone as the row writes it>`, the value of tag `ops-autopilot:pool`. */
  readonly pool: string;
  readonly target: number;
  readonly platform: CapacityReservationInstancePlatform;
  readonly tenancy: CapacityReservationTenancy;
  /** Reservations created for this pool end here (EndDateType limited); undefined = unlimited. */
  readonly endDate: Date | undefined;
  readonly chunkSize: number;
  /** The pool's client-token generation (function-written, see client-token.ts). */
  readonly generation: number;
  /** Start of the pool's current idle stretch as last recorded (function-written, see usage.ts). */
  readonly idleSince: Date | null;
  /** New capacity is requested future-dated (Start_Date still ahead); undefined = for immediate use. */
  readonly future?: FutureDated;
  /**
   * Instance eligibility: `open` capacity serves any matching instance of the account; `targeted` capacity only
   * instances that target it, here through the stack's capacity reservation group.
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/cr-concepts.html
   */
  readonly match: MatchCriteria;
}

export type MatchCriteria = 'open' | 'targeted';
const MATCH_CRITERIA: ReadonlySet<string> = new Set<MatchCriteria>(['open', 'targeted']);

/** A future-dated request: EC2 delivers the capacity at startDate and it is committed for commitmentDays. */
export interface FutureDated {
  readonly startDate: Date;
  readonly commitmentDays: number;
}

type ParsedRow =
  | { readonly ok: true; readonly demand: PoolDemand }
  | { readonly ok: false; readonly error: string };

/** e.g. m5.large, c6gn.16xlarge, m7i-flex.large, u-6tb1.metal, mac2-m2pro.metal */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/** CreateCapacityReservation accepts 1..1000 instances per call. */
const MAX_CHUNK_SIZE = 1000;

const PLATFORMS: ReadonlySet<string> = new Set(Object.values(CapacityReservationInstancePlatform));
const TENANCIES: ReadonlySet<string> = new Set(Object.values(CapacityReservationTenancy));

/** INT columns arrive as numbers; DECIMAL/BIGINT ones (a hand-made table) as digit strings. */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A Date from any realm (mysql2 builds them; `instanceof` fails across vm contexts such as Jest's). */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function poolOf(instanceType: string, availabilityZone: string): string {
  return `${instanceType}/${availabilityZone}`;
}

const DAY_MS = 86_400_000;
/** EC2's minimum commitment of a future-dated reservation, in days (see future.ts for the create-time rules). */
export const MIN_COMMITMENT_DAYS = 14;

/**
 * Start_Date and Commitment_Days. A Start_Date still ahead makes new capacity future-dated, which needs a commitment
 * of at least 14 days, and an End_Date (if any) not inside it; once Start_Date has passed, both are ignored.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/cr-concepts.html#cr-commitment-duration
 */
function parseFuture(
  row: DemandRow,
  now: Date,
  endDate: Date | undefined,
  errors: string[],
): FutureDated | undefined {
  const start = row.Start_Date;
  if (start === null || start === undefined) return undefined;
  if (!isDate(start) || Number.isNaN(start.getTime())) {
    errors.push(`Start_Date ${JSON.stringify(start)} is not a date`);
    return undefined;
  }
  if (start.getTime() <= now.getTime()) return undefined;
  const days = toInteger(row.Commitment_Days);
  if (days === undefined || days < MIN_COMMITMENT_DAYS) {
    errors.push(
      `Commitment_Days ${JSON.stringify(row.Commitment_Days)} must be an integer of at least ${MIN_COMMITMENT_DAYS} with a future Start_Date`,
    );
    return undefined;
  }
  const committedUntil = new Date(start.getTime() + days * DAY_MS);
  if (endDate && endDate.getTime() < committedUntil.getTime()) {
    errors.push(
      `End_Date ${endDate.toISOString()} is inside the commitment (Start_Date + Commitment_Days = ${committedUntil.toISOString()})`,
    );
    return undefined;
  }
  return { startDate: new Date(start.getTime()), commitmentDays: days };
}

/**
 * Validates one row. Every problem is reported (joined), so a user fixing a row sees them all at once.
 */
export function parseDemandRow(
  row: DemandRow,
  options: { defaultChunkSize: number; now: Date; zones?: ZoneDirectory },
): ParsedRow {
  const errors: string[] = [];
  const instanceType = typeof row.InstanceType === 'string' ? row.InstanceType : '';
  const zoneValue = typeof row.AvailabilityZone === 'string' ? row.AvailabilityZone : '';
  let availabilityZone = zoneValue;
  if (!INSTANCE_TYPE.test(instanceType) || instanceType.length > 64) {
    errors.push(
      `InstanceType ${JSON.stringify(row.InstanceType)} is not an instance type like m5.large`,
    );
  }
  if (!ZONE_NAME.test(zoneValue) && !ZONE_ID.test(zoneValue)) {
    errors.push(
      `AvailabilityZone ${JSON.stringify(row.AvailabilityZone)} is not an Availability Zone like us-east-1a or a zone id like use1-az1`,
    );
  } else if (options.zones) {
    const zone = resolveZone(options.zones, zoneValue);
    if (zone.ok) availabilityZone = zone.name;
    else errors.push(zone.error);
  }

  const target = toInteger(row.Target_Capacity);
  if (row.Target_Capacity === null || row.Target_Capacity === undefined) {
    errors.push('Target_Capacity is NULL');
  } else if (target === undefined) {
    errors.push(`Target_Capacity ${JSON.stringify(row.Target_Capacity)} is not an integer`);
  } else if (target < 0) {
    errors.push(`Target_Capacity ${target} is negative`);
  }

  let chunkSize = options.defaultChunkSize;
  if (row.Chunk_Size !== null && row.Chunk_Size !== undefined) {
    const parsed = toInteger(row.Chunk_Size);
    if (parsed === undefined || parsed < 1 || parsed > MAX_CHUNK_SIZE) {
      errors.push(
        `Chunk_Size ${JSON.stringify(row.Chunk_Size)} must be NULL or an integer from 1 to ${MAX_CHUNK_SIZE}`,
      );
    } else {
      chunkSize = parsed;
    }
  }

  const platform = row.Platform ?? CapacityReservationInstancePlatform.LINUX_UNIX;
  if (typeof platform !== 'string' || !PLATFORMS.has(platform)) {
    errors.push(
      `Platform ${JSON.stringify(row.Platform)} is not an EC2 Capacity Reservation platform`,
    );
  }
  const tenancy = row.Tenancy ?? CapacityReservationTenancy.default;
  if (typeof tenancy !== 'string' || !TENANCIES.has(tenancy)) {
    errors.push(`Tenancy ${JSON.stringify(row.Tenancy)} must be 'default' or 'dedicated'`);
  }

  const match = row.Match ?? 'open';
  if (typeof match !== 'string' || !MATCH_CRITERIA.has(match)) {
    errors.push(`Match ${JSON.stringify(row.Match)} must be 'open' or 'targeted'`);
  }

  let endDate: Date | undefined;
  if (row.End_Date !== null && row.End_Date !== undefined) {
    const value = row.End_Date;
    if (!isDate(value) || Number.isNaN(value.getTime())) {
      errors.push(`End_Date ${JSON.stringify(value)} is not a date`);
    } else if (value.getTime() <= options.now.getTime() && target !== 0) {
      // A target of 0 releases the pool whatever its End_Date; only new capacity needs a future one.
      errors.push(`End_Date ${value.toISOString()} is in the past (End_Date is UTC)`);
    } else {
      endDate = new Date(value.getTime());
    }
  }

  // A target of 0 requests nothing, so it releases whatever Start_Date and Commitment_Days say.
  const future = target === 0 ? undefined : parseFuture(row, options.now, endDate, errors);

  if (errors.length > 0 || target === undefined) return { ok: false, error: errors.join('; ') };
  return {
    ok: true,
    demand: {
      instanceType,
      availabilityZone,
      pool: poolOf(instanceType, zoneValue),
      target,
      platform: platform as CapacityReservationInstancePlatform,
      tenancy: tenancy as CapacityReservationTenancy,
      endDate,
      chunkSize,
      generation: toInteger(row.Token_Generation) ?? 0,
      idleSince:
        isDate(row.Idle_Since) && !Number.isNaN(row.Idle_Since.getTime())
          ? new Date(row.Idle_Since.getTime())
          : null,
      ...(future ? { future } : {}),
      match: match as MatchCriteria,
    },
  };
}
