import { paginateDescribeSnapshots, type EC2Client, type Snapshot } from '@aws-sdk/client-ec2';
import { logger } from '../shared/logger';
import type { SnapshotStore } from './store';
import { SNAPSHOT_TAGS, tagValue } from './tags';
import type { TaggedVolume } from './volumes';

/** Most snapshots a `count:N` rule may keep; a larger N is treated as a typo. */
const MAX_RETAIN_COUNT = 1000;
const VOLUME_IDS_PER_CALL = 100;

/**
 * Snapshots to keep by count for a volume: N of a `count:N` tag value, else the default (0: no count rule).
 * A `count:N` tag keeps the default age in days as well: a snapshot goes when either rule says so.
 */
export function retainCount(value: string | undefined, defaultCount: number): number {
  const match = /^count:(\d+)$/.exec(value?.trim() ?? '');
  const n = match ? Number(match[1]) : Number.NaN;
  return n >= 1 && n <= MAX_RETAIN_COUNT ? n : defaultCount;
}

export interface CountDeps {
  readonly ec2: EC2Client;
  readonly store: SnapshotStore;
  readonly now: () => Date;
}

/** This deployment's snapshots of the given volumes, from every run (manual snapshots carry no managed-by). */
async function managedSnapshotsOf(
  ec2: EC2Client,
  managedBy: string,
  volumeIds: readonly string[],
): Promise<Snapshot[]> {
  const found: Snapshot[] = [];
  for (let i = 0; i < volumeIds.length; i += VOLUME_IDS_PER_CALL) {
    const pages = paginateDescribeSnapshots(
      { client: ec2, pageSize: 1000 },
      {
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] },
          // The snapshot's own volume id: crash-consistent set members carry no volume-id tag.
          { Name: 'volume-id', Values: volumeIds.slice(i, i + VOLUME_IDS_PER_CALL) },
        ],
      },
    );
    for await (const page of pages) found.push(...(page.Snapshots ?? []));
  }
  return found;
}

/**
 * Retention by count: of each volume's managed snapshots (not in error state, newest first), those after the
 * first N get their record's ttl set to now, so the TTL-only delete path removes them. A snapshot a listing
 * does not show yet is never counted against its older ones: a lagging listing keeps more, never fewer.
 * Returns how many records were expired.
 */
export async function expireBeyondCount(
  deps: CountDeps,
  config: {
    readonly tagKey: string;
    readonly managedBy: string;
    readonly defaultRetainCount: number;
  },
  volumes: readonly TaggedVolume[],
): Promise<number> {
  const keep = new Map<string, number>();
  for (const v of volumes) {
    const n = retainCount(tagValue(v.Tags, config.tagKey), config.defaultRetainCount);
    if (n > 0) keep.set(v.VolumeId, n);
  }
  if (keep.size === 0) return 0;
  const byVolume = new Map<string, Snapshot[]>();
  for (const s of await managedSnapshotsOf(deps.ec2, config.managedBy, [...keep.keys()])) {
    const volumeId = tagValue(s.Tags, SNAPSHOT_TAGS.volumeId) ?? s.VolumeId;
    if (!volumeId || !s.SnapshotId || !s.StartTime || s.State === 'error') continue;
    byVolume.set(volumeId, [...(byVolume.get(volumeId) ?? []), s]);
  }
  const now = deps.now();
  let expired = 0;
  for (const [volumeId, snapshots] of byVolume) {
    const older = snapshots
      .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))
      .slice(keep.get(volumeId));
    for (const s of older) {
      await deps.store.putRecord(
        {
          snapshotId: s.SnapshotId as string,
          volumeId,
          runKey: tagValue(s.Tags, SNAPSHOT_TAGS.run) ?? '',
          createTime: s.StartTime as Date,
          expiresAt: now,
          description: s.Description ?? '',
        },
        now,
      );
      expired += 1;
    }
  }
  if (expired > 0) logger.info('snapshots expired by count', { expired });
  return expired;
}
