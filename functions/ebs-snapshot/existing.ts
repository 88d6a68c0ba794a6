import type { Snapshot } from '@aws-sdk/client-ec2';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import type { CreateConfig } from './config';
import type { SnapshotRunDeps, VolumeOutcome } from './create';
import type { SnapshotRecord } from './store';
import { expiryOf, retentionDays, snapshotDescription, SNAPSHOT_TAGS, tagValue } from './tags';
import type { TaggedVolume } from './volumes';

/**
 * The record of a snapshot this run already made: its own start time and expiry tag; without the tag,
 * `days` after its start.
 */
function recordOf(
  deps: SnapshotRunDeps,
  runKey: string,
  snapshot: Snapshot & { SnapshotId: string },
  volumeId: string,
  days: number,
  description: string,
): SnapshotRecord {
  const createTime = snapshot.StartTime ?? deps.now();
  return {
    snapshotId: snapshot.SnapshotId,
    volumeId,
    runKey,
    createTime,
    expiresAt: expiryOf(snapshot, createTime, days),
    description: snapshot.Description ?? description,
  };
}

/** (Re)writes the record of the volume's snapshot in this run; heals an earlier failed PutItem. */
export async function recordExisting(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  runKey: string,
  volume: TaggedVolume,
  snapshot: Snapshot & { SnapshotId: string },
): Promise<VolumeOutcome> {
  const volumeId = volume.VolumeId;
  const snapshotId = snapshot.SnapshotId;
  const days = retentionDays(tagValue(volume.Tags, config.tagKey), config.defaultRetentionDays);
  try {
    await deps.store.putRecord(
      recordOf(deps, runKey, snapshot, volumeId, days, snapshotDescription(volume)),
      deps.now(),
    );
    return { volumeId, outcome: 'skipped', reason: 'already-snapshotted', snapshotId };
  } catch (error) {
    logger.error('could not write the record of an existing snapshot', {
      volumeId,
      snapshotId,
      runKey,
      error: errorText(error),
    });
    return { volumeId, outcome: 'failed', step: 'record', error: errorText(error), snapshotId };
  }
}

/**
 * Records a snapshot of this run that is in error state to expire now, so the TTL delete path removes it
 * (the sweep deletes error-state snapshots too); the caller then takes a fresh snapshot of the volume.
 */
export async function recordBroken(
  deps: SnapshotRunDeps,
  runKey: string,
  volume: TaggedVolume,
  snapshot: Snapshot & { SnapshotId: string },
): Promise<void> {
  const now = deps.now();
  logger.warn('snapshot of this run is in error state; taking a fresh one', {
    volumeId: volume.VolumeId,
    snapshotId: snapshot.SnapshotId,
    runKey,
  });
  try {
    await deps.store.putRecord(
      {
        snapshotId: snapshot.SnapshotId,
        volumeId: volume.VolumeId,
        runKey,
        createTime: snapshot.StartTime ?? now,
        expiresAt: now,
        description: snapshot.Description ?? snapshotDescription(volume),
      },
      now,
    );
  } catch (error) {
    logger.error('could not record the error-state snapshot; the sweep deletes it', {
      snapshotId: snapshot.SnapshotId,
      error: errorText(error),
    });
  }
}

/**
 * CreateSnapshot takes no idempotency token: when a response is lost, the SDK's retry can make a second
 * snapshot. Every snapshot of the run that no outcome names gets a record too, so its TTL deletes it.
 */
export async function recordStrays(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  runKey: string,
  outcomes: readonly VolumeOutcome[],
  snapshots: readonly Snapshot[],
): Promise<number> {
  const known = new Set(
    outcomes.flatMap((o) => ('snapshotId' in o && o.snapshotId ? [o.snapshotId] : [])),
  );
  let recorded = 0;
  for (const snapshot of snapshots) {
    const snapshotId = snapshot.SnapshotId as string;
    // An error-state snapshot was recorded to expire at once (recordBroken); the sweep deletes it anyway.
    if (known.has(snapshotId) || snapshot.State === 'error') continue;
    const volumeId = tagValue(snapshot.Tags, SNAPSHOT_TAGS.volumeId) ?? snapshot.VolumeId ?? '';
    logger.warn('recording a stray snapshot of this run', { snapshotId, volumeId, runKey });
    try {
      const stray = { ...snapshot, SnapshotId: snapshotId };
      await deps.store.putRecord(
        recordOf(deps, runKey, stray, volumeId, config.defaultRetentionDays, volumeId),
        deps.now(),
      );
      recorded++;
    } catch (error) {
      logger.error('could not record a stray snapshot; a replay of this run records it', {
        snapshotId,
        runKey,
        error: errorText(error),
      });
    }
  }
  return recorded;
}
