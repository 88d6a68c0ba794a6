import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Connection } from 'mysql2/promise';
import type { ReconcileConfig } from './config';
import type { RowKey } from './database';
import type { ReservationGroup } from './group';
import type { DemandRow } from './rows';

/** The part of Powertools Metrics reconcile() uses (so a benchmark can pass a no-op). */
export type MetricsSink = Pick<Metrics, 'addDimensions' | 'addMetric' | 'publishStoredMetrics'>;

export interface ReconcileDeps {
  /** One connection for the whole run: it holds the GET_LOCK lock, so it must not be a pool. */
  readonly db: Connection;
  readonly ec2: EC2Client;
  /** Value of tag `managed-by`: set on everything created, required on everything counted or reduced. */
  readonly managedBy: string;
  /** The stack's capacity reservation group; without it, rows with Match `targeted` are refused. */
  readonly group?: ReservationGroup;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  readonly now?: () => Date;
}

export type PoolStatus =
  /** At target, or changed towards it without error (Last_Error may say what has to wait). */
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
  /** Instances held by our reservations that match the row when the pool's reconciliation started. */
  readonly observed?: number;
  /** observed + created - removed: what Current_Capacity now says. */
  readonly actual?: number;
  readonly reservationsCreated: number;
  readonly instancesCreated: number;
  /** Instances released, from matching reservations and from ones replaced for the row's new attributes. */
  readonly instancesRemoved: number;
  readonly error?: string;
}

export interface Context {
  readonly deps: ReconcileDeps;
  readonly config: ReconcileConfig;
  readonly log: Logger;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
}

export const EMPTY = { reservationsCreated: 0, instancesCreated: 0, instancesRemoved: 0 } as const;

export function keyOf(row: DemandRow): RowKey {
  return { instanceType: String(row.InstanceType), availabilityZone: String(row.AvailabilityZone) };
}
