import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotCommand,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type EC2Client,
  type Snapshot,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import type { CreateConfig } from './config';
import { CREATE_METRICS } from './metric-names';

/** Tag keys the create handler puts on every snapshot (besides the volume's own tags). */
export const SNAPSHOT_TAGS = {
  managedBy: 'managed-by',
  expiresAt: 'ops-autopilot:expires-at',
  run: 'ops-autopilot:run',
  volumeId: 'ops-autopilot:volume-id',
} as const;

/** EC2 allows 50 tags per resource; ours take 4 of them. */
const MAX_TAGS_PER_RESOURCE = 50;
const MAX_DESCRIPTION_LENGTH = 255;
/** Retention above this (100 years) is treated as a typo and falls back to the default. */
const MAX_RETENTION_DAYS = 36500;
const DAY_MS = 86_400_000;
/** A claim item outlives its staleness window by this much before DynamoDB TTL removes it. */
const CLAIM_TTL_SECONDS = 86_400;
/** DescribeVolumes / DescribeSnapshots page sizes (the APIs' maxima). */
const VOLUME_PAGE_SIZE = 500;
const SNAPSHOT_PAGE_SIZE = 1000;

export interface SnapshotRunDeps {
  readonly ec2: EC2Client;
  readonly ddb: DynamoDBClient;
  readonly now: () => Date;
  /** Identifies this invocation's claims (so only it releases them); random by default. */
  readonly claimOwner?: string;
}

export type SnapshotRunConfig = CreateConfig;

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

/** The claim item's key for one (run, volume) pair; it never starts with `snap-`, so deletes ignore it. */
export function claimKey(runKey: string, volumeId: string): string {
  return `claim#${runKey}#${volumeId}`;
}

export function snapshotDescription(volume: Volume): string {
  const volumeId = volume.VolumeId ?? 'unknown-volume';
  const name = tagValue(volume.Tags, 'Name')?.trim();
  const label = name ? `${name} (${volumeId})` : volumeId;
  return `ops-autopilot snapshot of ${label}`.slice(0, MAX_DESCRIPTION_LENGTH);
}

const isOurKey = (key: string): boolean =>
  key === SNAPSHOT_TAGS.managedBy || key.startsWith('ops-autopilot:');

/**
 * Tags for the new snapshot: the volume's own (minus `aws:` reserved keys and our own keys, capped so
 * the total stays within EC2's 50) and ours, which always win.
 */
export function snapshotTags(
  volume: Volume,
  config: Pick<SnapshotRunConfig, 'managedBy'>,
  runKey: string,
  expiresAt: Date,
): Tag[] {
  const ours: Tag[] = [
    { Key: SNAPSHOT_TAGS.managedBy, Value: config.managedBy },
    { Key: SNAPSHOT_TAGS.expiresAt, Value: expiresAt.toISOString() },
    { Key: SNAPSHOT_TAGS.run, Value: runKey },
    { Key: SNAPSHOT_TAGS.volumeId, Value: volume.VolumeId ?? '' },
  ];
  const copied = (volume.Tags ?? []).filter(
    (t): t is Tag & { Key: string } =>
      typeof t.Key === 'string' && !t.Key.toLowerCase().startsWith('aws:') && !isOurKey(t.Key),
  );
  const room = MAX_TAGS_PER_RESOURCE - ours.length;
  if (copied.length > room) {
    logger.warn('volume has more tags than a snapshot can carry; extra tags not copied', {
      volumeId: volume.VolumeId,
      dropped: copied.slice(room).map((t) => t.Key),
    });
  }
  return [...copied.slice(0, room).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })), ...ours];
}

