import type { Snapshot, Tag, Volume } from '@aws-sdk/client-ec2';
import { logger } from '../shared/logger';
import type { CreateConfig } from './config';

/** Tag keys the create handler puts on every snapshot (besides the volume's own tags). */
export const SNAPSHOT_TAGS = {
  managedBy: 'managed-by',
  expiresAt: 'ops-autopilot:expires-at',
  run: 'ops-autopilot:run',
  volumeId: 'ops-autopilot:volume-id',
  /** On the snapshots of a crash-consistent set: `<run>/<instance id>`, the same on every member. */
  setId: 'ops-autopilot:set-id',
  instanceId: 'ops-autopilot:instance-id',
  /** On a cross-Region copy: the id of the snapshot it copies, and that snapshot's Region. */
  sourceSnapshot: 'ops-autopilot:source-snapshot',
  sourceRegion: 'ops-autopilot:source-region',
} as const;

/** The set id of an instance's crash-consistent set in a run (one set per instance and run). */
export const setIdOf = (runKey: string, instanceId: string): string => `${runKey}/${instanceId}`;

/** EC2 allows 50 tags per resource; ours take 4 of them (plus any Recycle Bin exclusion tags). */
const MAX_TAGS_PER_RESOURCE = 50;
const MAX_DESCRIPTION_LENGTH = 255;
/** Retention above this (100 years) is treated as a typo and falls back to the default. */
const MAX_RETENTION_DAYS = 36500;
const DAY_MS = 86_400_000;

/** Days to keep a volume's snapshots: the tag's value when it is a positive whole number, else the default. */
export function retentionDays(tagValue: string | undefined, defaultDays: number): number {
  const value = tagValue?.trim() ?? '';
  if (/^\d+$/.test(value)) {
    const days = Number(value);
    if (days > 0 && days <= MAX_RETENTION_DAYS) return days;
  }
  return defaultDays;
}

export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

export function expiryAfter(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}

/** An existing snapshot's expiry: its own expiry tag, or `days` after it was created. */
export function expiryOf(snapshot: Snapshot, createTime: Date, days: number): Date {
  const tagged = new Date(tagValue(snapshot.Tags, SNAPSHOT_TAGS.expiresAt) ?? Number.NaN);
  return Number.isNaN(tagged.getTime()) ? expiryAfter(createTime, days) : tagged;
}

export function snapshotDescription(volume: Volume): string {
  const volumeId = volume.VolumeId ?? 'unknown-volume';
  const name = tagValue(volume.Tags, 'Name')?.trim();
  const label = name ? `${name} (${volumeId})` : volumeId;
  return `ops-autopilot snapshot of ${label}`.slice(0, MAX_DESCRIPTION_LENGTH);
}

const isOurKey = (
  key: string,
  config: Partial<Pick<CreateConfig, 'recycleBinExclusionTags'>>,
): boolean =>
  key === SNAPSHOT_TAGS.managedBy ||
  key.startsWith('ops-autopilot:') ||
  key in (config.recycleBinExclusionTags ?? {});

type TagConfig = Pick<CreateConfig, 'managedBy'> &
  Partial<Pick<CreateConfig, 'recycleBinExclusionTags'>>;

/**
 * The source's own tags (minus `aws:` reserved keys and our own keys, capped so the total stays within EC2's
 * 50) and ours, which always win.
 */
function withSourceTags(
  source: { readonly id?: string; readonly tags?: readonly Tag[] },
  config: TagConfig,
  ours: Tag[],
): Tag[] {
  const copied = (source.tags ?? []).filter(
    (t): t is Tag & { Key: string } =>
      typeof t.Key === 'string' &&
      !t.Key.toLowerCase().startsWith('aws:') &&
      !isOurKey(t.Key, config),
  );
  const room = MAX_TAGS_PER_RESOURCE - ours.length;
  if (copied.length > room) {
    logger.warn('source has more tags than a snapshot can carry; extra tags not copied', {
      source: source.id,
      dropped: copied.slice(room).map((t) => t.Key),
    });
  }
  return [...copied.slice(0, room).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })), ...ours];
}

const commonTags = (config: TagConfig, runKey: string, expiresAt: Date): Tag[] => [
  ...Object.entries(config.recycleBinExclusionTags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  { Key: SNAPSHOT_TAGS.managedBy, Value: config.managedBy },
  { Key: SNAPSHOT_TAGS.expiresAt, Value: expiresAt.toISOString() },
  { Key: SNAPSHOT_TAGS.run, Value: runKey },
];

/** Tags for the new snapshot of a volume: the volume's own and ours. */
export function snapshotTags(
  volume: Volume,
  config: TagConfig,
  runKey: string,
  expiresAt: Date,
): Tag[] {
  return withSourceTags({ id: volume.VolumeId, tags: volume.Tags }, config, [
    ...commonTags(config, runKey, expiresAt),
    { Key: SNAPSHOT_TAGS.volumeId, Value: volume.VolumeId ?? '' },
  ]);
}

/**
 * Tags for every snapshot of an instance's crash-consistent set: the instance's own and ours, with the set id
 * (one TagSpecification applies to all the set's snapshots, so no per-volume tag: each snapshot's VolumeId says it).
 */
export function setTags(
  instance: { readonly InstanceId: string; readonly Tags?: readonly Tag[] },
  config: TagConfig,
  runKey: string,
  expiresAt: Date,
): Tag[] {
  return withSourceTags({ id: instance.InstanceId, tags: instance.Tags }, config, [
    ...commonTags(config, runKey, expiresAt),
    { Key: SNAPSHOT_TAGS.setId, Value: setIdOf(runKey, instance.InstanceId) },
    { Key: SNAPSHOT_TAGS.instanceId, Value: instance.InstanceId },
  ]);
}

/**
 * Tags for a cross-Region copy: the source snapshot's own (user tags, minus ours), its volume id and run, and
 * ours with the copy's own expiry and the source it copies (the tag a replay finds the copy by).
 */
export function copyTags(
  source: { readonly SnapshotId: string; readonly Tags?: readonly Tag[] },
  config: Pick<CreateConfig, 'managedBy'>,
  sourceRegion: string,
  expiresAt: Date,
): Tag[] {
  const kept: Tag[] = [SNAPSHOT_TAGS.run, SNAPSHOT_TAGS.volumeId, SNAPSHOT_TAGS.setId].flatMap(
    (Key: string) => {
      const Value = tagValue(source.Tags, Key);
      return Value === undefined ? [] : [{ Key, Value }];
    },
  );
  return withSourceTags({ id: source.SnapshotId, tags: source.Tags }, config, [
    ...kept,
    { Key: SNAPSHOT_TAGS.managedBy, Value: config.managedBy },
    { Key: SNAPSHOT_TAGS.expiresAt, Value: expiresAt.toISOString() },
    { Key: SNAPSHOT_TAGS.sourceSnapshot, Value: source.SnapshotId },
    { Key: SNAPSHOT_TAGS.sourceRegion, Value: sourceRegion },
  ]);
}
