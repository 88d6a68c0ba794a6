import type { EbsObserved, ObservedSnapshot } from '../../../scripts/emulator/e2e/ebs';
import type { StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { deployProof, describeDeploy } from '../../support/deploy-proof';

const DAY_S = 86_400;

/**
 * The EBS zips as deployed (zip, handler and environment read back from the emulator) on the applied stack:
 * scripts/emulator/e2e/ebs.ts acts between apply and re-plan of the deploy proof; this file judges what it saw.
 */
describeDeploy('EBS snapshot lifecycle, end to end on the applied stack', () => {
  let result: StackDeployResult;
  let seen: EbsObserved;
  const snapshotsOf = (snapshots: readonly ObservedSnapshot[], volumeId: string) =>
    snapshots.filter((s) => s.volumeId === volumeId);
  const tagged = () => seen.volumes.filter((v) => seen.tagKey in v.tags);

  beforeAll(async () => {
    const run = await deployProof();
    const found = run.results.find((r) => r.stack === 'ebs-snapshot-lifecycle');
    if (!found) throw new Error('the deploy proof has no result for ebs-snapshot-lifecycle');
    result = found;
    seen = result.scenario?.observed as EbsObserved;
  }, 20 * 60_000);

  test('the scenario ran to its end on the applied stack', () => {
    expect(result.applyError).toBeUndefined();
    expect(result.scenario?.error).toBeUndefined();
    expect(seen.volumes.length).toBeGreaterThan(0);
  });

  test('the create zip reads the tagged volumes over more than one DescribeVolumes page', () => {
    expect(seen.describeVolumesPages.length).toBeGreaterThanOrEqual(2);
    expect(seen.describeVolumesPages[0]!.nextToken).toBeUndefined();
    expect(seen.describeVolumesPages.slice(1).every((p) => p.nextToken)).toBe(true);
  });

  test('the scheduled event of the deployed rule (start zip, deployed state machine, create zip) snapshots every tagged volume exactly once, with its tags and ours', () => {
    expect(seen.first.invocation).toMatchObject({
      start: { ok: true, result: 'started' },
      status: 'SUCCEEDED',
      output: { totals: { created: tagged().length, failed: 0 } },
    });
    for (const volume of tagged()) {
      const [snapshot, ...more] = snapshotsOf(seen.first.snapshots, volume.id);
      expect(more).toEqual([]);
      expect(snapshot?.tags).toMatchObject({
        ...volume.tags,
        [SNAPSHOT_TAGS.run]: seen.runKey,
        [SNAPSHOT_TAGS.volumeId]: volume.id,
        [SNAPSHOT_TAGS.managedBy]: expect.stringMatching(/\S/),
        [SNAPSHOT_TAGS.expiresAt]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
  });

  test('no untagged volume was snapshotted', () => {
    const untagged = seen.volumes.filter((v) => !(seen.tagKey in v.tags));
    expect(untagged.length).toBeGreaterThan(0);
    expect(untagged.flatMap((v) => snapshotsOf(seen.first.snapshots, v.id))).toEqual([]);
  });

  test("the deployed table holds one record per snapshot, its ttl the tag's days or the default retention", () => {
    for (const volume of tagged()) {
      const [snapshot] = snapshotsOf(seen.first.snapshots, volume.id);
      const records = seen.first.items.filter((i) => i.snapshotId === snapshot!.id);
      expect(records).toHaveLength(1);
      const value = volume.tags[seen.tagKey]!;
      const days = /^\d+$/.test(value) ? Number(value) : seen.defaultRetentionDays;
      const expected = Date.parse(snapshot!.startTime) / 1000 + days * DAY_S;
      expect(Math.abs(records[0]!.ttl! - expected)).toBeLessThan(120);
      expect(records[0]!.ttl).toBe(
        Math.floor(Date.parse(snapshot!.tags[SNAPSHOT_TAGS.expiresAt]!) / 1000),
      );
    }
  });

  test('replaying the same event changes nothing', () => {
    // StartExecution with the name and input of a running execution returns it: one execution per run key.
    expect(seen.replay.invocation).toMatchObject({
      start: { ok: true, result: expect.stringMatching(/^(started|already-started)$/) },
      executions: 1,
      status: 'SUCCEEDED',
      output: { totals: { created: 0, failed: 0 } },
    });
    const ids = (s: readonly ObservedSnapshot[]) => s.map((x) => x.id).sort();
    expect(ids(seen.replay.snapshots)).toEqual(ids(seen.first.snapshots));
    expect([...seen.replay.items].sort((a, b) => a.snapshotId.localeCompare(b.snapshotId))).toEqual(
      [...seen.first.items].sort((a, b) => a.snapshotId.localeCompare(b.snapshotId)),
    );
  });

  test("only TTL removals of snapshot records pass the deployed event source mapping's filter", () => {
    expect(seen.expiry.filterPatterns.length).toBeGreaterThan(0);
    const byKind = (kind: string) =>
      seen.expiry.records.filter((r) => r.kind === kind).map((r) => r.matched);
    expect(byKind('ttl')).toEqual([true, true, true]);
    expect(byKind('manual')).toEqual([false, false]);
    expect(byKind('ttl-claim')).toEqual([false]);
  });

  test('the delete zip deletes the expired snapshots; a manually deleted record leaves its snapshot', () => {
    expect(seen.expiry.invocation).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
    const left = (kind: string) =>
      seen.expiry.records
        .filter((r) => r.kind === kind)
        .map((r) => seen.expiry.snapshotsLeft[r.key]);
    expect(left('ttl')).toEqual([false, false, false]);
    expect(left('manual')).toEqual([true, true]);
  });

  describe('cross-Region copies (applied with snapshot_copy_regions = ["us-west-2"])', () => {
    const copies = () => {
      if (!seen.copies) throw new Error('the scenario made no copy (were copy Regions applied?)');
      return seen.copies;
    };

    test('the documented snapshot event passes the deployed copy rule; the deployed mapping reads its queue', () => {
      expect(copies()).toMatchObject({
        region: 'us-west-2',
        ruleMatches: true,
        mappingReadsQueue: true,
      });
    });

    test('the copy zip copies the completed managed snapshot into the copy Region once, the replay finds it', () => {
      const c = copies();
      expect(c.first).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
      expect(c.replay).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
      expect(c.copies).toHaveLength(1);
      expect(c.copiesAtHome).toBe(0);
      const source = seen.first.snapshots.find((s) => s.id === c.sourceId);
      expect(c.copies[0]!.tags).toMatchObject({
        [SNAPSHOT_TAGS.managedBy]: source?.tags[SNAPSHOT_TAGS.managedBy],
        [SNAPSHOT_TAGS.volumeId]: source?.volumeId,
        [SNAPSHOT_TAGS.sourceSnapshot]: c.sourceId,
        [SNAPSHOT_TAGS.sourceRegion]: 'us-east-1',
        [SNAPSHOT_TAGS.expiresAt]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });

    test("the copy's record lands in the table as <copy>@<Region>, with its Region, source and the copy's expiry", () => {
      const c = copies();
      const copy = c.copies[0]!;
      expect(c.record).toMatchObject({
        snapshot_id: `${copy.id}@${c.region}`,
        region: c.region,
        source_snapshot_id: c.sourceId,
      });
      expect(Number(c.record?.ttl)).toBe(
        Math.floor(Date.parse(copy.tags[SNAPSHOT_TAGS.expiresAt]!) / 1000),
      );
    });

    test("the record's TTL removal passes the delete mapping's filter, and the delete zip deletes the copy in its Region", () => {
      const { expiry } = copies();
      expect(expiry.matched).toBe(true);
      expect(expiry.invocation).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
      expect(expiry.copyLeft).toBe(false);
    });
  });
});
