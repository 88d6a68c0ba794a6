import {
  DescribeVolumesCommand,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type EC2Client,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import { logger } from '../shared/logger';
import { SNAPSHOT_TAGS, tagValue } from './tags';

/** DescribeVolumes / DescribeSnapshots page sizes (the APIs' maxima). */
const VOLUME_PAGE_SIZE = 500;
const SNAPSHOT_PAGE_SIZE = 1000;

export type TaggedVolume = Volume & { readonly VolumeId: string };

/** Every volume carrying the tag key, over all DescribeVolumes pages. */
export async function listTaggedVolumes(ec2: EC2Client, tagKey: string): Promise<TaggedVolume[]> {
  const byId = new Map<string, TaggedVolume>();
  const pages = paginateDescribeVolumes(
    { client: ec2, pageSize: VOLUME_PAGE_SIZE },
    { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
  );
  for await (const page of pages) {
    for (const volume of page.Volumes ?? []) {
      if (volume.VolumeId) byId.set(volume.VolumeId, { ...volume, VolumeId: volume.VolumeId });
    }
  }
  return [...byId.values()];
}

/** One DescribeVolumes page of the volumes carrying the tag key (filtered and paginated, so EC2 takes
 * tokens from the larger non-mutating bucket), and the token of the next page. */
export async function taggedVolumePage(
  ec2: EC2Client,
  tagKey: string,
  pageToken: string | undefined,
): Promise<{ volumes: TaggedVolume[]; next?: string }> {
  const page = await ec2.send(
    new DescribeVolumesCommand({
      Filters: [{ Name: 'tag-key', Values: [tagKey] }],
      MaxResults: VOLUME_PAGE_SIZE,
      ...(pageToken ? { NextToken: pageToken } : {}),
    }),
  );
  const volumes = (page.Volumes ?? [])
    .filter((v): v is TaggedVolume => typeof v.VolumeId === 'string')
    .map((v) => ({ ...v, VolumeId: v.VolumeId }));
  return { volumes, ...(page.NextToken ? { next: page.NextToken } : {}) };
}

/** Volume ids per DescribeSnapshots filter: well below EC2's limit on filter values. */
const VOLUME_IDS_PER_CALL = 100;

/** This run's snapshots of the given volumes (by the run, managed-by and volume-id tags). */
export async function runSnapshotsOf(
  ec2: EC2Client,
  managedBy: string,
  runKey: string,
  volumeIds: readonly string[],
): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  for (let i = 0; i < volumeIds.length; i += VOLUME_IDS_PER_CALL) {
    const pages = paginateDescribeSnapshots(
      { client: ec2, pageSize: SNAPSHOT_PAGE_SIZE },
      {
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${SNAPSHOT_TAGS.run}`, Values: [runKey] },
          { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] },
          {
            Name: `tag:${SNAPSHOT_TAGS.volumeId}`,
            Values: volumeIds.slice(i, i + VOLUME_IDS_PER_CALL),
          },
        ],
      },
    );
    for await (const page of pages)
      snapshots.push(...(page.Snapshots ?? []).filter((s) => s.SnapshotId));
  }
  return snapshots;
}

/** This run's snapshots by volume id; of two for one volume, the one not in error state. */
export function byVolume(snapshots: readonly Snapshot[], runKey: string): Map<string, Snapshot> {
  const byVolume = new Map<string, Snapshot>();
  for (const snapshot of snapshots) {
    const volumeId = tagValue(snapshot.Tags, SNAPSHOT_TAGS.volumeId) ?? snapshot.VolumeId;
    if (!volumeId) continue;
    const seen = byVolume.get(volumeId);
    if (seen) {
      logger.warn('more than one snapshot of a volume in one run', {
        volumeId,
        runKey,
        snapshotIds: [seen.SnapshotId, snapshot.SnapshotId],
      });
      if (seen.State !== 'error') continue;
    }
    byVolume.set(volumeId, snapshot);
  }
  return byVolume;
}

/** This run's snapshot of one volume, if DescribeSnapshots lists one (an error-state one only if alone). */
export async function findRunSnapshot(
  ec2: EC2Client,
  managedBy: string,
  runKey: string,
  volumeId: string,
): Promise<(Snapshot & { SnapshotId: string }) | undefined> {
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: SNAPSHOT_PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SNAPSHOT_TAGS.run}`, Values: [runKey] },
        { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] },
        { Name: `tag:${SNAPSHOT_TAGS.volumeId}`, Values: [volumeId] },
      ],
    },
  );
  const found: Snapshot[] = [];
  for await (const page of pages) found.push(...(page.Snapshots ?? []).filter((s) => s.SnapshotId));
  const best = found.find((s) => s.State !== 'error') ?? found[0];
  return best ? { ...best, SnapshotId: best.SnapshotId as string } : undefined;
}
