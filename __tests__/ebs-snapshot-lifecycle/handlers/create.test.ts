import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotCommand,
  DescribeVolumesCommand,
  type CreateSnapshotCommandInput,
} from '@aws-sdk/client-ec2';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { logger } from '../../../functions/shared/logger';
import { CreateRunBed, DAY_MS, ec2Error } from '../fixtures/create-run';
import { CREATE_CONFIG, MANAGED_BY, NOW, RUN_KEY, VOLUMES } from '../fixtures/world';

const bed = new CreateRunBed();

describe('listing volumes', () => {
  test('snapshots the volumes of every DescribeVolumes page', async () => {
    // Prepare: the world's five tagged volumes are spread over three pages

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(bed.ec2Mock.commandCalls(DescribeVolumesCommand)).toHaveLength(3);
    expect(
      bed
        .createInputs()
        .map((i) => i.VolumeId)
        .sort(),
    ).toEqual(VOLUMES.map((v) => v.VolumeId).sort());
    expect(result).toMatchObject({ volumes: 5, created: 5, skipped: 0, failed: 0 });
  });

  test('asks EC2 only for volumes carrying the tag key', async () => {
    // Act
    await snapshotVolumes(bed.deps, { ...CREATE_CONFIG, tagKey: 'Backup' }, RUN_KEY);

    // Assess
    const filters = bed.ec2Mock
      .commandCalls(DescribeVolumesCommand)
      .map((c) => c.args[0].input.Filters);
    expect(filters[0]).toEqual([{ Name: 'tag-key', Values: ['Backup'] }]);
  });

  test('a failing DescribeVolumes fails the run before any snapshot', async () => {
    // Prepare
    bed.ec2Mock.on(DescribeVolumesCommand).rejects(ec2Error('UnauthorizedOperation', 403));

    // Act
    const run = snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(bed.createInputs()).toHaveLength(0);
  });
});

describe('the snapshot of one volume', () => {
  test('a volume without a Name tag is described by its volume id', async () => {
    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.failed).toBe(0);
    expect(bed.createInputOf('vol-0a1b2c3d4e5f60003').Description).toBe(
      'ops-autopilot snapshot of vol-0a1b2c3d4e5f60003',
    );
    expect(bed.createInputOf('vol-0a1b2c3d4e5f60001').Description).toBe(
      'ops-autopilot snapshot of web-root (vol-0a1b2c3d4e5f60001)',
    );
  });

  test("copies the volume's tags except aws: keys and adds ours", async () => {
    // Act
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(bed.tagsSent('vol-0a1b2c3d4e5f60001')).toEqual({
      Name: 'web-root',
      Snapshot: '14',
      team: 'web',
      'managed-by': MANAGED_BY,
      'ops-autopilot:expires-at': new Date(NOW.getTime() + 14 * DAY_MS).toISOString(),
      'ops-autopilot:run': RUN_KEY,
      'ops-autopilot:volume-id': 'vol-0a1b2c3d4e5f60001',
    });
    expect(bed.createInputOf('vol-0a1b2c3d4e5f60001').TagSpecifications?.[0]?.ResourceType).toBe(
      'snapshot',
    );
  });

  test("our managed-by tag replaces a volume's own", async () => {
    // Act
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const tags = bed.createInputOf('vol-0a1b2c3d4e5f60004').TagSpecifications?.[0]?.Tags ?? [];
    expect(tags.filter((t) => t.Key === 'managed-by')).toEqual([
      { Key: 'managed-by', Value: MANAGED_BY },
    ]);
  });

  test.each([
    ['vol-0a1b2c3d4e5f60001', 14],
    ['vol-0a1b2c3d4e5f60002', 7],
    ['vol-0a1b2c3d4e5f60003', 7],
    ['vol-0a1b2c3d4e5f60004', 30],
    ['vol-0a1b2c3d4e5f60005', 7],
  ])('%s is kept for %i days: expiry tag and record ttl agree', async (volumeId, days) => {
    // Act
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const expiresAt = new Date(NOW.getTime() + days * DAY_MS);
    expect(bed.tagsSent(volumeId)['ops-autopilot:expires-at']).toBe(expiresAt.toISOString());
    expect(bed.store.recordOf(volumeId)?.expiresAt).toEqual(expiresAt);
  });

  test('writes the record of each new snapshot', async () => {
    // Act
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const snapshotId = bed.snapshotOf('vol-0a1b2c3d4e5f60002')?.SnapshotId ?? '';
    expect(bed.store.records.get(snapshotId)).toEqual({
      snapshotId,
      volumeId: 'vol-0a1b2c3d4e5f60002',
      runKey: RUN_KEY,
      createTime: NOW,
      expiresAt: new Date(NOW.getTime() + 7 * DAY_MS),
      description: 'ops-autopilot snapshot of db-data (vol-0a1b2c3d4e5f60002)',
    });
  });
});

