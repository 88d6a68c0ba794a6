import type { CapacityReservation } from '@aws-sdk/client-ec2';
import { OpsError } from '../shared/errors';

/** One reservation Resource Groups did not add or remove (GroupResources/UngroupResources `Failed`). */
export interface FailedMember {
  readonly arn: string;
  readonly code: string;
  readonly message: string;
}

/**
 * The stack's capacity reservation group (a Resource Groups group configured as
 * `AWS::EC2::CapacityReservationPool`), which launch templates target; targeted reservations serve only
 * launches that target them, so each must be a member.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-group.html
 */
export interface ReservationGroup {
  readonly arn: string;
  /** GroupResources; returns the ARNs it could not add. */
  add(reservationArns: readonly string[]): Promise<readonly FailedMember[]>;
  /** UngroupResources; returns the ARNs it could not remove. */
  remove(reservationArns: readonly string[]): Promise<readonly FailedMember[]>;
}

/** Resource Groups refused to add or remove some reservations. */
export class GroupMembershipError extends OpsError {}

/** The reservations' ARNs, in a call's batch size (the SDK model's ResourceArns list holds at most 10). */
const BATCH = 10;

function batches(arns: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < arns.length; i += BATCH) out.push(arns.slice(i, i + BATCH));
  return out;
}

async function apply(
  call: (arns: readonly string[]) => Promise<readonly FailedMember[]>,
  verb: 'add' | 'remove',
  arns: readonly string[],
): Promise<void> {
  const failed: FailedMember[] = [];
  for (const batch of batches(arns)) failed.push(...(await call(batch)));
  if (failed.length > 0)
    throw new GroupMembershipError(
      `could not ${verb} ${failed.length} reservation(s) ${verb === 'add' ? 'to' : 'from'} the group: ${failed
        .map((f) => `${f.arn} ${f.code}: ${f.message}`)
        .join('; ')}`,
    );
}

/**
 * Makes the pool's live targeted reservations members of the group. Run every time the pool is reconciled, so a
 * reservation whose GroupResources reply was lost (or never sent: a crash right after CreateCapacityReservation)
 * joins on the next run. This relies on GroupResources accepting a reservation that is already a member, which
 * its reference does not state either way (moto answers it as Succeeded); a `Failed` entry is reported, not hidden.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/add-to-group.html
 */
export async function joinGroup(
  group: ReservationGroup,
  reservations: readonly CapacityReservation[],
): Promise<void> {
  const arns = reservations
    .filter((r) => r.InstanceMatchCriteria === 'targeted')
    .map((r) => r.CapacityReservationArn)
    .filter((arn): arn is string => typeof arn === 'string');
  if (arns.length > 0) await apply((b) => group.add(b), 'add', arns);
}

/**
 * Takes reservations out of the group before they are cancelled or switched to open: a group with deletion
 * protection `UNLESS_EMPTY` cannot be deleted while it has members, and the EC2 guide does not say that a
 * cancelled reservation leaves its group. Removing first is safe: a reservation whose cancel then fails is still
 * live and targeted, and joinGroup adds it back on the next run.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/remove-from-group.html
 */
export async function leaveGroup(
  group: ReservationGroup | undefined,
  reservations: readonly CapacityReservation[],
): Promise<void> {
  const arns = reservations
    .filter((r) => r.InstanceMatchCriteria === 'targeted')
    .map((r) => r.CapacityReservationArn)
    .filter((arn): arn is string => typeof arn === 'string');
  if (group && arns.length > 0) await apply((b) => group.remove(b), 'remove', arns);
}
