import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { CreateConfig } from './config';
import {
  failedUnexpectedly,
  firstPass,
  isDeferred,
  resolve,
  type Run,
  type SnapshotRunDeps,
  type SnapshotRunResult,
  type Step,
  type VolumeOutcome,
} from './create';
import { expireBeyondCount } from './count';
import { recordStrays } from './existing';
import { volumesInSets } from './instances';
import { pacer, realSleep } from './pacer';
import { snapshotSetPage } from './sets';
import { byVolume, runSnapshotsOf, taggedVolumePage } from './volumes';

/**
 * Page tokens of the run's set phase (tagged instances, after the last volume page) start with this; the
 * volume pages keep DescribeVolumes' own tokens.
 */
export const SET_PAGE_PREFIX = 'sets:';

/** Where a run stands between two invocations (the state machine carries it). */
export interface PageInput {
  readonly runKey: string;
  /** The DescribeVolumes page to do (absent for the first page), or a set page (SET_PAGE_PREFIX). */
  readonly pageToken?: string;
  /** Epoch ms of the next free CreateSnapshot slot, so pacing holds across invocations. */
  readonly nextSlotAt?: number;
}

export interface PageResult extends SnapshotRunResult {
  /** The next page's token; absent when this was the last page. */
  readonly pageToken?: string;
  readonly nextSlotAt: number;
}

/**
 * One DescribeVolumes page of a run (up to 500 volumes): the page's snapshots of this run are listed, each
 * volume is recorded, or claimed and snapshotted, the deferred ones are checked by tag once their claims
 * settle, and snapshots of the run that no outcome names are recorded. CreateSnapshot calls are paced to
 * MAX_REQUESTS_PER_SECOND from `nextSlotAt` on. Safe to run again: a retried page records what exists.
 */
export async function snapshotPage(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  input: PageInput,
): Promise<PageResult> {
  const { runKey } = input;
  const sleep = deps.sleep ?? realSleep;
  const paced = pacer(config.maxRequestsPerSecond, deps.now, sleep, input.nextSlotAt ?? 0);
  const run: Run = {
    deps,
    config,
    runKey,
    attempt: deps.attempt ?? randomUUID(),
    sleep,
    pace: paced,
  };
  if (input.pageToken?.startsWith(SET_PAGE_PREFIX)) return setPage(run, input.pageToken, paced);
  const page = await taggedVolumePage(deps.ec2, config.tagKey, input.pageToken);
  const inSets = await volumesInSets(deps.ec2, config, page.volumes);
  const volumes = page.volumes.filter((v) => !inSets.has(v.VolumeId));
  const ids = volumes.map((v) => v.VolumeId);
  const existing = byVolume(await runSnapshotsOf(deps.ec2, config.managedBy, runKey, ids), runKey);
  const limit = pLimit(config.concurrency);
  const guarded = (volumeId: string, step: () => Promise<Step>) =>
    limit(() => step().catch((error: unknown) => failedUnexpectedly(volumeId, runKey, error)));
  const first = await Promise.all(
    volumes.map((v) => guarded(v.VolumeId, () => firstPass(run, v, existing.get(v.VolumeId)))),
  );
  const second = await Promise.all(
    first.map((s) => (isDeferred(s) ? guarded(s.volume.VolumeId, () => resolve(run, s)) : s)),
  );
  const outcomes: VolumeOutcome[] = second.map((s) =>
    isDeferred(s) ? failedUnexpectedly(s.volume.VolumeId, runKey, new Error('still deferred')) : s,
  );
  outcomes.push(
    ...[...inSets].map(
      (volumeId): VolumeOutcome => ({ volumeId, outcome: 'skipped', reason: 'in-instance-set' }),
    ),
  );
  const strays =
    ids.length > 0
      ? await recordStrays(
          deps,
          config,
          runKey,
          outcomes,
          await runSnapshotsOf(deps.ec2, config.managedBy, runKey, ids),
        )
      : 0;
  // Only a page whose volumes all have their snapshot of this run prunes by count: a failed create keeps the old ones.
  const expiredByCount = outcomes.every((o) => o.outcome !== 'failed')
    ? await expireBeyondCount(deps, config, volumes)
    : 0;
  return {
    ...counted(runKey, outcomes, strays, expiredByCount),
    // After the last volume page, the set phase.
    pageToken: page.next ?? SET_PAGE_PREFIX,
    nextSlotAt: paced.nextSlot(),
  };
}

function counted(
  runKey: string,
  outcomes: VolumeOutcome[],
  strays: number,
  expiredByCount: number,
): SnapshotRunResult {
  const count = (o: VolumeOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  return {
    runKey,
    strays,
    expiredByCount,
    volumes: outcomes.length,
    created: count('created'),
    skipped: count('skipped'),
    failed: count('failed'),
    outcomes,
  };
}

/** A page of the set phase: one crash-consistent set per tagged instance of one DescribeInstances page. */
async function setPage(
  run: Run,
  pageToken: string,
  paced: { nextSlot: () => number },
): Promise<PageResult> {
  const token = pageToken.slice(SET_PAGE_PREFIX.length);
  const { outcomes, next, expiredByCount } = await snapshotSetPage(
    run,
    token === '' ? undefined : token,
  );
  return {
    ...counted(run.runKey, outcomes, 0, expiredByCount),
    ...(next ? { pageToken: `${SET_PAGE_PREFIX}${next}` } : {}),
    nextSlotAt: paced.nextSlot(),
  };
}

/** A whole run in one call, page after page (the state machine does the same across invocations). */
export async function snapshotVolumes(
  deps: SnapshotRunDeps,
  config: CreateConfig,
  runKey: string,
): Promise<SnapshotRunResult> {
  const attempt = deps.attempt ?? randomUUID();
  const total = {
    runKey,
    strays: 0,
    expiredByCount: 0,
    volumes: 0,
    created: 0,
    skipped: 0,
    failed: 0,
  };
  const outcomes: VolumeOutcome[] = [];
  let input: PageInput = { runKey };
  for (;;) {
    const page = await snapshotPage({ ...deps, attempt }, config, input);
    for (const k of [
      'strays',
      'expiredByCount',
      'volumes',
      'created',
      'skipped',
      'failed',
    ] as const)
      total[k] += page[k];
    outcomes.push(...page.outcomes);
    if (!page.pageToken) return { ...total, outcomes };
    input = { runKey, pageToken: page.pageToken, nextSlotAt: page.nextSlotAt };
  }
}
