import { z } from 'zod';
import { parseEvent } from '../shared/parse';

/**
 * The EBS events that say snapshots are complete, as the EventBridge rule forwards them to the copy queue
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html#snapshot-events):
 * - `createSnapshot` ("EBS Snapshot Notification"): `detail.snapshot_id` is the snapshot's ARN;
 * - `createSnapshots` ("EBS Multi-Volume Snapshots Completion Status"): `detail.snapshots` lists each
 *   snapshot of the set with its own `status`.
 * Both carry `result` "succeeded" or "failed"; the rule passes only "succeeded".
 */
export const SNAPSHOT_EVENT_DETAIL_TYPES = [
  'EBS Snapshot Notification',
  'EBS Multi-Volume Snapshots Completion Status',
] as const;

const SNAPSHOT_ARN = /snapshot\/(snap-[0-9a-f]+)$/;
const snapshotArn = z.string().regex(SNAPSHOT_ARN);

const SingleDetail = z.looseObject({
  event: z.literal('createSnapshot'),
  result: z.string(),
  snapshot_id: snapshotArn,
});
const SetDetail = z.looseObject({
  event: z.literal('createSnapshots'),
  result: z.string(),
  snapshots: z.array(z.looseObject({ snapshot_id: snapshotArn, status: z.string().optional() })),
});

const SnapshotEventSchema = z.looseObject({
  source: z.literal('aws.ec2'),
  'detail-type': z.enum(SNAPSHOT_EVENT_DETAIL_TYPES),
  region: z.string().min(1),
  detail: z.discriminatedUnion('event', [SingleDetail, SetDetail]),
});

const idOf = (arn: string): string => (SNAPSHOT_ARN.exec(arn) as RegExpExecArray)[1] as string;

/**
 * The ids of the snapshots an SQS message's EventBridge event says are complete: none for a failed result,
 * only the `completed` members of a set. A body that is not such an event is an InvalidEventError.
 */
export function completedSnapshots(body: string): { region: string; snapshotIds: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = body;
  }
  const event = parseEvent(SnapshotEventSchema, json, 'an EBS snapshot completion event');
  const { detail } = event;
  if (detail.result !== 'succeeded') return { region: event.region, snapshotIds: [] };
  const snapshotIds =
    detail.event === 'createSnapshot'
      ? [idOf(detail.snapshot_id)]
      : detail.snapshots
          .filter((s) => s.status === undefined || s.status === 'completed')
          .map((s) => idOf(s.snapshot_id));
  return { region: event.region, snapshotIds };
}
