import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  ModifyCapacityReservationCommand,
  paginateDescribeCapacityReservations,
  type CapacityReservation,
  type EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { OpsError } from '../shared/errors';
import { clientToken, successorToken, type ChunkIdentity } from './client-token';
import type { EndDateChange } from './end-date';
import type { ReductionStep } from './reduction';
import type { PoolDemand } from './rows';
import { commitmentSeconds } from './future';
import { COUNTED_STATES, REFUSED_STATES, RELEASED_STATES } from './states';

export const TAG_MANAGED_BY = 'managed-by';
export const TAG_POOL = 'ops-autopilot:pool';
export const INSUFFICIENT_CAPACITY = 'InsufficientInstanceCapacity';
/** Account quotas a Create can hit: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html */
export const QUOTA_ERRORS: ReadonlySet<string> = new Set([
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
]);
/** EC2's answer to a call on a reservation in a state that does not allow it. */
const INCORRECT_STATE = 'IncorrectState';
/** How many successor tokens one chunk may try before giving up for this run. */
const MAX_TOKEN_SUCCESSORS = 3;

/** EC2 answered in a way the API reference rules out (e.g. a Create without a reservation). */
class UnexpectedEc2ResponseError extends OpsError {}

/** Every token tried for a chunk returned a reservation that is dead or already counted. */
class BurntClientTokenError extends OpsError {}

/** `Code: message` of an SDK (or other) error, as stored in Last_Error. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Error', message: String(error) };
}

function tagValue(r: CapacityReservation, key: string): string | undefined {
  return r.Tags?.find((t) => t.Key === key)?.Value;
}

/** Client-side re-check of what the describe filters asked for: never count or touch anything else. */
function isOurs(r: CapacityReservation, managedBy: string, demand: PoolDemand): boolean {
  return (
    tagValue(r, TAG_MANAGED_BY) === managedBy &&
    tagValue(r, TAG_POOL) === demand.pool &&
    [...COUNTED_STATES, ...REFUSED_STATES].includes(r.State ?? '') &&
    r.InstanceType === demand.instanceType &&
    r.AvailabilityZone === demand.availabilityZone &&
    typeof r.CapacityReservationId === 'string'
  );
}

interface PoolReservations {
  /** Our live reservations of the pool. */
  readonly ours: CapacityReservation[];
  /** Returned by the filtered describe but failing the client-side re-check (should be none). */
  readonly rejected: CapacityReservation[];
  /** Our future-dated requests of the pool that EC2 refused (`unsupported`, `failed`): reported, not counted. */
  readonly refused: CapacityReservation[];
}

/**
 * Our reservations of one pool, found by its tags alone (and state), all pages: a reservation whose platform
 * or tenancy no longer matches the row is still found, so it is replaced rather than left billing.
 */
export async function describePool(
  ec2: EC2Client,
  managedBy: string,
  demand: PoolDemand,
): Promise<PoolReservations> {
  const filters: Filter[] = [
    { Name: `tag:${TAG_MANAGED_BY}`, Values: [managedBy] },
    { Name: `tag:${TAG_POOL}`, Values: [demand.pool] },
    { Name: 'state', Values: [...COUNTED_STATES, ...REFUSED_STATES] },
  ];
  const ours: CapacityReservation[] = [];
  const rejected: CapacityReservation[] = [];
  const refused: CapacityReservation[] = [];
  for await (const page of paginateDescribeCapacityReservations(
    { client: ec2, pageSize: 100 },
    { Filters: filters },
  )) {
    for (const r of page.CapacityReservations ?? []) {
      const live = COUNTED_STATES.includes(r.State ?? '');
      const list = !isOurs(r, managedBy, demand) ? rejected : live ? ours : refused;
      list.push(r);
    }
  }
  return { ours, rejected, refused };
}

export function liveTotal(reservations: readonly CapacityReservation[]): number {
  return reservations.reduce((sum, r) => sum + (r.TotalInstanceCount ?? 0), 0);
}

/** Splits a gap into chunk sizes: 23 with chunk size 10 -> [10, 10, 3]. */
export function chunkSizes(gap: number, chunkSize: number): number[] {
  const sizes: number[] = [];
  for (let left = gap; left > 0; left -= chunkSize) sizes.push(Math.min(chunkSize, left));
  return sizes;
}

interface CreatedChunk {
  readonly reservation: CapacityReservation;
  readonly id: string;
  readonly instances: number;
  readonly clientToken: string;
}

/**
 * Creates one chunk with its deterministic ClientToken. If EC2 answers the token with a reservation that
 * is not live or that is already counted (`known`), or with IdempotentParameterMismatch, the token is burnt
 * (see client-token.ts) and its deterministic successor is used instead.
 */
