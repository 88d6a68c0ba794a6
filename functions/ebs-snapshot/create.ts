import { CreateSnapshotCommand, type EC2Client, type Snapshot } from '@aws-sdk/client-ec2';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import type { CreateConfig } from './config';
import { recordBroken, recordExisting } from './existing';
import type { ClaimRef, SnapshotStore } from './store';
import { expiryAfter, retentionDays, snapshotDescription, snapshotTags, tagValue } from './tags';
import { findRunSnapshot, type TaggedVolume } from './volumes';

export interface SnapshotRunDeps {
  readonly ec2: EC2Client;
  readonly store: SnapshotStore;
  readonly now: () => Date;
  /** Waits (real time in Lambda; a test clock moves on at once). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Identifies this attempt (invocation) of the run in its claims; random by default. */
  readonly attempt?: string;
}

export type VolumeOutcome =
  | { readonly volumeId: string; readonly outcome: 'created'; readonly snapshotId: string }
  | {
      readonly volumeId: string;
      readonly outcome: 'skipped';
      readonly reason:
        | 'already-snapshotted'
        | 'claimed-by-another-attempt'
        /** `creating`: it gets its snapshot next run. */
        | 'volume-not-ready'
        /** `deleting`, `deleted` or `error`: nothing to snapshot. */
        | 'volume-unusable'
        /** Deleted between the listing and CreateSnapshot. */
        | 'volume-gone'
        /** Snapshotted by the crash-consistent set of its tagged instance (CreateSnapshots) instead. */
        | 'in-instance-set'
        /** A tagged instance gone between the listing and CreateSnapshots. */
        | 'instance-gone';
      readonly snapshotId?: string;
    }
  | {
      readonly volumeId: string;
      readonly outcome: 'failed';
      readonly step: 'record' | 'claim' | 'create' | 'create-set' | 'existing-snapshot';
      readonly error: string;
      readonly snapshotId?: string;
    };

/** A volume to look at again once `since` is CLAIM_SETTLE_SECONDS old: held by `holder`, or unknown. */
interface Deferred {
  readonly volume: TaggedVolume;
  readonly holder: string;
  readonly since: Date;
}

export type Step = VolumeOutcome | Deferred;
export const isDeferred = (s: Step): s is Deferred => 'holder' in s;

export interface SnapshotRunCounts {
  readonly volumes: number;
  readonly created: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface SnapshotRunResult extends SnapshotRunCounts {
  readonly runKey: string;
  /** Snapshots of this run that no outcome named (e.g. a lost CreateSnapshot reply), found and recorded. */
  readonly strays: number;
  /** Managed snapshots beyond a `count:N` rule whose record was set to expire now. */
  readonly expiredByCount: number;
  readonly outcomes: readonly VolumeOutcome[];
}

export interface Run {
  readonly deps: SnapshotRunDeps;
  readonly config: CreateConfig;
  readonly runKey: string;
  readonly attempt: string;
  readonly sleep: (ms: number) => Promise<void>;
  /** Waits for the next CreateSnapshot slot under MAX_REQUESTS_PER_SECOND. */
  readonly pace: () => Promise<void>;
}

/** EC2 answered with a client error (4xx): nothing was created, so the claim can be released. */
export const refused = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status !== undefined && status < 500;
};

/** Releases our claim so a retry of this run can take the volume at once; if it fails, the retry takes it over. */
export async function releaseClaim(run: Run, ref: ClaimRef): Promise<void> {
  try {
    await run.deps.store.release(ref, run.deps.now());
  } catch (error) {
    logger.warn('could not release claim; a retry of the run takes it over', {
      volumeId: ref.volumeId,
      runKey: ref.runKey,
      error: errorText(error),
    });
  }
}

