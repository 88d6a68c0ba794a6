import {
  DeleteSnapshotCommand,
  DescribeLockedSnapshotsCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';

/** What deleting one expired snapshot came to; the last three keep it for a later try at `retryAt`. */
export type DeleteResult =
  | { readonly outcome: 'deleted' | 'already-deleted' }
  | {
      readonly outcome: 'in-use' | 'locked' | 'failed';
      readonly retryAt: Date;
      readonly error: string;
    };

const HOUR_MS = 3_600_000;
/** An AMI that uses the snapshot is not deregistered soon: try again a day later. */
const IN_USE_RETRY_MS = 24 * HOUR_MS;
/** Any other failure (throttling past the SDK's retries, a broken policy): an hour later. */
const FAILED_RETRY_MS = HOUR_MS;

/**
 * The lock on a snapshot, if any, from DescribeLockedSnapshots. The DeleteSnapshot API reference lists no
 * lock-specific error code (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshot.html),
 * so a failed delete asks EC2 whether the snapshot is locked rather than matching an error code. Lock
 * states: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LockedSnapshotsInfo.html
 */
async function lockOf(
  ec2: EC2Client,
  snapshotId: string,
): Promise<{ state: string; expiresOn?: Date } | undefined> {
  try {
    const out = await ec2.send(new DescribeLockedSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    const lock = out.Snapshots?.find((s) => s.SnapshotId === snapshotId);
    if (!lock?.LockState || lock.LockState === 'expired') return undefined;
    return {
      state: lock.LockState,
      ...(lock.LockExpiresOn ? { expiresOn: lock.LockExpiresOn } : {}),
    };
  } catch (error) {
    logger.warn('could not read the snapshot lock', { snapshotId, error: errorText(error) });
    return undefined;
  }
}

/** EC2 answered with a client error (4xx): the request was refused, so nothing was deleted. */
const refused = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status < 500;
};

/**
 * Whether EC2 still has the snapshot, after a DeleteSnapshot whose outcome is unknown (every attempt timed
 * out, lost its reply or met a 5xx). DescribeSnapshots by id answers InvalidSnapshot.NotFound, or omits the
 * id, when the snapshot is gone; undefined when the read fails too.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html ("If you specify an
 * invalid snapshot ID, an error is returned"), https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
async function stillExists(ec2: EC2Client, snapshotId: string): Promise<boolean | undefined> {
  try {
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId], OwnerIds: ['self'] }),
    );
    return (out.Snapshots ?? []).some((s) => s.SnapshotId === snapshotId);
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidSnapshot.NotFound') return false;
    logger.warn('could not check whether the snapshot still exists', {
      snapshotId,
      error: errorText(error),
    });
    return undefined;
  }
}

/**
 * Deletes one snapshot and names the outcome. NotFound on a retry of our own call means the earlier
 * attempt deleted it and its reply was lost: that counts as deleted, so the metric does not under-count.
 * Likewise when every attempt's outcome was unknown and EC2 no longer has the snapshot.
 */
export async function deleteSnapshot(
  ec2: EC2Client,
  snapshotId: string,
  now: Date,
): Promise<DeleteResult> {
  try {
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    return { outcome: 'deleted' };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'InvalidSnapshot.NotFound') {
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      return { outcome: attempts > 1 ? 'deleted' : 'already-deleted' };
    }
    if (name === 'InvalidSnapshot.InUse')
      return {
        outcome: 'in-use',
        retryAt: new Date(now.getTime() + IN_USE_RETRY_MS),
        error: errorText(error),
      };
    if (!refused(error) && (await stillExists(ec2, snapshotId)) === false) {
      logger.info('DeleteSnapshot outcome unknown, and the snapshot is gone: deleted', {
        snapshotId,
        error: errorText(error),
      });
      return { outcome: 'deleted' };
    }
    const lock = await lockOf(ec2, snapshotId);
    if (lock) {
      const expires = lock.expiresOn?.getTime() ?? now.getTime() + IN_USE_RETRY_MS;
      return {
        outcome: 'locked',
        retryAt: new Date(Math.max(expires, now.getTime() + HOUR_MS)),
        error: `locked (${lock.state}) until ${lock.expiresOn?.toISOString() ?? 'unknown'}`,
      };
    }
    return {
      outcome: 'failed',
      retryAt: new Date(now.getTime() + FAILED_RETRY_MS),
      error: errorText(error),
    };
  }
}
