import {
  CreateSnapshotsCommand,
  paginateDescribeSnapshots,
  type EC2Client,
  type Snapshot,
  type SnapshotInfo,
} from '@aws-sdk/client-ec2';
import pLimit from 'p-limit';
import { errorText } from '../shared/errors';
import { logger } from '../shared/logger';
import { expireBeyondCount } from './count';
import { refused, releaseClaim, type Run, type VolumeOutcome } from './create';
import { taggedInstancePage, type TaggedInstance } from './instances';
import {
  expiryAfter,
  expiryOf,
  retentionDays,
  setIdOf,
  setTags,
  SNAPSHOT_TAGS,
  tagValue,
} from './tags';
import type { TaggedVolume } from './volumes';

const SET_IDS_PER_CALL = 100;
const MAX_DESCRIPTION_LENGTH = 255;

/** An instance to look at again once `since` is CLAIM_SETTLE_SECONDS old (its set held by `holder`, or unknown). */
interface DeferredSet {
  readonly instance: TaggedInstance;
  readonly holder: string;
  readonly since: Date;
}
type SetStep = VolumeOutcome[] | DeferredSet;
const isDeferredSet = (s: SetStep): s is DeferredSet => !Array.isArray(s);

const setDescription = (instance: TaggedInstance): string => {
  const name = tagValue(instance.Tags, 'Name')?.trim();
  const label = name ? `${name} (${instance.InstanceId})` : instance.InstanceId;
  return `ops-autopilot crash-consistent set of ${label}`.slice(0, MAX_DESCRIPTION_LENGTH);
};

const setRetentionDays = (run: Run, instance: TaggedInstance) =>
  retentionDays(
    tagValue(instance.Tags, run.config.instanceTagKey),
    run.config.defaultRetentionDays,
  );

/** This run's set snapshots of the given instances, by instance id (found by the set-id and managed-by tags). */
async function setSnapshotsOf(
  ec2: EC2Client,
  managedBy: string,
  runKey: string,
  instanceIds: readonly string[],
): Promise<Map<string, Snapshot[]>> {
  const byInstance = new Map<string, Snapshot[]>();
  for (let i = 0; i < instanceIds.length; i += SET_IDS_PER_CALL) {
    const setIds = instanceIds.slice(i, i + SET_IDS_PER_CALL).map((id) => setIdOf(runKey, id));
    const pages = paginateDescribeSnapshots(
      { client: ec2, pageSize: 1000 },
      {
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] },
          { Name: `tag:${SNAPSHOT_TAGS.setId}`, Values: setIds },
        ],
      },
    );
    for await (const page of pages)
      for (const s of page.Snapshots ?? []) {
        const instanceId = tagValue(s.Tags, SNAPSHOT_TAGS.instanceId);
        if (!instanceId || !s.SnapshotId) continue;
        byInstance.set(instanceId, [...(byInstance.get(instanceId) ?? []), s]);
      }
  }
  return byInstance;
}

/**
 * Records every snapshot of the instance's set: with its own expiry tag, or, in error state, to expire now (the
 * set is then reported failed: a broken member spoils the crash-consistent set, and the next run takes a new one).
 */
async function recordSet(
  run: Run,
  instance: TaggedInstance,
  snapshots: readonly (Snapshot | SnapshotInfo)[],
  made: boolean,
): Promise<VolumeOutcome[]> {
  const { deps, runKey } = run;
  const now = deps.now();
  const days = setRetentionDays(run, instance);
  return Promise.all(
    snapshots.map(async (s): Promise<VolumeOutcome> => {
      const snapshotId = s.SnapshotId as string;
      const volumeId = s.VolumeId ?? instance.InstanceId;
      const broken = s.State === 'error';
      const createTime = s.StartTime ?? now;
      try {
        await deps.store.putRecord(
          {
            snapshotId,
            volumeId,
            runKey,
            createTime,
            expiresAt: broken ? now : expiryOf({ Tags: s.Tags }, createTime, days),
            description: s.Description ?? setDescription(instance),
          },
          now,
        );
      } catch (error) {
        logger.error('could not write the record of a set snapshot; a retry of the run writes it', {
          instanceId: instance.InstanceId,
          snapshotId,
          error: errorText(error),
        });
        return { volumeId, outcome: 'failed', step: 'record', error: errorText(error), snapshotId };
      }
      if (broken) {
        logger.warn('snapshot of a crash-consistent set in error state; recorded to expire now', {
          instanceId: instance.InstanceId,
          snapshotId,
          runKey,
        });
        const error = 'snapshot of the set in error state';
        return { volumeId, outcome: 'failed', step: 'existing-snapshot', error, snapshotId };
      }
      return made
        ? { volumeId, outcome: 'created', snapshotId }
        : { volumeId, outcome: 'skipped', reason: 'already-snapshotted', snapshotId };
    }),
  );
}

const failedSet = (instanceId: string, error: unknown): VolumeOutcome[] => [
  { volumeId: instanceId, outcome: 'failed', step: 'create-set', error: errorText(error) },
];

