import {
  DescribeInstanceTypesCommand,
  type _InstanceType,
  type CapacityReservation,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { FutureDated, PoolDemand } from './rows';

/*
 * EC2's rules for a future-dated request, checked before the request so a row that breaks them gets a clear
 * Last_Error instead of an EC2 error (or an assessment that can only fail):
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-create.html#create-future-cr
 * - instance types of the C, G, I, M, R and T series only;
 * - at least 32 vCPUs in the request (instance count x vCPUs of the type);
 * - 5 to 120 days in advance (56 or more recommended);
 * - a commitment of at least 14 days (checked with the row, see rows.ts).
 */
const SERIES: ReadonlySet<string> = new Set(['c', 'g', 'i', 'm', 'r', 't']);
const MIN_VCPUS = 32;
const LEAD_DAYS = { min: 5, max: 120 } as const;
const DAY_MS = 86_400_000;

/** CreateCapacityReservation's CommitmentDuration is in seconds. */
export const commitmentSeconds = (future: FutureDated): number => future.commitmentDays * 86_400;

/** vCPUs of one instance of the type (DescribeInstanceTypes: VCpuInfo.DefaultVCpus). */
async function vcpusOf(ec2: EC2Client, instanceType: string): Promise<number | undefined> {
  const out = await ec2.send(
    new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }),
  );
  return out.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
}

/** Why a future-dated request for `instanceCount` instances cannot be made now; undefined when it can. */
export async function futureRequestProblem(
  ec2: EC2Client,
  demand: PoolDemand & { future: FutureDated },
  instanceCount: number,
  now: Date,
): Promise<string | undefined> {
  const problems: string[] = [];
  if (!SERIES.has(demand.instanceType.charAt(0)))
    problems.push(
      `${demand.instanceType} is not of the C, G, I, M, R or T series that future-dated reservations support`,
    );
  const days = (demand.future.startDate.getTime() - now.getTime()) / DAY_MS;
  if (days < LEAD_DAYS.min || days > LEAD_DAYS.max)
    problems.push(
      `Start_Date ${demand.future.startDate.toISOString()} is ${days.toFixed(1)} days ahead; EC2 accepts future-dated requests ${LEAD_DAYS.min} to ${LEAD_DAYS.max} days ahead`,
    );
  if (problems.length === 0) {
    const vcpus = await vcpusOf(ec2, demand.instanceType);
    if (vcpus !== undefined && vcpus * instanceCount < MIN_VCPUS)
      problems.push(
        `${instanceCount} x ${demand.instanceType} is ${vcpus * instanceCount} vCPUs; a future-dated request needs at least ${MIN_VCPUS}`,
      );
  }
  return problems.length > 0 ? `invalid row: ${problems.join('; ')}` : undefined;
}

/**
 * The pool's request for this very Start_Date and commitment that EC2 refused (`unsupported` after its assessment,
 * or `failed`), if any. Asking again with the same parameters would be refused the same way: the row has to change.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-view.html
 */
export function refusedRequest(
  refused: readonly CapacityReservation[],
  future: FutureDated,
): CapacityReservation | undefined {
  return refused.find(
    (r) =>
      r.StartDate?.getTime() === future.startDate.getTime() &&
      r.CommitmentInfo?.CommitmentDuration === commitmentSeconds(future),
  );
}
