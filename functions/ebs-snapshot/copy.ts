import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopySnapshotCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { isThrottlingError } from '@smithy/core/retry';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import type { CopyConfig } from './config';
import { claimCopy, putCopyRecord, releaseCopyClaim } from './copy-store';
import { OutcomeUnknownError } from './errors';
import { copyTags, expiryAfter, SNAPSHOT_TAGS, tagValue } from './tags';

export interface CopyDeps {
  /** The EC2 client of a Region; no Region: the home Region's. */
  readonly ec2For: (region?: string) => EC2Client;
  readonly ddb: DynamoDBClient;
  readonly now: () => Date;
  /** Names this delivery's claims (the SQS message id). */
  readonly attempt: string;
}

/** What one source snapshot's copy to one Region came to. */
export type CopyOutcome = 'started' | 'found' | 'retried' | 'failed';
/** What one source snapshot came to, before any copy. */
export type SourceOutcome = 'sourceGone' | 'ignored';

/**
 * Refusals to try again later: at most 20 copies run at once per destination Region, and EC2 answers
 * ResourceLimitExceeded above that (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html,
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-resource-quotas.html); throttling past the SDK's retries.
 */
const RETRIABLE_CODES = new Set(['ResourceLimitExceeded', 'RequestLimitExceeded']);
const NOT_FOUND = 'InvalidSnapshot.NotFound';

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : '');
const retriable = (error: unknown): boolean =>
  error instanceof OutcomeUnknownError ||
  RETRIABLE_CODES.has(nameOf(error)) ||
  isThrottlingError(error as Parameters<typeof isThrottlingError>[0]);

/** The source snapshot in the home Region, or undefined when it is gone (deleted meanwhile). */
export async function sourceSnapshot(
  ec2: EC2Client,
  snapshotId: string,
): Promise<(Snapshot & { SnapshotId: string }) | undefined> {
  try {
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId], OwnerIds: ['self'] }),
    );
    const found = out.Snapshots?.find((s) => s.SnapshotId === snapshotId);
    return found ? { ...found, SnapshotId: snapshotId } : undefined;
  } catch (error) {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
    if (nameOf(error) === NOT_FOUND) return undefined;
    throw error;
  }
}

/** This deployment's copy of a source snapshot in a Region, found by the copy's source-snapshot tag. */
async function existingCopy(
  ec2: EC2Client,
  config: CopyConfig,
  sourceId: string,
): Promise<Snapshot | undefined> {
  const out = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [config.managedBy] },
        { Name: `tag:${SNAPSHOT_TAGS.sourceSnapshot}`, Values: [sourceId] },
      ],
    }),
  );
  return out.Snapshots?.find((s) => s.SnapshotId && s.State !== 'error');
}

/**
 * Copies one managed source snapshot to one Region, at most once: the copy is looked up by its tag first,
 * then claimed, then made with CopySnapshot sent to the destination Region's endpoint ("the snapshot copy is
 * sent to the regional endpoint that you sent the HTTP request to",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html), tagged at creation, and
 * recorded so the table's TTL deletes it in its Region.
 */
export async function copyToRegion(
  deps: CopyDeps,
  config: CopyConfig,
  source: Snapshot & { SnapshotId: string },
  region: string,
): Promise<CopyOutcome> {
  const ec2 = deps.ec2For(region);
  const log = { sourceSnapshotId: source.SnapshotId, region };
  const found = await existingCopy(ec2, config, source.SnapshotId);
  if (found?.SnapshotId) {
    const tagged = new Date(tagValue(found.Tags, SNAPSHOT_TAGS.expiresAt) ?? Number.NaN);
    const expiresAt = Number.isNaN(tagged.getTime())
      ? expiryAfter(found.StartTime ?? deps.now(), config.retentionDays)
      : tagged;
    await putCopyRecord(
      deps.ddb,
      config.tableName,
      { copyId: found.SnapshotId, region, sourceSnapshotId: source.SnapshotId, expiresAt },
      deps.now(),
    );
    logger.info('copy already there; recorded', { ...log, copyId: found.SnapshotId });
    return 'found';
  }
  const ref = { sourceSnapshotId: source.SnapshotId, region, attempt: deps.attempt };
  if (!(await claimCopy(deps.ddb, config.tableName, ref, deps.now(), config.claimSettleSeconds))) {
    logger.warn('another delivery is copying this snapshot; left for a later delivery', log);
    return 'retried';
  }
  const now = deps.now();
  const expiresAt = expiryAfter(now, config.retentionDays);
  const kmsKeyId = config.kmsKeyArns[region];
  let copyId: string | undefined;
  try {
    const out = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: config.homeRegion,
        SourceSnapshotId: source.SnapshotId,
        Description: `ops-autopilot copy of ${source.SnapshotId} from ${config.homeRegion}`,
        ...(kmsKeyId ? { Encrypted: true, KmsKeyId: kmsKeyId } : {}),
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: copyTags(source, config, config.homeRegion, expiresAt),
          },
        ],
      }),
    );
    copyId = out.SnapshotId;
  } catch (error) {
    // A refusal (4xx) made nothing: release the claim. An unknown outcome keeps it until the lookup can tell.
    if (!(error instanceof OutcomeUnknownError))
      await releaseCopyClaim(deps.ddb, config.tableName, ref, deps.now());
    const outcome = retriable(error) ? 'retried' : 'failed';
    logger.error('snapshot not copied', { ...log, outcome, error: errorText(error) });
    if (nameOf(error) === NOT_FOUND) throw error;
    return outcome;
  }
  if (!copyId) throw new Error(`CopySnapshot to ${region} returned no snapshot id`);
  await putCopyRecord(
    deps.ddb,
    config.tableName,
    { copyId, region, sourceSnapshotId: source.SnapshotId, expiresAt },
    deps.now(),
  );
  logger.info('snapshot copy started', { ...log, copyId, expiresAt: expiresAt.toISOString() });
  return 'started';
}

export interface CopyCounts {
  started: number;
  found: number;
  retried: number;
  failed: number;
  sourceGone: number;
  ignored: number;
}

export const noCopies = (): CopyCounts => ({
  started: 0,
  found: 0,
  retried: 0,
  failed: 0,
  sourceGone: 0,
  ignored: 0,
});

/**
 * Copies one completed snapshot to every destination Region. Snapshots that are not this deployment's
 * (no managed-by tag of ours) are ignored before anything else; a source deleted meanwhile is counted and
 * not retried. Returns whether every Region is done (else the message is delivered again).
 */
export async function copySnapshot(
  deps: CopyDeps,
  config: CopyConfig,
  snapshotId: string,
  counts: CopyCounts,
): Promise<boolean> {
  const source = await sourceSnapshot(deps.ec2For(), snapshotId);
  if (!source) {
    logger.warn('source snapshot gone before its copy; nothing to copy', { snapshotId });
    counts.sourceGone++;
    return true;
  }
  if (tagValue(source.Tags, SNAPSHOT_TAGS.managedBy) !== config.managedBy) {
    logger.info('snapshot not managed by this deployment; not copied', { snapshotId });
    counts.ignored++;
    return true;
  }
  let done = true;
  for (const region of config.copyRegions) {
    let outcome: CopyOutcome;
    try {
      outcome = await copyToRegion(deps, config, source, region);
    } catch (error) {
      if (nameOf(error) !== NOT_FOUND) throw error;
      logger.warn('source snapshot deleted while it was being copied', { snapshotId, region });
      counts.sourceGone++;
      return done;
    }
    counts[outcome]++;
    if (outcome === 'retried' || outcome === 'failed') done = false;
  }
  return done;
}