/** One CreateSnapshots call under our claim; an unknown outcome is deferred once, never retried blindly. */
async function createSet(
  run: Run,
  instance: TaggedInstance,
  deferredOnce: boolean,
): Promise<SetStep> {
  const { deps, config, runKey } = run;
  const instanceId = instance.InstanceId;
  const startedAt = deps.now();
  const expiresAt = expiryAfter(startedAt, setRetentionDays(run, instance));
  await run.pace();
  let snapshots: SnapshotInfo[];
  try {
    const created = await deps.ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: {
          InstanceId: instanceId,
          ExcludeBootVolume: config.excludeBootVolume,
        },
        Description: setDescription(instance),
        TagSpecifications: [
          { ResourceType: 'snapshot', Tags: setTags(instance, config, runKey, expiresAt) },
        ],
      }),
    );
    snapshots = (created.Snapshots ?? []).filter((s) => s.SnapshotId);
  } catch (error) {
    const ref = { runKey, volumeId: instanceId, attempt: run.attempt };
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    if ((error as Error).name === 'InvalidInstanceID.NotFound') {
      logger.warn('instance gone before its set was snapshotted; skipped', { instanceId, runKey });
      await releaseClaim(run, ref);
      return [{ volumeId: instanceId, outcome: 'skipped', reason: 'instance-gone' }];
    }
    if (refused(error) || deferredOnce) {
      logger.error('could not create the crash-consistent set', {
        instanceId,
        runKey,
        error: errorText(error),
      });
      if (refused(error)) await releaseClaim(run, ref);
      return failedSet(instanceId, error);
    }
    logger.warn('CreateSnapshots outcome unknown; checking by set tag later', {
      instanceId,
      runKey,
      error: errorText(error),
    });
    return { instance, holder: run.attempt, since: startedAt };
  }
  if (snapshots.length === 0) logger.warn('instance has no volume in its set', { instanceId });
  return recordSet(run, instance, snapshots, true);
}

/** A deferred set once its claim settled: recorded if the run's set exists, else the claim taken over and created. */
async function resolveSet(run: Run, d: DeferredSet): Promise<SetStep> {
  const { deps, config, runKey } = run;
  const instanceId = d.instance.InstanceId;
  await run.sleep(d.since.getTime() + config.claimSettleSeconds * 1000 - deps.now().getTime());
  const found = (await setSnapshotsOf(deps.ec2, config.managedBy, runKey, [instanceId])).get(
    instanceId,
  );
  if (found?.length) return recordSet(run, d.instance, found, d.holder === run.attempt);
  if (d.holder !== run.attempt) {
    const ref = { runKey, volumeId: instanceId, attempt: run.attempt };
    if (!(await deps.store.takeOver(ref, d.holder, deps.now())))
      return [{ volumeId: instanceId, outcome: 'skipped', reason: 'claimed-by-another-attempt' }];
  }
  return createSet(run, d.instance, true);
}

async function firstSetPass(
  run: Run,
  instance: TaggedInstance,
  found: readonly Snapshot[] | undefined,
): Promise<SetStep> {
  if (found?.length) return recordSet(run, instance, found, false);
  const ref = { runKey: run.runKey, volumeId: instance.InstanceId, attempt: run.attempt };
  const claim = await run.deps.store.claim(ref, run.deps.now());
  if (!claim.taken) return { instance, holder: claim.attempt, since: claim.claimedAt };
  return createSet(run, instance, false);
}

/**
 * One DescribeInstances page of the run's set phase: each instance carrying the instance tag key gets one
 * crash-consistent set (CreateSnapshots takes no idempotency token, so the run's set is looked up by its set-id
 * tag first, and the call is made under a claim, as single-volume snapshots are). Every snapshot of a set is
 * recorded with its expiry. Returns one outcome per snapshot (per instance when the set failed).
 */
export async function snapshotSetPage(
  run: Run,
  pageToken: string | undefined,
): Promise<{ outcomes: VolumeOutcome[]; expiredByCount: number; next?: string }> {
  const { deps, config, runKey } = run;
  const { instances, next } = await taggedInstancePage(deps.ec2, config.instanceTagKey, pageToken);
  const ids = instances.map((i) => i.InstanceId);
  const existing = await setSnapshotsOf(deps.ec2, config.managedBy, runKey, ids);
  const limit = pLimit(config.concurrency);
  const guarded = (instanceId: string, step: () => Promise<SetStep>) =>
    limit(() => step().catch((error: unknown) => failedSet(instanceId, error)));
  const first = await Promise.all(
    instances.map((i) =>
      guarded(i.InstanceId, () => firstSetPass(run, i, existing.get(i.InstanceId))),
    ),
  );
  const second = await Promise.all(
    first.map((s) =>
      isDeferredSet(s) ? guarded(s.instance.InstanceId, () => resolveSet(run, s)) : s,
    ),
  );
  const outcomes = second.flatMap((s) =>
    isDeferredSet(s) ? failedSet(s.instance.InstanceId, new Error('still deferred')) : s,
  );
  const expiredByCount = outcomes.every((o) => o.outcome !== 'failed')
    ? await expireBeyondCount(deps, config, setMembers(run, instances, outcomes))
    : 0;
  return { outcomes, expiredByCount, ...(next ? { next } : {}) };
}

/** The set members as volumes carrying their instance's tag value, for retention by count. */
function setMembers(
  run: Run,
  instances: readonly TaggedInstance[],
  outcomes: readonly VolumeOutcome[],
): TaggedVolume[] {
  const valueOf = new Map(
    instances.map((i) => [i.InstanceId, tagValue(i.Tags, run.config.instanceTagKey) ?? '']),
  );
  const instanceOf = new Map<string, string>();
  for (const i of instances)
    for (const b of i.BlockDeviceMappings ?? [])
      if (b.Ebs?.VolumeId) instanceOf.set(b.Ebs.VolumeId, i.InstanceId);
  const members = new Set(outcomes.map((o) => o.volumeId).filter((v) => instanceOf.has(v)));
  return [...members].map((VolumeId) => ({
    VolumeId,
    Tags: [{ Key: run.config.tagKey, Value: valueOf.get(instanceOf.get(VolumeId) ?? '') ?? '' }],
  }));
}