/** CreateSnapshot under our claim, then the record. An unknown outcome is deferred, never retried blindly. */
async function create(run: Run, volume: TaggedVolume, deferredOnce: boolean): Promise<Step> {
  const { deps, config, runKey } = run;
  const volumeId = volume.VolumeId;
  const startedAt = deps.now();
  const days = retentionDays(tagValue(volume.Tags, config.tagKey), config.defaultRetentionDays);
  const expiresAt = expiryAfter(startedAt, days);
  const description = snapshotDescription(volume);
  let snapshotId: string;
  let createTime: Date;
  await run.pace();
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
    if ((error as Error).name === 'InvalidVolume.NotFound') {
      logger.warn('volume deleted before its snapshot; skipped', { volumeId, runKey });
      await releaseClaim(run, { runKey, volumeId, attempt: run.attempt });
      return { volumeId, outcome: 'skipped', reason: 'volume-gone' };
    }
    if (refused(error)) {
      logger.error('could not create snapshot', { volumeId, runKey, error: errorText(error) });
      await releaseClaim(run, { runKey, volumeId, attempt: run.attempt });
      return { volumeId, outcome: 'failed', step: 'create', error: errorText(error) };
    }
    if (!deferredOnce) {
      logger.warn('CreateSnapshot outcome unknown; checking by tag later', {
        volumeId,
        runKey,
        error: errorText(error),
      });
      return { volume, holder: run.attempt, since: startedAt };
    }
    logger.error('CreateSnapshot outcome unknown twice; the claim stays for a retry of the run', {
      volumeId,
      runKey,
      error: errorText(error),
    });
    return { volumeId, outcome: 'failed', step: 'create', error: errorText(error) };
  }
  try {
    await deps.store.putRecord(
      { snapshotId, volumeId, runKey, createTime, expiresAt, description },
      deps.now(),
    );
    return { volumeId, outcome: 'created', snapshotId };
  } catch (error) {
    // The snapshot carries its own expiry tag; a retry of this run (or any later sweep) records it.
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

/** Claims the volume for this attempt and snapshots it; a claim held by another attempt is deferred. */
async function claimAndCreate(run: Run, volume: TaggedVolume): Promise<Step> {
  const volumeId = volume.VolumeId;
  const ref = { runKey: run.runKey, volumeId, attempt: run.attempt };
  try {
    const claim = await run.deps.store.claim(ref, run.deps.now());
    if (!claim.taken) return { volume, holder: claim.attempt, since: claim.claimedAt };
  } catch (error) {
    logger.error('could not claim volume', {
      volumeId,
      runKey: run.runKey,
      error: errorText(error),
    });
    return { volumeId, outcome: 'failed', step: 'claim', error: errorText(error) };
  }
  return create(run, volume, false);
}

/**
 * A deferred volume, once its claim is CLAIM_SETTLE_SECONDS old: a snapshot listed under the run's tags
 * is recorded; otherwise the claim is taken over (its attempt made nothing, or died) and the volume
 * snapshotted. So a lost reply, a failed release or a dead attempt never skips a volume.
 */
export async function resolve(run: Run, d: Deferred): Promise<Step> {
  const { deps, config, runKey } = run;
  const volumeId = d.volume.VolumeId;
  const settledAt = d.since.getTime() + config.claimSettleSeconds * 1000;
  await run.sleep(settledAt - deps.now().getTime());
  const found = await findRunSnapshot(deps.ec2, config.managedBy, runKey, volumeId);
  if (found?.State === 'error') await recordBroken(deps, runKey, d.volume, found);
  else if (found) {
    const outcome = await recordExisting(deps, config, runKey, d.volume, found);
    return d.holder === run.attempt && outcome.outcome === 'skipped'
      ? { volumeId, outcome: 'created', snapshotId: found.SnapshotId }
      : outcome;
  }
  if (d.holder !== run.attempt) {
    const ref = { runKey, volumeId, attempt: run.attempt };
    if (!(await deps.store.takeOver(ref, d.holder, deps.now()))) {
      logger.info('volume taken by another live attempt of the run', { volumeId, runKey });
      return { volumeId, outcome: 'skipped', reason: 'claimed-by-another-attempt' };
    }
    logger.info('took over the claim of an earlier attempt that made no snapshot', {
      volumeId,
      runKey,
      from: d.holder,
    });
  }
  return create(run, d.volume, true);
}

/**
 * Only `available` and `in-use` volumes can be snapshotted
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html): the others are skipped and
 * reported, so a volume that can never be snapshotted does not fail every run and hide real failures.
 */
function unusable(volume: TaggedVolume): VolumeOutcome | undefined {
  if (volume.State === 'available' || volume.State === 'in-use') return undefined;
  const reason = volume.State === 'creating' ? 'volume-not-ready' : 'volume-unusable';
  logger.warn('volume not snapshotted in its state', {
    volumeId: volume.VolumeId,
    state: volume.State,
  });
  return { volumeId: volume.VolumeId, outcome: 'skipped', reason };
}

/** First look at a volume: its state, then this run's snapshot of it (recorded), else claim and create. */
export async function firstPass(
  run: Run,
  volume: TaggedVolume,
  snapshot?: Snapshot,
): Promise<Step> {
  const skipped = unusable(volume);
  if (skipped) return skipped;
  if (snapshot?.SnapshotId) {
    const found = { ...snapshot, SnapshotId: snapshot.SnapshotId };
    if (snapshot.State !== 'error')
      return recordExisting(run.deps, run.config, run.runKey, volume, found);
    await recordBroken(run.deps, run.runKey, volume, found);
  }
  return claimAndCreate(run, volume);
}

export const failedUnexpectedly = (
  volumeId: string,
  runKey: string,
  error: unknown,
): VolumeOutcome => {
  logger.error('unexpected failure snapshotting volume', {
    volumeId,
    runKey,
    error: errorText(error),
  });
  return { volumeId, outcome: 'failed', step: 'create', error: errorText(error) };
};