export async function createChunk(
  ec2: EC2Client,
  chunk: ChunkIdentity,
  known: ReadonlySet<string>,
  onBurntToken: (detail: { clientToken: string; reason: string }) => void = () => undefined,
): Promise<CreatedChunk> {
  const { demand, managedBy } = chunk;
  let token = clientToken(chunk);
  for (let attempt = 0; attempt <= MAX_TOKEN_SUCCESSORS; attempt++) {
    let reservation: CapacityReservation | undefined;
    try {
      const out = await ec2.send(
        new CreateCapacityReservationCommand({
          ClientToken: token,
          InstanceType: demand.instanceType,
          InstancePlatform: demand.platform,
          AvailabilityZone: demand.availabilityZone,
          Tenancy: demand.tenancy,
          InstanceCount: chunk.instanceCount,
          // targeted: only instances that target it (here through the stack's group) use it.
          // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateCapacityReservation.html
          InstanceMatchCriteria: demand.match,
          ...(demand.endDate
            ? { EndDateType: 'limited' as const, EndDate: demand.endDate }
            : { EndDateType: 'unlimited' as const }),
          // Future-dated: delivered at StartDate, committed for CommitmentDuration seconds, all at once.
          // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateCapacityReservation.html
          ...(demand.future
            ? {
                StartDate: demand.future.startDate,
                CommitmentDuration: commitmentSeconds(demand.future),
                DeliveryPreference: 'fixed' as const,
              }
            : {}),
          TagSpecifications: [
            {
              ResourceType: 'capacity-reservation',
              Tags: [
                { Key: TAG_MANAGED_BY, Value: managedBy },
                { Key: TAG_POOL, Value: demand.pool },
                { Key: 'Name', Value: `odcr ${demand.pool}` },
              ],
            },
          ],
        }),
      );
      reservation = out.CapacityReservation;
    } catch (error) {
      if (describeError(error).code !== 'IdempotentParameterMismatch') throw error;
      onBurntToken({ clientToken: token, reason: 'IdempotentParameterMismatch' });
      token = successorToken(token, 'IdempotentParameterMismatch');
      continue;
    }
    const id = reservation?.CapacityReservationId;
    if (!reservation || !id) {
      throw new UnexpectedEc2ResponseError(
        `CreateCapacityReservation for ${demand.pool} returned no CapacityReservation`,
      );
    }
    if (COUNTED_STATES.includes(reservation.State ?? '') && !known.has(id)) {
      return {
        reservation,
        id,
        instances: reservation.TotalInstanceCount ?? chunk.instanceCount,
        clientToken: token,
      };
    }
    const reason = `${id}:${reservation.State ?? 'unknown'}${known.has(id) ? ':counted' : ''}`;
    onBurntToken({ clientToken: token, reason });
    token = successorToken(token, reason);
  }
  throw new BurntClientTokenError(
    `CreateCapacityReservation for ${demand.pool}: ${MAX_TOKEN_SUCCESSORS + 1} client tokens in a row returned existing reservations`,
  );
}

/**
 * Whether a reservation EC2 refused to cancel (IncorrectState) is already released. After a Cancel whose
 * reply was lost, the SDK's retry is refused because the first attempt cancelled it: that is our cancel
 * done, not a failure.
 */
async function alreadyReleased(ec2: EC2Client, id: string): Promise<boolean> {
  const out = await ec2.send(
    new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }),
  );
  const state = out.CapacityReservations?.find((r) => r.CapacityReservationId === id)?.State;
  return RELEASED_STATES.includes(state ?? '');
}

/** Applies one reduction step (our reservation, re-checked before the call by the caller). */
export async function applyReduction(ec2: EC2Client, step: ReductionStep): Promise<void> {
  let out;
  try {
    out =
      step.action === 'cancel'
        ? await ec2.send(new CancelCapacityReservationCommand({ CapacityReservationId: step.id }))
        : await ec2.send(
            new ModifyCapacityReservationCommand({
              CapacityReservationId: step.id,
              InstanceCount: step.instanceCount,
            }),
          );
  } catch (error) {
    if (
      step.action === 'cancel' &&
      describeError(error).code === INCORRECT_STATE &&
      (await alreadyReleased(ec2, step.id))
    )
      return;
    throw error;
  }
  if (out.Return !== true) {
    throw new UnexpectedEc2ResponseError(
      `${step.action === 'cancel' ? 'Cancel' : 'Modify'}CapacityReservation ${step.id} returned Return=${String(out.Return)}`,
    );
  }
}

/** Sets a reservation's EndDate/EndDateType (the caller checked the state allows it). */
export async function modifyEndDate(
  ec2: EC2Client,
  id: string,
  change: EndDateChange,
): Promise<void> {
  const out = await ec2.send(
    new ModifyCapacityReservationCommand({ CapacityReservationId: id, ...change }),
  );
  if (out.Return !== true)
    throw new UnexpectedEc2ResponseError(
      `ModifyCapacityReservation ${id} (end date) returned Return=${String(out.Return)}`,
    );
}

/**
 * Switches a reservation between open and targeted in place. EC2 allows it in `active` state (also within a
 * commitment) and only while the reservation is completely idle; the caller checked both.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-modify.html
 */
export async function modifyMatchCriteria(
  ec2: EC2Client,
  id: string,
  criteria: 'open' | 'targeted',
): Promise<void> {
  const out = await ec2.send(
    new ModifyCapacityReservationCommand({
      CapacityReservationId: id,
      InstanceMatchCriteria: criteria,
    }),
  );
  if (out.Return !== true)
    throw new UnexpectedEc2ResponseError(
      `ModifyCapacityReservation ${id} (InstanceMatchCriteria ${criteria}) returned Return=${String(out.Return)}`,
    );
}
