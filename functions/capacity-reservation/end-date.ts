import type { CapacityReservation, EndDateType } from '@aws-sdk/client-ec2';
import type { PoolDemand } from './rows';

/** What ModifyCapacityReservation is asked to set: limited with a date, or unlimited without one. */
export interface EndDateChange {
  readonly EndDateType: EndDateType;
  readonly EndDate?: Date;
}

export type EndDateStep =
  | { readonly kind: 'modify'; readonly id: string; readonly change: EndDateChange }
  | { readonly kind: 'blocked'; readonly id: string; readonly reason: string };

const sameSecond = (a: Date | undefined, b: Date) =>
  a !== undefined && Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);

/**
 * What keeps a reservation's end in step with its row (End_Date, or unlimited when it is NULL), in the
 * states EC2 allows: only an `active` reservation takes a new EndDate/EndDateType, and inside a commitment
 * not one before the commitment ends
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyCapacityReservation.html).
 */
export function endDateStep(
  r: CapacityReservation,
  demand: PoolDemand,
  now: Date,
): EndDateStep | undefined {
  const id = r.CapacityReservationId as string;
  const want: EndDateChange = demand.endDate
    ? { EndDateType: 'limited', EndDate: demand.endDate }
    : { EndDateType: 'unlimited' };
  const same =
    r.EndDateType === want.EndDateType &&
    (want.EndDate === undefined || sameSecond(r.EndDate, want.EndDate));
  if (same) return undefined;
  if (r.State !== 'active') return { kind: 'blocked', id, reason: `is ${r.State ?? 'unknown'}` };
  const committedUntil = r.CommitmentInfo?.CommitmentEndDate;
  if (
    want.EndDate &&
    committedUntil &&
    committedUntil.getTime() > now.getTime() &&
    want.EndDate.getTime() < committedUntil.getTime()
  )
    return { kind: 'blocked', id, reason: `is committed until ${committedUntil.toISOString()}` };
  return { kind: 'modify', id, change: want };
}
