import { CreateSnapshotCommand, type EC2Client, type Snapshot } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import type { CreateConfig } from './config';
import { recordExisting, recordStrays } from './existing';
import type { ClaimRef, SnapshotStore } from './store';
import { expiryAfter, retentionDays, snapshotDescription, snapshotTags, tagValue } from './tags';
import { listTaggedVolumes, snapshotsOfRun, type TaggedVolume } from './volumes';

export interface SnapshotRunDeps {
  readonly ec2: EC2Client;
  readonly store: SnapshotStore;
  readonly now: () => Date;
  /** Identifies this invocation's claims (so only it releases them); random by default. */
  readonly claimOwner?: string;
}

export type VolumeOutcome =
  | { readonly volumeId: string; readonly outcome: 'created'; readonly snapshotId: string }
  | {
      readonly volumeId: string;
      readonly outcome: 'skipped';
      readonly reason: 'already-snapshotted' | 'claimed-by-another-run';
      readonly snapshotId?: string;
    }
  | {
      readonly volumeId: string;
      readonly outcome: 'failed';
      readonly step: 'record' | 'claim' | 'create' | 'existing-snapshot';
      readonly error: string;
      readonly snapshotId?: string;
    };

export interface SnapshotRunCounts {
  readonly volumes: number;
  readonly created: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface SnapshotRunResult extends SnapshotRunCounts {
  readonly runKey: string;
  /** Extra snapshots of this run (a retried CreateSnapshot) that were found and recorded. */
  readonly strays: number;
  readonly outcomes: readonly VolumeOutcome[];
}

/**
 * EC2 answered the (last) CreateSnapshot attempt with an error response, so it created nothing and
 * the claim can be released for a retry of this run. With no response at all (timeout, connection
 * reset) the outcome is unknown: the claim is kept until it goes stale, by which time DescribeSnapshots
 * shows the snapshot if it was made.
 */
function answeredWithError(error: unknown): boolean {
  return (
    (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode !== undefined
  );
}

/** Makes our claim immediately stale, so a retry of this run can take the volume without waiting. */
async function releaseClaim(deps: SnapshotRunDeps, ref: ClaimRef): Promise<void> {
  try {
    await deps.store.release(ref, deps.now());
  } catch (error) {
    logger.warn('could not release claim; it goes stale by itself', {
      volumeId: ref.volumeId,
      runKey: ref.runKey,
      error: errorText(error),
    });
  }
}

/** Claims the volume (losing the claim means a concurrent run owns it), snapshots it, records it. */
async function snapshotOne(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  ref: ClaimRef,
  volume: TaggedVolume,
): Promise<VolumeOutcome> {
  const { volumeId, runKey } = ref;
  try {
    if (!(await deps.store.claim(ref, deps.now()))) {
      logger.info('volume claimed by another run; skipped', { volumeId, runKey });
      return { volumeId, outcome: 'skipped', reason: 'claimed-by-another-run' };
    }
  } catch (error) {
    logger.error('could not claim volume', { volumeId, runKey, error: errorText(error) });
    return { volumeId, outcome: 'failed', step: 'claim', error: errorText(error) };
  }

  const startedAt = deps.now();
  const days = retentionDays(tagValue(volume.Tags, config.tagKey), config.defaultRetentionDays);
  const expiresAt = expiryAfter(startedAt, days);
  const description = snapshotDescription(volume);
  let snapshotId: string;
  let createTime: Date;
  try {
    const created = await deps.ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: description,
        TagSpecifications: [
          { ResourceType: 'snapshot', Tags: snapshotTags(volume, config, runKey, expiresAt) },
        ],
      }),
    );
    if (!created.SnapshotId) throw new Error('CreateSnapshot returned no SnapshotId');
    snapshotId = created.SnapshotId;
    createTime = created.StartTime ?? startedAt;
  } catch (error) {
    logger.error('could not create snapshot', { volumeId, runKey, error: errorText(error) });
    if (answeredWithError(error)) await releaseClaim(deps, ref);
    return { volumeId, outcome: 'failed', step: 'create', error: errorText(error) };
  }

  try {
    await deps.store.putRecord(
      { snapshotId, volumeId, runKey, createTime, expiresAt, description },
      deps.now(),
    );
    return { volumeId, outcome: 'created', snapshotId };
  } catch (error) {
    // The snapshot exists and carries its own expiry tag; a retry of this run (same event) finds it by
    // its run tag and writes the record then.
    logger.error('snapshot created but its record could not be written', {
      volumeId,
      snapshotId,
      runKey,
      expiresAt: expiresAt.toISOString(),
      error: errorText(error),
    });
    return { volumeId, outcome: 'failed', step: 'record', error: errorText(error), snapshotId };
  }
}

/**
 * Snapshots every volume tagged with `config.tagKey`, once per run key:
 * 1. lists the tagged volumes and the snapshots this deployment already took in this run;
 * 2. a volume that has one gets its record (re)written (heals an earlier failed PutItem);
 * 3. any other volume is claimed in DynamoDB (losing the claim means a concurrent run owns it),
 *    snapshotted, and recorded.
 * Volumes are handled with bounded concurrency; one volume's failure never stops the others.
 * Listing failures (DescribeVolumes, DescribeSnapshots) throw: nothing is created without them.
 */
export async function snapshotVolumes(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  runKey: string,
): Promise<SnapshotRunResult> {
  const volumes = await listTaggedVolumes(deps.ec2, config.tagKey);
  const existing: Map<string, Snapshot> =
    volumes.length > 0 ? await snapshotsOfRun(deps.ec2, config.managedBy, runKey) : new Map();
  const owner = deps.claimOwner ?? randomUUID();
  const limit = pLimit(config.concurrency);
  const outcomes = await Promise.all(
    volumes.map((volume) =>
      limit(async (): Promise<VolumeOutcome> => {
        const volumeId = volume.VolumeId;
        const snapshot = existing.get(volumeId);
        try {
          return snapshot?.SnapshotId
            ? await recordExisting(deps, config, runKey, volume, {
                ...snapshot,
                SnapshotId: snapshot.SnapshotId,
              })
            : await snapshotOne(deps, config, { runKey, volumeId, owner }, volume);
        } catch (error) {
          logger.error('unexpected failure snapshotting volume', {
            volumeId,
            runKey,
            error: errorText(error),
          });
          return { volumeId, outcome: 'failed', step: 'create', error: errorText(error) };
        }
      }),
    ),
  );
  const strays = volumes.length > 0 ? await recordStrays(deps, config, runKey, outcomes) : 0;
  const count = (o: VolumeOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  return {
    runKey,
    strays,
    volumes: volumes.length,
    created: count('created'),
    skipped: count('skipped'),
    failed: count('failed'),
    outcomes,
  };
}
