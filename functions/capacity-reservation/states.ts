import type { CapacityReservation } from '@aws-sdk/client-ec2';

/*
 * What EC2 allows in each Capacity Reservation state, as documented:
 * - states: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CapacityReservation.html
 * - Cancel: `assessing`, or `active` with no commitment or once it has elapsed
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CancelCapacityReservation.html
 * - Modify: `active` only; within a commitment not below the committed instance count, nor an end date
 *   inside it; `assessing`/`scheduled` only tags; `pending` nothing
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyCapacityReservation.html
 */

/** States whose capacity counts toward the target: held now, or on its way (future-dated requests). */
export const COUNTED_STATES: readonly string[] = [
  'active',
  'pending',
  'assessing',
  'scheduled',
  'delayed',
];

/** End states of a future-dated request EC2 did not accept: reported, never silently retried. */
export const REFUSED_STATES: readonly string[] = ['unsupported', 'failed'];

/** States in which the capacity is released: nothing is left to cancel. */
export const RELEASED_STATES: readonly string[] = ['cancelled', 'expired'];

/** What may be done now to lower one reservation. */
export interface Changeability {
  readonly cancellable: boolean;
  /** InstanceCount can be lowered with ModifyCapacityReservation... */
  readonly modifiable: boolean;
  /** ...but not below this (the committed instance count inside a commitment, else 1). */
  readonly floor: number;
  /** Not changeable now but soon (`pending` becomes `active` within minutes): worth waiting for. */
  readonly waiting: boolean;
  /** Why it cannot be lowered now, for Last_Error. */
  readonly reason?: string;
}

function commitmentEnd(r: CapacityReservation, now: Date): Date | undefined {
  const end = r.CommitmentInfo?.CommitmentEndDate;
  return end && end.getTime() > now.getTime() ? end : undefined;
}

export function changeability(r: CapacityReservation, now: Date): Changeability {
  const state = r.State ?? 'unknown';
  if (state === 'active') {
    const end = commitmentEnd(r, now);
    if (!end) return { cancellable: true, modifiable: true, floor: 1, waiting: false };
    const committed = r.CommitmentInfo?.CommittedInstanceCount ?? r.TotalInstanceCount ?? 0;
    return {
      cancellable: false,
      modifiable: (r.TotalInstanceCount ?? 0) > committed,
      floor: Math.max(committed, 1),
      waiting: false,
      reason: `is committed until ${end.toISOString()}`,
    };
  }
  if (state === 'assessing')
    return {
      cancellable: true,
      modifiable: false,
      floor: r.TotalInstanceCount ?? 0,
      waiting: false,
    };
  return {
    cancellable: false,
    modifiable: false,
    floor: r.TotalInstanceCount ?? 0,
    waiting: state === 'pending',
    reason: `is ${state}`,
  };
}
