import {
  CreateSnapshotCommand,
  DescribeSnapshotsCommand,
  type CreateSnapshotCommandInput,
} from '@aws-sdk/client-ec2';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { CreateRunBed } from '../fixtures/create-run';
import { CREATE_CONFIG, MANAGED_BY, NOW, RUN_KEY } from '../fixtures/world';

const bed = new CreateRunBed();

describe('idempotency and concurrency', () => {
  test('replaying the same event creates no second snapshot', async () => {
    // Prepare
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    const recordsAfterFirst = [...bed.store.records.keys()].sort();

    // Act
    const replay = await snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(bed.createInputs()).toHaveLength(5);
    expect(replay).toMatchObject({ created: 0, skipped: 5, failed: 0 });
    expect([...bed.store.records.keys()].sort()).toEqual(recordsAfterFirst);
    expect(bed.ec2Mock.commandCalls(DescribeSnapshotsCommand)[1]?.args[0].input).toMatchObject({
      OwnerIds: ['self'],
      Filters: [
        { Name: 'tag:ops-autopilot:run', Values: [RUN_KEY] },
        { Name: 'tag:managed-by', Values: [MANAGED_BY] },
        { Name: 'tag:ops-autopilot:volume-id', Values: expect.any(Array) as unknown as string[] },
      ],
    });
  });

  test('a new scheduled event snapshots every volume again', async () => {
    // Prepare
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Act
    const next = await snapshotVolumes(
      { ...bed.deps, attempt: 'run-b' },
      CREATE_CONFIG,
      '2015-10-09T16:53:06Z',
    );

    // Assess
    expect(next).toMatchObject({ created: 5, skipped: 0 });
    expect(bed.createInputs()).toHaveLength(10);
  });

  test("another deployment's snapshot of the same run does not count as ours", async () => {
    // Prepare
    bed.world.createSnapshot({
      VolumeId: 'vol-0a1b2c3d4e5f60001',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: SNAPSHOT_TAGS.run, Value: RUN_KEY },
            { Key: 'managed-by', Value: 'staging' },
          ],
        },
      ],
    });

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result).toMatchObject({ created: 5, skipped: 0 });
  });

  test('two concurrent runs of the same event create each snapshot once', async () => {
    // Act
    const [a, b] = await Promise.all([
      snapshotVolumes({ ...bed.deps, attempt: 'run-a' }, CREATE_CONFIG, RUN_KEY),
      snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY),
    ]);

    // Assess
    expect(bed.createInputs()).toHaveLength(5);
    expect(new Set(bed.createInputs().map((i) => i.VolumeId)).size).toBe(5);
    expect(a.created + b.created).toBe(5);
    expect(a.skipped + b.skipped).toBe(5);
  });

  test('a volume claimed by another live attempt that snapshots it is recorded, not snapshotted again', async () => {
    // Prepare: another attempt claimed the volume and made its snapshot a moment ago
    await bed.store.claim(
      { runKey: RUN_KEY, volumeId: 'vol-0a1b2c3d4e5f60001', attempt: 'other' },
      NOW,
    );
    bed.world.snapshotPageSize = 100;
    let made = false;
    bed.ec2Mock.on(CreateSnapshotCommand).callsFake(async (input: CreateSnapshotCommandInput) => {
      if (!made) {
        made = true;
        bed.world.createSnapshot({
          ...input,
          VolumeId: 'vol-0a1b2c3d4e5f60001',
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: [
                { Key: SNAPSHOT_TAGS.run, Value: RUN_KEY },
                { Key: SNAPSHOT_TAGS.managedBy, Value: MANAGED_BY },
                { Key: SNAPSHOT_TAGS.volumeId, Value: 'vol-0a1b2c3d4e5f60001' },
              ],
            },
          ],
        });
      }
      return bed.world.createSnapshot(input);
    });

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60001')).toMatchObject({
      outcome: 'skipped',
      reason: 'already-snapshotted',
    });
    expect(bed.createInputs().map((i) => i.VolumeId)).not.toContain('vol-0a1b2c3d4e5f60001');
  });

  test('a claim left by an attempt that made nothing is taken over once it settles', async () => {
    // Prepare
    await bed.store.claim(
      { runKey: RUN_KEY, volumeId: 'vol-0a1b2c3d4e5f60001', attempt: 'dead' },
      NOW,
    );

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.created).toBe(5);
    expect(bed.store.claimOf(RUN_KEY, 'vol-0a1b2c3d4e5f60001')?.attempt).toBe('run-a');
  });

  test('never more CreateSnapshot calls in flight than CONCURRENCY', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    bed.ec2Mock.on(CreateSnapshotCommand).callsFake(async (input: CreateSnapshotCommandInput) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return bed.world.createSnapshot(input);
    });

    // Act
    const result = await snapshotVolumes(bed.deps, { ...CREATE_CONFIG, concurrency: 2 }, RUN_KEY);

    // Assess
    expect(result.created).toBe(5);
    expect(peak).toBe(2);
  });
});
