import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import type { SweepConfig } from './config';
import { deleteSnapshot, type DeleteResult } from './delete-snapshot';
import { pacer, realSleep } from './pacer';
import { rulesApplying, type RecycleBinRules } from './recycle-bin';
import { dynamoDbSnapshotStore } from './store';
import { expiryTagOf, listManagedSnapshots, recordedIds, type ManagedSnapshot } from './sweep-list';
import { expiryAfter, SNAPSHOT_TAGS, tagValue } from './tags';
import { listTaggedVolumes } from './volumes';

export interface SweepDeps {
  readonly ec2: EC2Client;
  /** The EC2 client of a copy Region. @default `ec2` */
  readonly ec2For?: (region: string) => EC2Client;
  readonly ddb: DynamoDBClient;
  readonly recycleBin: RecycleBinRules;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time left in this invocation; deletes stop a margin before it runs out. @default unlimited */
  readonly remainingMs?: () => number;
}

export interface SweepResult {
  readonly managed: number;
  readonly expiredDeleted: number;
  readonly errorDeleted: number;
  readonly alreadyGone: number;
  readonly inUse: number;
  readonly locked: number;
  readonly deleteFailed: number;
  /** Managed snapshots without a record, now recorded so their TTL deletes them. */
  readonly strays: number;
  readonly recycleBinRules: readonly string[];
  readonly volumesMissingBackup: readonly string[];
  /** Deletes left for the next sweep because the invocation ran out of time. */
  readonly unfinished: number;
}

const HOUR_MS = 3_600_000;
const STOP_MARGIN_MS = 30_000;
const USABLE_VOLUME_STATES = new Set(['available', 'in-use']);

const tagsOf = (s: ManagedSnapshot) =>
  Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
const volumeOf = (s: ManagedSnapshot) =>
  tagValue(s.Tags, SNAPSHOT_TAGS.volumeId) ?? s.VolumeId ?? '';

/** Records the managed snapshots the table does not know (from their own tags); returns how many. */
async function recordStrays(
  deps: SweepDeps,
  config: SweepConfig,
  live: readonly ManagedSnapshot[],
): Promise<number> {
  const known = await recordedIds(
    deps.ddb,
    config.tableName,
    live.map((s) => s.SnapshotId),
  );
  const store = dynamoDbSnapshotStore(deps.ddb, config);
  let strays = 0;
  for (const s of live.filter((x) => !known.has(x.SnapshotId))) {
    const createTime = s.StartTime ?? deps.now();
    logger.warn('managed snapshot without a record; recording it', { snapshotId: s.SnapshotId });
    await store.putRecord(
      {
        snapshotId: s.SnapshotId,
        volumeId: volumeOf(s),
        runKey: tagValue(s.Tags, SNAPSHOT_TAGS.run) ?? 'unknown',
        createTime,
        expiresAt: expiryTagOf(s) ?? expiryAfter(createTime, config.defaultRetentionDays),
        description: s.Description ?? '',
      },
      deps.now(),
    );
    strays++;
  }
  return strays;
}

/** Tagged volumes (available or in use, older than the allowed age) whose newest snapshot is too old. */
async function missedBackups(
  deps: SweepDeps,
  config: SweepConfig,
  managed: readonly ManagedSnapshot[],
): Promise<string[]> {
  const newest = new Map<string, number>();
  for (const s of managed) {
    if (s.State === 'error') continue;
    const at = s.StartTime?.getTime() ?? 0;
    newest.set(volumeOf(s), Math.max(at, newest.get(volumeOf(s)) ?? 0));
  }
  const oldest = deps.now().getTime() - config.maxBackupAgeHours * HOUR_MS;
  return (await listTaggedVolumes(deps.ec2, config.tagKey))
    .filter((v) => USABLE_VOLUME_STATES.has(v.State ?? ''))
    .filter((v) => (v.CreateTime?.getTime() ?? 0) < oldest)
    .filter((v) => (newest.get(v.VolumeId) ?? 0) < oldest)
    .map((v) => v.VolumeId);
}

