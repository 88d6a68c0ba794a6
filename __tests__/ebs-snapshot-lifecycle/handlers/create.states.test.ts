import type { Volume } from '@aws-sdk/client-ec2';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { CreateRunBed, ec2Error } from '../fixtures/create-run';
import { CREATE_CONFIG, Ec2World, NOW, RUN_KEY, VOLUME_PAGES } from '../fixtures/world';

const bed = new CreateRunBed();

/** The fixture's pages with one volume put in another state. */
function withState(volumeId: string, state: Volume['State']) {
  return VOLUME_PAGES.map((p) => ({
    ...p,
    Volumes: (p.Volumes ?? []).map((v) => (v.VolumeId === volumeId ? { ...v, State: state } : v)),
  }));
}

describe('volume states', () => {
  test.each<[Volume['State'], string]>([
    ['creating', 'volume-not-ready'],
    ['deleting', 'volume-unusable'],
    ['error', 'volume-unusable'],
  ])(
    'a %s volume is skipped and reported (%s), never failed, never snapshotted',
    async (state, reason) => {
      // Prepare
      bed.world = new Ec2World(withState('vol-0a1b2c3d4e5f60003', state), bed.clock.now).install(
        bed.ec2Mock,
      );

      // Act
      const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

      // Assess
      expect(result.failed).toBe(0);
      expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60003')).toMatchObject({
        outcome: 'skipped',
        reason,
      });
      expect(bed.createInputs().map((i) => i.VolumeId)).not.toContain('vol-0a1b2c3d4e5f60003');
    },
  );

  test('a volume deleted between the listing and CreateSnapshot is skipped, not failed', async () => {
    // Prepare
    bed.world.createFailures.set('vol-0a1b2c3d4e5f60003', ec2Error('InvalidVolume.NotFound', 400));

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.failed).toBe(0);
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60003')).toMatchObject({
      outcome: 'skipped',
      reason: 'volume-gone',
    });
  });
});

describe('snapshots in error state', () => {
  test('a replay finding an error-state snapshot of the run records it to expire now and takes a fresh one', async () => {
    // Prepare
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    const broken = bed.snapshotOf('vol-0a1b2c3d4e5f60001');
    if (broken) broken.State = 'error';
    bed.ec2Mock.resetHistory();

    // Act
    const replay = await snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(replay).toMatchObject({ created: 1, skipped: 4, failed: 0 });
    expect(bed.createInputs().map((i) => i.VolumeId)).toEqual(['vol-0a1b2c3d4e5f60001']);
    expect(
      bed.store.records.get(broken?.SnapshotId ?? '')?.expiresAt.getTime(),
    ).toBeLessThanOrEqual(bed.clock.now().getTime());
    expect(bed.clock.now().getTime()).toBeGreaterThanOrEqual(NOW.getTime());
  });
});

describe('pacing', () => {
  test('CreateSnapshot calls are spaced to MAX_REQUESTS_PER_SECOND, across pages too', async () => {
    // Act
    const paced = { ...CREATE_CONFIG, maxRequestsPerSecond: 4, concurrency: 1 };
    await snapshotVolumes(bed.deps, paced, RUN_KEY);

    // Assess: 5 creates at 4 per second: the last one 1 s after the first
    const times = bed.world.snapshots.map((s) => s.StartTime?.getTime() ?? 0);
    expect(Math.max(...times) - Math.min(...times)).toBe(1000);
    expect(new Set(times).size).toBe(5);
  });
});
