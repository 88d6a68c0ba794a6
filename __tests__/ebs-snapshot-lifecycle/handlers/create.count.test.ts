import { retainCount } from '../../../functions/ebs-snapshot/count';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { CreateRunBed, DAY_MS } from '../fixtures/create-run';
import { CREATE_CONFIG, Ec2World, VOLUME_PAGES, VOLUMES } from '../fixtures/world';

const bed = new CreateRunBed();
const VOLUME = VOLUMES[0]?.VolumeId ?? '';

/** Runs one snapshot run a day, `days` times, from the bed's clock on; returns the last run's time. */
async function dailyRuns(days: number, config = CREATE_CONFIG): Promise<Date> {
  let at = bed.clock.now();
  for (let d = 0; d < days; d++) {
    if (d > 0) bed.clock.advance(DAY_MS);
    at = bed.clock.now();
    await snapshotVolumes(bed.deps, config, at.toISOString());
  }
  return at;
}

/** Snapshot ids of the volume whose record now expires at `at`, oldest first. */
const expiredAt = (volumeId: string, at: Date) =>
  bed.world.snapshots
    .filter((s) => s.VolumeId === volumeId)
    .filter((s) => bed.store.records.get(s.SnapshotId ?? '')?.expiresAt.getTime() === at.getTime())
    .map((s) => s.SnapshotId);

describe('retention by count', () => {
  test.each<[string | undefined, number]>([
    ['count:14', 14],
    [' count:3 ', 3],
    ['7', 5],
    ['count:0', 5],
    ['count:many', 5],
    [undefined, 5],
  ])('the tag value %p keeps %i snapshots (default 5)', (value, kept) => {
    // Act / Assess
    expect(retainCount(value, 5)).toBe(kept);
  });

  test('with a default count of 2, the third run expires the oldest snapshot of each volume at once', async () => {
    // Prepare
    const config = { ...CREATE_CONFIG, defaultRetainCount: 2 };

    // Act
    const last = await dailyRuns(3, config);

    // Assess
    for (const v of VOLUMES) expect(expiredAt(v.VolumeId ?? '', last)).toHaveLength(1);
    const oldest = bed.world.snapshots.find((s) => s.VolumeId === VOLUME);
    expect(expiredAt(VOLUME, last)).toEqual([oldest?.SnapshotId]);
  });

  test('without a count rule nothing expires early', async () => {
    // Act
    const last = await dailyRuns(3);

    // Assess
    for (const v of VOLUMES) expect(expiredAt(v.VolumeId ?? '', last)).toEqual([]);
  });

  test('a count:1 tag on one volume expires only that volume’s older snapshot', async () => {
    // Prepare
    const pages = VOLUME_PAGES.map((p) => ({
      ...p,
      Volumes: (p.Volumes ?? []).map((v) =>
        v.VolumeId === VOLUME
          ? {
              ...v,
              Tags: [
                ...(v.Tags ?? []).filter((t) => t.Key !== 'Snapshot'),
                { Key: 'Snapshot', Value: 'count:1' },
              ],
            }
          : v,
      ),
    }));
    bed.world = new Ec2World(pages, bed.clock.now).install(bed.ec2Mock);

    // Act
    const last = await dailyRuns(2);

    // Assess
    expect(expiredAt(VOLUME, last)).toHaveLength(1);
    for (const v of VOLUMES.filter((x) => x.VolumeId !== VOLUME))
      expect(expiredAt(v.VolumeId ?? '', last)).toEqual([]);
  });

  test('a manually made snapshot is never counted nor expired', async () => {
    // Prepare: an older snapshot of the volume without this deployment's managed-by tag
    bed.world.snapshots.push({
      SnapshotId: 'snap-0manual000000000',
      VolumeId: VOLUME,
      State: 'completed',
      StartTime: new Date(bed.clock.now().getTime() - DAY_MS),
      Tags: [{ Key: 'ops-autopilot:volume-id', Value: VOLUME }],
    });
    const config = { ...CREATE_CONFIG, defaultRetainCount: 1 };

    // Act
    const last = await dailyRuns(2, config);

    // Assess
    expect(bed.store.records.has('snap-0manual000000000')).toBe(false);
    expect(expiredAt(VOLUME, last)).toHaveLength(1);
    expect(expiredAt(VOLUME, last)).not.toContain('snap-0manual000000000');
  });
});