/**
 * The sweep over every snapshot carrying this deployment's managed-by tag, so no snapshot is left behind
 * whatever happened to its record or stream record: deletes the expired (by their own expiry tag, which
 * also makes retention exact) and the ones in error state, records the ones the table does not know,
 * reports tagged volumes whose newest snapshot is too old and Recycle Bin rules that would keep our
 * deleted snapshots. Deletes are paced to MAX_REQUESTS_PER_SECOND.
 */
export async function sweep(deps: SweepDeps, config: SweepConfig): Promise<SweepResult> {
  const now = deps.now();
  const managed = await listManagedSnapshots(deps.ec2, config.managedBy);
  const errored = managed.filter((s) => s.State === 'error');
  const expired = managed.filter(
    (s) => s.State !== 'error' && (expiryTagOf(s)?.getTime() ?? Infinity) <= now.getTime(),
  );
  const gone = new Set([...errored, ...expired].map((s) => s.SnapshotId));
  const live = managed.filter((s) => !gone.has(s.SnapshotId));

  const strays = await recordStrays(deps, config, live);
  const volumesMissingBackup = await missedBackups(deps, config, managed);
  const ourTags = {
    [SNAPSHOT_TAGS.managedBy]: config.managedBy,
    ...config.recycleBinExclusionTags,
  };
  let recycleBinRules: string[] = [];
  try {
    const tagSets = live.length > 0 ? live.map(tagsOf) : [ourTags];
    recycleBinRules = rulesApplying(await deps.recycleBin.list(), tagSets).map((r) => r.id);
  } catch (error) {
    logger.warn('could not read the Recycle Bin rules', { error: errorText(error) });
  }

  const counts = { deleted: 0, errorDeleted: 0, alreadyGone: 0, inUse: 0, locked: 0, failed: 0 };
  const paced = pacer(config.maxRequestsPerSecond, deps.now, deps.sleep ?? realSleep);
  const toDelete: Array<[EC2Client, ManagedSnapshot, string?]> = [...errored, ...expired].map(
    (s) => [deps.ec2, s],
  );
  // Cross-Region copies: the expired and the errored, found by their own tags in each copy Region, so a copy
  // whose record or delete was lost is deleted in its Region too.
  for (const region of config.copyRegions) {
    const ec2 = deps.ec2For?.(region) ?? deps.ec2;
    for (const s of await listManagedSnapshots(ec2, config.managedBy))
      if (s.State === 'error' || (expiryTagOf(s)?.getTime() ?? Infinity) <= now.getTime())
        toDelete.push([ec2, s, region]);
  }
  let done = 0;
  for (const [ec2, s, region] of toDelete) {
    if ((deps.remainingMs?.() ?? Infinity) < STOP_MARGIN_MS) break;
    await paced();
    const result: DeleteResult = await deleteSnapshot(ec2, s.SnapshotId, deps.now());
    done++;
    if (result.outcome === 'deleted') counts[s.State === 'error' ? 'errorDeleted' : 'deleted']++;
    else if (result.outcome === 'already-deleted') counts.alreadyGone++;
    else if ('retryAt' in result) {
      counts[
        result.outcome === 'in-use' ? 'inUse' : result.outcome === 'locked' ? 'locked' : 'failed'
      ]++;
      logger.error('sweep could not delete a snapshot', {
        snapshotId: s.SnapshotId,
        ...(region ? { region } : {}),
        outcome: result.outcome,
        error: result.error,
      });
    }
  }
  return {
    managed: managed.length,
    expiredDeleted: counts.deleted,
    errorDeleted: counts.errorDeleted,
    alreadyGone: counts.alreadyGone,
    inUse: counts.inUse,
    locked: counts.locked,
    deleteFailed: counts.failed,
    strays,
    recycleBinRules,
    volumesMissingBackup,
    unfinished: toDelete.length - done,
  };
}