/** Every volume carrying the tag key, over all DescribeVolumes pages. */
export async function listTaggedVolumes(ec2: EC2Client, tagKey: string): Promise<Volume[]> {
  const byId = new Map<string, Volume>();
  const pages = paginateDescribeVolumes(
    { client: ec2, pageSize: VOLUME_PAGE_SIZE },
    { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
  );
  for await (const page of pages) {
    for (const volume of page.Volumes ?? []) {
      if (volume.VolumeId) byId.set(volume.VolumeId, volume);
    }
  }
  return [...byId.values()];
}

/** Every snapshot this deployment took in this run (one paginated DescribeSnapshots). */
export async function listRunSnapshots(
  ec2: EC2Client,
  managedBy: string,
  runKey: string,
): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: SNAPSHOT_PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SNAPSHOT_TAGS.run}`, Values: [runKey] },
        { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] },
      ],
    },
  );
  for await (const page of pages)
    snapshots.push(...(page.Snapshots ?? []).filter((s) => s.SnapshotId));
  return snapshots;
}

/** The snapshots of this run by volume id; a second one of a volume is kept aside as a stray. */
export async function snapshotsOfRun(
  ec2: EC2Client,
  managedBy: string,
  runKey: string,
): Promise<Map<string, Snapshot>> {
  const byVolume = new Map<string, Snapshot>();
  for (const snapshot of await listRunSnapshots(ec2, managedBy, runKey)) {
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

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const message = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

interface SnapshotRecord {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly createTime: Date;
  readonly expiresAt: Date;
  readonly description: string;
}

/** Idempotent overwrite of the snapshot's record; its `ttl` drives the delete handler. */
async function putRecord(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  record: SnapshotRecord,
) {
  const item: Record<string, AttributeValue> = {
    snapshot_id: { S: record.snapshotId },
    create_time: { S: record.createTime.toISOString() },
    description: { S: record.description },
    timestamp: { S: deps.now().toISOString() },
    ttl: { N: String(epochSeconds(record.expiresAt)) },
    volume_id: { S: record.volumeId },
    run: { S: runKey },
  };
  await deps.ddb.send(new PutItemCommand({ TableName: config.tableName, Item: item }));
}

/**
 * Claims the (run, volume) pair; false when another live run holds it. A claim older than
 * CLAIM_STALE_AFTER_SECONDS (its run died) or released (claimed_at 0) can be taken over.
 */
async function claim(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  volumeId: string,
  owner: string,
): Promise<boolean> {
  const now = epochSeconds(deps.now());
  try {
    await deps.ddb.send(
      new PutItemCommand({
        TableName: config.tableName,
        Item: {
          snapshot_id: { S: claimKey(runKey, volumeId) },
          claimed_at: { N: String(now) },
          claim_owner: { S: owner },
          run: { S: runKey },
          volume_id: { S: volumeId },
          ttl: { N: String(now + config.claimStaleAfterSeconds + CLAIM_TTL_SECONDS) },
        },
        ConditionExpression: 'attribute_not_exists(snapshot_id) OR claimed_at < :stale',
        ExpressionAttributeValues: { ':stale': { N: String(now - config.claimStaleAfterSeconds) } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Makes our claim immediately stale, so a retry of this run can take the volume without waiting. */
async function releaseClaim(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  volumeId: string,
  owner: string,
): Promise<void> {
  const now = epochSeconds(deps.now());
  try {
    await deps.ddb.send(
      new PutItemCommand({
        TableName: config.tableName,
        Item: {
          snapshot_id: { S: claimKey(runKey, volumeId) },
          claimed_at: { N: '0' },
          claim_owner: { S: owner },
          run: { S: runKey },
          volume_id: { S: volumeId },
          ttl: { N: String(now + CLAIM_TTL_SECONDS) },
        },
        ConditionExpression: 'claim_owner = :owner',
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
    );
  } catch (error) {
    logger.warn('could not release claim; it goes stale by itself', {
      volumeId,
      runKey,
      error: message(error),
    });
  }
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

async function recordExisting(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  volume: Volume & { VolumeId: string },
  snapshot: Snapshot & { SnapshotId: string },
): Promise<VolumeOutcome> {
  const volumeId = volume.VolumeId;
  const snapshotId = snapshot.SnapshotId;
  if (snapshot.State === 'error') {
    logger.error('snapshot of this run is in error state', { volumeId, snapshotId, runKey });
    return {
      volumeId,
      outcome: 'failed',
      step: 'existing-snapshot',
      error: 'snapshot state error',
      snapshotId,
    };
  }
  const createTime = snapshot.StartTime ?? deps.now();
  const tagged = new Date(tagValue(snapshot.Tags, SNAPSHOT_TAGS.expiresAt) ?? Number.NaN);
  const expiresAt = Number.isNaN(tagged.getTime())
    ? new Date(
        createTime.getTime() +
          retentionDays(tagValue(volume.Tags, config.tagKey), config.defaultRetentionDays) * DAY_MS,
      )
    : tagged;
  try {
    await putRecord(deps, config, runKey, {
      snapshotId,
      volumeId,
      createTime,
      expiresAt,
      description: snapshot.Description ?? snapshotDescription(volume),
    });
    return { volumeId, outcome: 'skipped', reason: 'already-snapshotted', snapshotId };
  } catch (error) {
    logger.error('could not write the record of an existing snapshot', {
      volumeId,
      snapshotId,
      runKey,
      error: message(error),
    });
    return { volumeId, outcome: 'failed', step: 'record', error: message(error), snapshotId };
  }
}

async function snapshotOne(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  volume: Volume & { VolumeId: string },
  existing: Snapshot | undefined,
  owner: string,
): Promise<VolumeOutcome> {
  const volumeId = volume.VolumeId;
  if (existing?.SnapshotId) {
    return recordExisting(deps, config, runKey, volume, {
      ...existing,
      SnapshotId: existing.SnapshotId,
    });
  }

  try {
    if (!(await claim(deps, config, runKey, volumeId, owner))) {
      logger.info('volume claimed by another run; skipped', { volumeId, runKey });
      return { volumeId, outcome: 'skipped', reason: 'claimed-by-another-run' };
    }
  } catch (error) {
    logger.error('could not claim volume', { volumeId, runKey, error: message(error) });
    return { volumeId, outcome: 'failed', step: 'claim', error: message(error) };
  }

  const startedAt = deps.now();
  const days = retentionDays(tagValue(volume.Tags, config.tagKey), config.defaultRetentionDays);
  const expiresAt = new Date(startedAt.getTime() + days * DAY_MS);
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
    logger.error('could not create snapshot', { volumeId, runKey, error: message(error) });
    if (answeredWithError(error)) await releaseClaim(deps, config, runKey, volumeId, owner);
    return { volumeId, outcome: 'failed', step: 'create', error: message(error) };
  }

  try {
    await putRecord(deps, config, runKey, {
      snapshotId,
      volumeId,
      createTime,
      expiresAt,
      description,
    });
    return { volumeId, outcome: 'created', snapshotId };
  } catch (error) {
    // The snapshot exists and carries its own expiry tag; a retry of this run (same event) finds it by
    // its run tag and writes the record then.
    logger.error('snapshot created but its record could not be written', {
      volumeId,
      snapshotId,
      runKey,
      expiresAt: expiresAt.toISOString(),
      error: message(error),
    });
    return { volumeId, outcome: 'failed', step: 'record', error: message(error), snapshotId };
  }
}

/**
 * CreateSnapshot takes no idempotency token: when a response is lost, the SDK's retry can make a second
 * snapshot. Every snapshot of the run that no outcome names gets a record too, so its TTL deletes it.
 */
async function recordStrays(
  deps: SnapshotRunDeps,
  config: SnapshotRunConfig,
  runKey: string,
  outcomes: readonly VolumeOutcome[],
): Promise<number> {
  const known = new Set(
    outcomes.flatMap((o) => ('snapshotId' in o && o.snapshotId ? [o.snapshotId] : [])),
  );
  let recorded = 0;
  for (const snapshot of await listRunSnapshots(deps.ec2, config.managedBy, runKey)) {
    const snapshotId = snapshot.SnapshotId as string;
    if (known.has(snapshotId)) continue;
    const createTime = snapshot.StartTime ?? deps.now();
    const tagged = new Date(tagValue(snapshot.Tags, SNAPSHOT_TAGS.expiresAt) ?? Number.NaN);
    const expiresAt = Number.isNaN(tagged.getTime())
      ? new Date(createTime.getTime() + config.defaultRetentionDays * DAY_MS)
      : tagged;
    const volumeId = tagValue(snapshot.Tags, SNAPSHOT_TAGS.volumeId) ?? snapshot.VolumeId ?? '';
    logger.warn('recording a stray snapshot of this run', { snapshotId, volumeId, runKey });
    try {
      await putRecord(deps, config, runKey, {
        snapshotId,
        volumeId,
        createTime,
        expiresAt,
        description: snapshot.Description ?? volumeId,
      });
      recorded++;
    } catch (error) {
      logger.error('could not record a stray snapshot; a replay of this run records it', {
        snapshotId,
        runKey,
        error: message(error),
      });
    }
  }
  return recorded;
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
  config: SnapshotRunConfig,
  runKey: string,
): Promise<SnapshotRunResult> {
  const volumes = await listTaggedVolumes(deps.ec2, config.tagKey);
  const existing =
    volumes.length > 0 ? await snapshotsOfRun(deps.ec2, config.managedBy, runKey) : new Map();
  const owner = deps.claimOwner ?? randomUUID();
  const limit = pLimit(config.concurrency);
  const outcomes = await Promise.all(
    volumes.map((volume) =>
      limit(async (): Promise<VolumeOutcome> => {
        const volumeId = volume.VolumeId as string;
        try {
          return await snapshotOne(
            deps,
            config,
            runKey,
            { ...volume, VolumeId: volumeId },
            existing.get(volumeId),
            owner,
          );
        } catch (error) {
          logger.error('unexpected failure snapshotting volume', {
            volumeId,
            runKey,
            error: message(error),
          });
          return { volumeId, outcome: 'failed', step: 'create', error: message(error) };
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

/** One structured log line and the EMF metrics for a finished run. */
export function reportRun(result: SnapshotRunResult): void {
  const failures = result.outcomes.filter((o) => o.outcome === 'failed');
  logger.info('snapshot run finished', {
    runKey: result.runKey,
    volumes: result.volumes,
    created: result.created,
    skipped: result.skipped,
    failed: result.failed,
    strays: result.strays,
    ...(failures.length > 0 ? { failures } : {}),
  });
  metrics.addMetric(CREATE_METRICS.created, MetricUnit.Count, result.created);
  metrics.addMetric(CREATE_METRICS.skipped, MetricUnit.Count, result.skipped);
  metrics.addMetric(CREATE_METRICS.failed, MetricUnit.Count, result.failed);
  metrics.publishStoredMetrics();
}