describe('failures', () => {
  test("one volume's failure does not stop the others", async () => {
    // Prepare
    bed.world.createFailures.set('vol-0a1b2c3d4e5f60002', ec2Error('IncorrectState', 400));

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result).toMatchObject({ created: 4, skipped: 0, failed: 1 });
    expect(result.outcomes.find((o) => o.outcome === 'failed')).toMatchObject({
      volumeId: 'vol-0a1b2c3d4e5f60002',
      step: 'create',
    });
    expect(bed.store.records.size).toBe(4);
  });

  test.each([
    ['IncorrectState', 400],
    ['InternalError', 500],
  ])(
    'a create answered with %s releases its claim, so a retry of the event snapshots that volume',
    async (code, status) => {
      // Prepare
      bed.world.createFailures.set('vol-0a1b2c3d4e5f60002', ec2Error(code, status));
      await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
      bed.world.createFailures.clear();
      bed.ec2Mock.resetHistory();

      // Act
      const retry = await snapshotVolumes(
        { ...bed.deps, attempt: 'run-b' },
        CREATE_CONFIG,
        RUN_KEY,
      );

      // Assess
      expect(retry).toMatchObject({ created: 1, skipped: 4, failed: 0 });
      expect(bed.createInputs().map((i) => i.VolumeId)).toEqual(['vol-0a1b2c3d4e5f60002']);
    },
  );

  test('a create with no answer is checked by tag after the claim settles, then tried once more', async () => {
    // Prepare
    const timeout = Object.assign(new Error('Connection timed out after 120000 ms'), {
      name: 'TimeoutError',
    });
    bed.world.createFailures.set('vol-0a1b2c3d4e5f60002', timeout);

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const calls = bed.createInputs().filter((i) => i.VolumeId === 'vol-0a1b2c3d4e5f60002');
    expect(calls).toHaveLength(2);
    expect(bed.clock.now().getTime()).toBeGreaterThanOrEqual(
      NOW.getTime() + CREATE_CONFIG.claimSettleSeconds * 1000,
    );
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60002')).toMatchObject({
      outcome: 'failed',
      step: 'create',
    });
    expect(bed.store.claimOf(RUN_KEY, 'vol-0a1b2c3d4e5f60002')?.attempt).toBe('run-a');
  });

  test('the retry of a run takes over the claim an attempt with unknown outcomes kept', async () => {
    // Prepare
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    bed.world.createFailures.set('vol-0a1b2c3d4e5f60002', timeout);
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    bed.world.createFailures.clear();
    bed.clock.advance(60_000);

    // Act
    const retry = await snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(retry.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60002')).toMatchObject({
      outcome: 'created',
    });
    expect(bed.store.claimOf(RUN_KEY, 'vol-0a1b2c3d4e5f60002')?.attempt).toBe('run-b');
  });

  test('a second snapshot made by a retried CreateSnapshot (lost response) is recorded, so it expires too', async () => {
    // Prepare: the first attempt's response is lost after EC2 made the snapshot; the SDK retry makes another
    let lost = false;
    bed.ec2Mock.on(CreateSnapshotCommand).callsFake(async (input: CreateSnapshotCommandInput) => {
      if (input.VolumeId === 'vol-0a1b2c3d4e5f60002' && !lost) {
        lost = true;
        bed.world.createSnapshot(input);
      }
      return bed.world.createSnapshot(input);
    });

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const ofVolume = bed.world.snapshots.filter((s) => s.VolumeId === 'vol-0a1b2c3d4e5f60002');
    expect(ofVolume).toHaveLength(2);
    expect(result.strays).toBe(1);
    for (const snapshot of ofVolume)
      expect(bed.store.records.has(snapshot.SnapshotId as string)).toBe(true);
  });

  test('a record PutItem failure counts the volume failed and logs the snapshot id', async () => {
    // Prepare
    const error = jest.spyOn(logger, 'error');
    bed.store.failRecord = (record) =>
      record.volumeId === 'vol-0a1b2c3d4e5f60004'
        ? new DynamoDBServiceException({
            name: 'InternalServerError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
            message: 'boom',
          })
        : undefined;

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const snapshotId = bed.snapshotOf('vol-0a1b2c3d4e5f60004')?.SnapshotId;
    expect(result).toMatchObject({ created: 4, failed: 1 });
    expect(result.outcomes.find((o) => o.outcome === 'failed')).toMatchObject({
      step: 'record',
      snapshotId,
    });
    expect(error).toHaveBeenCalledWith(
      'snapshot created but its record could not be written',
      expect.objectContaining({ snapshotId }),
    );
  });

  test('replaying the event after a PutItem failure writes the missing record without a new snapshot', async () => {
    // Prepare
    bed.store.failRecord = (record) =>
      record.volumeId === 'vol-0a1b2c3d4e5f60004' ? new Error('boom') : undefined;
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    bed.store.failRecord = () => undefined;
    bed.ec2Mock.resetHistory();

    // Act
    const replay = await snapshotVolumes(
      { ...bed.deps, attempt: 'run-b', now: () => new Date(NOW.getTime() + 60_000) },
      CREATE_CONFIG,
      RUN_KEY,
    );

    // Assess
    const snapshotId = bed.snapshotOf('vol-0a1b2c3d4e5f60004')?.SnapshotId ?? '';
    expect(bed.createInputs()).toHaveLength(0);
    expect(replay).toMatchObject({ created: 0, skipped: 5, failed: 0 });
    expect(bed.store.records.get(snapshotId)).toMatchObject({
      expiresAt: new Date(NOW.getTime() + 30 * DAY_MS),
      volumeId: 'vol-0a1b2c3d4e5f60004',
    });
  });

  test('a claim PutItem failure fails that volume without creating a snapshot', async () => {
    // Prepare
    bed.store.failClaim = (ref) =>
      ref.volumeId === 'vol-0a1b2c3d4e5f60005' ? new Error('boom') : undefined;

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60005')).toMatchObject({
      outcome: 'failed',
      step: 'claim',
    });
    expect(bed.createInputs().map((i) => i.VolumeId)).not.toContain('vol-0a1b2c3d4e5f60005');
  });
});
