import { sweep } from '../../../functions/ebs-snapshot/sweep';
import {
  DAY_MS,
  HOUR_MS,
  managedSnapshot,
  SWEEP_CONFIG,
  SweepBed,
  taggedVolume,
} from '../fixtures/sweep-bed';
import { NOW } from '../fixtures/world';

const bed = new SweepBed();
const VOL = 'vol-0a1b2c3d4e5f60001';

describe('expired and broken snapshots', () => {
  test('deletes managed snapshots whose expiry tag has passed, keeps the others', async () => {
    // Prepare
    const expired = managedSnapshot(1, VOL, 8 * DAY_MS, -HOUR_MS);
    const live = managedSnapshot(2, VOL, HOUR_MS, 7 * DAY_MS);
    bed.world.seed(expired).seed(live);

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(bed.ids()).toEqual([live.SnapshotId]);
    expect(result).toMatchObject({ expiredDeleted: 1, deleteFailed: 0, unfinished: 0 });
  });

  test('never touches a snapshot of another deployment, expired or not', async () => {
    // Prepare
    const foreign = managedSnapshot(3, VOL, 8 * DAY_MS, -HOUR_MS);
    foreign.Tags = foreign.Tags?.map((t) =>
      t.Key === 'managed-by' ? { Key: 'managed-by', Value: 'staging/ebs' } : t,
    );
    bed.world.seed(foreign);

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(bed.ids()).toEqual([foreign.SnapshotId]);
    expect(result.managed).toBe(0);
  });

  test('deletes managed snapshots in error state', async () => {
    // Prepare
    bed.world.seed(managedSnapshot(4, VOL, HOUR_MS, 7 * DAY_MS, { State: 'error' }));

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(bed.ids()).toEqual([]);
    expect(result.errorDeleted).toBe(1);
  });

  test('a locked or in-use expired snapshot is kept and counted as such, not as a failure', async () => {
    // Prepare
    const locked = managedSnapshot(5, VOL, 8 * DAY_MS, -HOUR_MS);
    const inUse = managedSnapshot(6, VOL, 8 * DAY_MS, -HOUR_MS);
    bed.world.seed(locked).seed(inUse);
    const refused = (name: string) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
    bed.world.deleteFailures.set(locked.SnapshotId, refused('SnapshotLocked'));
    bed.world.deleteFailures.set(inUse.SnapshotId, refused('InvalidSnapshot.InUse'));
    bed.world.locks.push({
      SnapshotId: locked.SnapshotId,
      LockState: 'governance',
      LockExpiresOn: new Date(NOW.getTime() + 30 * DAY_MS),
    });

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(result).toMatchObject({ locked: 1, inUse: 1, deleteFailed: 0 });
    expect(bed.ids()).toHaveLength(2);
  });

  test('deletes are paced to MAX_REQUESTS_PER_SECOND', async () => {
    // Prepare
    for (let i = 0; i < 9; i++) bed.world.seed(managedSnapshot(10 + i, VOL, 8 * DAY_MS, -HOUR_MS));

    // Act
    await sweep(bed.deps, SWEEP_CONFIG);

    // Assess: 9 deletes at 4 per second take 2 s
    expect(bed.clock.now().getTime() - NOW.getTime()).toBe(2000);
  });

  test('stops deleting before the invocation runs out of time and reports what is left', async () => {
    // Prepare
    for (let i = 0; i < 3; i++) bed.world.seed(managedSnapshot(30 + i, VOL, 8 * DAY_MS, -HOUR_MS));

    // Act
    const result = await sweep({ ...bed.deps, remainingMs: () => 10_000 }, SWEEP_CONFIG);

    // Assess
    expect(result.unfinished).toBe(3);
  });
});

describe('records', () => {
  test('records a managed snapshot the table does not know, with the expiry of its tag', async () => {
    // Prepare
    const stray = managedSnapshot(40, VOL, HOUR_MS, 5 * DAY_MS);
    const known = managedSnapshot(41, VOL, HOUR_MS, 5 * DAY_MS);
    bed.world.seed(stray).seed(known);
    bed.table.items.set(known.SnapshotId, { snapshot_id: { S: known.SnapshotId } });

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(result.strays).toBe(1);
    expect(bed.table.items.get(stray.SnapshotId)).toMatchObject({
      ttl: { N: String((NOW.getTime() + 5 * DAY_MS) / 1000) },
      volume_id: { S: VOL },
    });
  });

  test('a lost table is recovered from the tags: expired deleted, live recorded again', async () => {
    // Prepare: the table is empty; the snapshots keep their own expiry tags
    const expired = managedSnapshot(50, VOL, 8 * DAY_MS, -HOUR_MS);
    const live = managedSnapshot(51, VOL, HOUR_MS, 6 * DAY_MS);
    bed.world.seed(expired).seed(live);

    // Act
    await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(bed.ids()).toEqual([live.SnapshotId]);
    expect([...bed.table.items.keys()]).toEqual([live.SnapshotId]);
  });
});

describe('missed backups', () => {
  test('a tagged volume whose newest snapshot is older than the allowed age is reported', async () => {
    // Prepare
    bed.volumes(taggedVolume('vol-0000000000000000a'), taggedVolume('vol-0000000000000000b'));
    bed.world.seed(managedSnapshot(60, 'vol-0000000000000000a', 30 * HOUR_MS, 5 * DAY_MS));
    bed.world.seed(managedSnapshot(61, 'vol-0000000000000000b', 2 * HOUR_MS, 5 * DAY_MS));

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(result.volumesMissingBackup).toEqual(['vol-0000000000000000a']);
  });

  test('a volume with no snapshot at all is reported; one created minutes ago or not usable is not', async () => {
    // Prepare
    const fresh = { ...taggedVolume('vol-0000000000000000d'), CreateTime: NOW };
    const broken = { ...taggedVolume('vol-0000000000000000e'), State: 'error' as const };
    bed.volumes(taggedVolume('vol-0000000000000000c'), fresh, broken);

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(result.volumesMissingBackup).toEqual(['vol-0000000000000000c']);
  });
});

describe('Recycle Bin', () => {
  test.each([
    ['a Region-level rule without exclusions applies', { resourceTags: [], excludeTags: [] }, true],
    [
      'a Region-level rule excluding our exclusion tag does not',
      { resourceTags: [], excludeTags: [{ key: 'rbin-exclude', value: 'true' }] },
      false,
    ],
    [
      'a tag-level rule on a tag our snapshots copy from the volume applies',
      { resourceTags: [{ key: 'team', value: 'web' }], excludeTags: [] },
      true,
    ],
    [
      'a tag-level rule on a tag we never carry does not',
      { resourceTags: [{ key: 'backup', value: 'gold' }], excludeTags: [] },
      false,
    ],
  ])('%s', async (_, shape, applies) => {
    // Prepare
    const tags = managedSnapshot(70, VOL, HOUR_MS, 5 * DAY_MS);
    tags.Tags?.push({ Key: 'rbin-exclude', Value: 'true' });
    bed.world.seed(tags);
    bed.rules = [{ id: 'rule-1', ...shape }];

    // Act
    const result = await sweep(bed.deps, SWEEP_CONFIG);

    // Assess
    expect(result.recycleBinRules).toEqual(applies ? ['rule-1'] : []);
  });
});
