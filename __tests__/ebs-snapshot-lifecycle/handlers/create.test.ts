import { DynamoDBClient, DynamoDBServiceException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EC2ServiceException,
  type CreateSnapshotCommandInput,
  type Volume,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  claimKey,
  retentionDays,
  snapshotTags,
  snapshotVolumes,
  SNAPSHOT_TAGS,
  type SnapshotRunDeps,
} from '../../../functions/ebs-snapshot/create';
import { logger } from '../../../functions/shared/logger';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  clients,
  CREATE_CONFIG,
  createResourceTags,
  Ec2World,
  FakeTable,
  MANAGED_BY,
  NOW,
  RUN_KEY,
  tagsOf,
  VOLUMES,
} from '../fixtures/world';

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-create', [ec2Mock, ddbMock], createResourceTags);

const DAY_MS = 86_400_000;
const createInputs = (): CreateSnapshotCommandInput[] =>
  ec2Mock.commandCalls(CreateSnapshotCommand).map((c) => c.args[0].input);
const createInputOf = (volumeId: string): CreateSnapshotCommandInput => {
  const input = createInputs().find((i) => i.VolumeId === volumeId);
  if (!input) throw new Error(`no CreateSnapshot for ${volumeId}`);
  return input;
};
const tagsSent = (volumeId: string) => tagsOf(createInputOf(volumeId).TagSpecifications?.[0]?.Tags);
const ec2Error = (name: string, status: number) =>
  new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

let table: FakeTable;
let world: Ec2World;
let deps: SnapshotRunDeps;

beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  table = new FakeTable().install(ddbMock);
  world = new Ec2World().install(ec2Mock);
  deps = { ...clients(), now: () => NOW, claimOwner: 'run-a' };
});

describe('listing volumes', () => {
  test('snapshots the volumes of every DescribeVolumes page', async () => {
    // Prepare: the world's five tagged volumes are spread over three pages

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(ec2Mock.commandCalls(DescribeVolumesCommand)).toHaveLength(3);
    expect(
      createInputs()
        .map((i) => i.VolumeId)
        .sort(),
    ).toEqual(VOLUMES.map((v) => v.VolumeId).sort());
    expect(result).toMatchObject({ volumes: 5, created: 5, skipped: 0, failed: 0 });
  });

  test('asks EC2 only for volumes carrying the tag key', async () => {
    // Act
    await snapshotVolumes(deps, { ...CREATE_CONFIG, tagKey: 'Backup' }, RUN_KEY);

    // Assess
    const filters = ec2Mock
      .commandCalls(DescribeVolumesCommand)
      .map((c) => c.args[0].input.Filters);
    expect(filters[0]).toEqual([{ Name: 'tag-key', Values: ['Backup'] }]);
  });

  test('a failing DescribeVolumes fails the run before any snapshot', async () => {
    // Prepare
    ec2Mock.on(DescribeVolumesCommand).rejects(ec2Error('UnauthorizedOperation', 403));

    // Act
    const run = snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(createInputs()).toHaveLength(0);
  });
});

describe('the snapshot of one volume', () => {
  test('a volume without a Name tag is described by its volume id', async () => {
    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.failed).toBe(0);
    expect(createInputOf('vol-0a1b2c3d4e5f60003').Description).toBe(
      'ops-autopilot snapshot of vol-0a1b2c3d4e5f60003',
    );
    expect(createInputOf('vol-0a1b2c3d4e5f60001').Description).toBe(
      'ops-autopilot snapshot of web-root (vol-0a1b2c3d4e5f60001)',
    );
  });

  test("copies the volume's tags except aws: keys and adds ours", async () => {
    // Act
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(tagsSent('vol-0a1b2c3d4e5f60001')).toEqual({
      Name: 'web-root',
      Snapshot: '14',
      team: 'web',
      'managed-by': MANAGED_BY,
      'ops-autopilot:expires-at': new Date(NOW.getTime() + 14 * DAY_MS).toISOString(),
      'ops-autopilot:run': RUN_KEY,
      'ops-autopilot:volume-id': 'vol-0a1b2c3d4e5f60001',
    });
    expect(createInputOf('vol-0a1b2c3d4e5f60001').TagSpecifications?.[0]?.ResourceType).toBe(
      'snapshot',
    );
  });

  test("our managed-by tag replaces a volume's own", async () => {
    // Act
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const tags = createInputOf('vol-0a1b2c3d4e5f60004').TagSpecifications?.[0]?.Tags ?? [];
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
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const expiresAt = new Date(NOW.getTime() + days * DAY_MS);
    expect(tagsSent(volumeId)['ops-autopilot:expires-at']).toBe(expiresAt.toISOString());
    const record = table.records().find((r) => r.volume_id?.S === volumeId);
    expect(record?.ttl).toEqual({ N: String(expiresAt.getTime() / 1000) });
  });

  test('writes the record of each new snapshot', async () => {
    // Act
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const snapshot = world.snapshots.find((s) => s.VolumeId === 'vol-0a1b2c3d4e5f60002');
    const record = table.items.get(snapshot?.SnapshotId ?? '');
    expect(record).toEqual({
      snapshot_id: { S: snapshot?.SnapshotId },
      create_time: { S: NOW.toISOString() },
      description: { S: 'ops-autopilot snapshot of db-data (vol-0a1b2c3d4e5f60002)' },
      timestamp: { S: NOW.toISOString() },
      ttl: { N: String((NOW.getTime() + 7 * DAY_MS) / 1000) },
      volume_id: { S: 'vol-0a1b2c3d4e5f60002' },
      run: { S: RUN_KEY },
    });
    expect(
      ddbMock
        .commandCalls(PutItemCommand)
        .every((c) => c.args[0].input.TableName === CREATE_CONFIG.tableName),
    ).toBe(true);
  });
});

describe('failures', () => {
  test("one volume's failure does not stop the others", async () => {
    // Prepare
    world.createFailures.set('vol-0a1b2c3d4e5f60002', ec2Error('IncorrectState', 400));

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result).toMatchObject({ created: 4, skipped: 0, failed: 1 });
    expect(result.outcomes.find((o) => o.outcome === 'failed')).toMatchObject({
      volumeId: 'vol-0a1b2c3d4e5f60002',
      step: 'create',
    });
    expect(table.records()).toHaveLength(4);
  });

  test.each([
    ['IncorrectState', 400],
    ['InternalError', 500],
  ])(
    'a create answered with %s releases its claim, so a retry of the event snapshots that volume',
    async (code, status) => {
      // Prepare
      world.createFailures.set('vol-0a1b2c3d4e5f60002', ec2Error(code, status));
      await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);
      world.createFailures.clear();
      ec2Mock.resetHistory();

      // Act
      const retry = await snapshotVolumes({ ...deps, claimOwner: 'run-b' }, CREATE_CONFIG, RUN_KEY);

      // Assess
      expect(retry).toMatchObject({ created: 1, skipped: 4, failed: 0 });
      expect(createInputs().map((i) => i.VolumeId)).toEqual(['vol-0a1b2c3d4e5f60002']);
    },
  );

  test('a create with no answer (timeout) keeps the claim until it goes stale', async () => {
    // Prepare
    const timeout = Object.assign(new Error('Connection timed out after 120000 ms'), {
      name: 'TimeoutError',
    });
    world.createFailures.set('vol-0a1b2c3d4e5f60002', timeout);
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);
    world.createFailures.clear();

    // Act
    const soon = await snapshotVolumes({ ...deps, claimOwner: 'run-b' }, CREATE_CONFIG, RUN_KEY);
    const later = new Date(NOW.getTime() + (CREATE_CONFIG.claimStaleAfterSeconds + 1) * 1000);
    const afterStale = await snapshotVolumes(
      { ...deps, claimOwner: 'run-c', now: () => later },
      CREATE_CONFIG,
      RUN_KEY,
    );

    // Assess
    expect(soon.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60002')).toMatchObject({
      outcome: 'skipped',
      reason: 'claimed-by-another-run',
    });
    expect(afterStale.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60002')).toMatchObject({
      outcome: 'created',
    });
  });

  test('a second snapshot made by a retried CreateSnapshot (lost response) is recorded, so it expires too', async () => {
    // Prepare: the first attempt's response is lost after EC2 made the snapshot; the SDK retry makes another
    let lost = false;
    ec2Mock.on(CreateSnapshotCommand).callsFake(async (input: CreateSnapshotCommandInput) => {
      if (input.VolumeId === 'vol-0a1b2c3d4e5f60002' && !lost) {
        lost = true;
        world.createSnapshot(input);
      }
      return world.createSnapshot(input);
    });

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const ofVolume = world.snapshots.filter((s) => s.VolumeId === 'vol-0a1b2c3d4e5f60002');
    expect(ofVolume).toHaveLength(2);
    expect(result.strays).toBe(1);
    for (const snapshot of ofVolume)
      expect(table.items.has(snapshot.SnapshotId as string)).toBe(true);
  });

  test('a record PutItem failure counts the volume failed and logs the snapshot id', async () => {
    // Prepare
    const error = jest.spyOn(logger, 'error');
    table.failPut = (item) =>
      item.volume_id?.S === 'vol-0a1b2c3d4e5f60004' && item.snapshot_id?.S?.startsWith('snap-')
        ? new DynamoDBServiceException({
            name: 'InternalServerError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
            message: 'boom',
          })
        : undefined;

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const snapshotId = world.snapshots.find(
      (s) => s.VolumeId === 'vol-0a1b2c3d4e5f60004',
    )?.SnapshotId;
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
    table.failPut = (item) =>
      item.volume_id?.S === 'vol-0a1b2c3d4e5f60004' && item.snapshot_id?.S?.startsWith('snap-')
        ? new Error('boom')
        : undefined;
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);
    table.failPut = () => undefined;
    ec2Mock.resetHistory();

    // Act
    const replay = await snapshotVolumes(
      { ...deps, claimOwner: 'run-b', now: () => new Date(NOW.getTime() + 60_000) },
      CREATE_CONFIG,
      RUN_KEY,
    );

    // Assess
    const snapshot = world.snapshots.find((s) => s.VolumeId === 'vol-0a1b2c3d4e5f60004');
    expect(createInputs()).toHaveLength(0);
    expect(replay).toMatchObject({ created: 0, skipped: 5, failed: 0 });
    expect(table.items.get(snapshot?.SnapshotId ?? '')).toMatchObject({
      ttl: { N: String((NOW.getTime() + 30 * DAY_MS) / 1000) },
      volume_id: { S: 'vol-0a1b2c3d4e5f60004' },
    });
  });

  test('a claim PutItem failure fails that volume without creating a snapshot', async () => {
    // Prepare
    table.failPut = (item) =>
      item.snapshot_id?.S === claimKey(RUN_KEY, 'vol-0a1b2c3d4e5f60005')
        ? new Error('boom')
        : undefined;

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60005')).toMatchObject({
      outcome: 'failed',
      step: 'claim',
    });
    expect(createInputs().map((i) => i.VolumeId)).not.toContain('vol-0a1b2c3d4e5f60005');
  });

  test('an existing snapshot of this run in error state counts as failed', async () => {
    // Prepare
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);
    const broken = world.snapshots.find((s) => s.VolumeId === 'vol-0a1b2c3d4e5f60001');
    if (broken) broken.State = 'error';

    // Act
    const replay = await snapshotVolumes({ ...deps, claimOwner: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(replay).toMatchObject({ skipped: 4, failed: 1 });
  });
});

describe('idempotency and concurrency', () => {
  test('replaying the same event creates no second snapshot', async () => {
    // Prepare
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);
    const recordsAfterFirst = table
      .records()
      .map((r) => r.snapshot_id?.S)
      .sort();

    // Act
    const replay = await snapshotVolumes({ ...deps, claimOwner: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(createInputs()).toHaveLength(5);
    expect(replay).toMatchObject({ created: 0, skipped: 5, failed: 0 });
    expect(
      table
        .records()
        .map((r) => r.snapshot_id?.S)
        .sort(),
    ).toEqual(recordsAfterFirst);
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[1]?.args[0].input).toMatchObject({
      OwnerIds: ['self'],
      Filters: [
        { Name: 'tag:ops-autopilot:run', Values: [RUN_KEY] },
        { Name: 'tag:managed-by', Values: [MANAGED_BY] },
      ],
    });
  });

  test('a new scheduled event snapshots every volume again', async () => {
    // Prepare
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Act
    const next = await snapshotVolumes(
      { ...deps, claimOwner: 'run-b' },
      CREATE_CONFIG,
      '2015-10-09T16:53:06Z',
    );

    // Assess
    expect(next).toMatchObject({ created: 5, skipped: 0 });
    expect(createInputs()).toHaveLength(10);
  });

  test("another deployment's snapshot of the same run does not count as ours", async () => {
    // Prepare
    world.createSnapshot({
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
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result).toMatchObject({ created: 5, skipped: 0 });
  });

  test('two concurrent runs of the same event create each snapshot once', async () => {
    // Act
    const [a, b] = await Promise.all([
      snapshotVolumes({ ...deps, claimOwner: 'run-a' }, CREATE_CONFIG, RUN_KEY),
      snapshotVolumes({ ...deps, claimOwner: 'run-b' }, CREATE_CONFIG, RUN_KEY),
    ]);

    // Assess
    expect(createInputs()).toHaveLength(5);
    expect(new Set(createInputs().map((i) => i.VolumeId)).size).toBe(5);
    expect(a.created + b.created).toBe(5);
    expect(a.skipped + b.skipped).toBe(5);
  });

  test('a volume claimed by another live run is skipped', async () => {
    // Prepare
    const key = claimKey(RUN_KEY, 'vol-0a1b2c3d4e5f60001');
    table.items.set(key, {
      snapshot_id: { S: key },
      claimed_at: { N: String(NOW.getTime() / 1000 - 10) },
      claim_owner: { S: 'other' },
    });

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.outcomes.find((o) => o.volumeId === 'vol-0a1b2c3d4e5f60001')).toEqual({
      volumeId: 'vol-0a1b2c3d4e5f60001',
      outcome: 'skipped',
      reason: 'claimed-by-another-run',
    });
    expect(createInputs().map((i) => i.VolumeId)).not.toContain('vol-0a1b2c3d4e5f60001');
  });

  test('a stale claim (its run died) is taken over', async () => {
    // Prepare
    const key = claimKey(RUN_KEY, 'vol-0a1b2c3d4e5f60001');
    const staleAt = NOW.getTime() / 1000 - CREATE_CONFIG.claimStaleAfterSeconds - 1;
    table.items.set(key, {
      snapshot_id: { S: key },
      claimed_at: { N: String(staleAt) },
      claim_owner: { S: 'dead' },
    });

    // Act
    const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.created).toBe(5);
    expect(table.items.get(key)?.claim_owner).toEqual({ S: 'run-a' });
  });

  test('claims are conditional PutItems with a ttl', async () => {
    // Act
    await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    const claimPut = ddbMock
      .commandCalls(PutItemCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.Item?.snapshot_id?.S === claimKey(RUN_KEY, 'vol-0a1b2c3d4e5f60003'));
    expect(claimPut?.ConditionExpression).toBe(
      'attribute_not_exists(snapshot_id) OR claimed_at < :stale',
    );
    expect(claimPut?.ExpressionAttributeValues).toEqual({
      ':stale': { N: String(NOW.getTime() / 1000 - 900) },
    });
    expect(Number(claimPut?.Item?.ttl?.N)).toBeGreaterThan(NOW.getTime() / 1000);
  });

  test('never more CreateSnapshot calls in flight than CONCURRENCY', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    ec2Mock.on(CreateSnapshotCommand).callsFake(async (input: CreateSnapshotCommandInput) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return world.createSnapshot(input);
    });

    // Act
    const result = await snapshotVolumes(deps, { ...CREATE_CONFIG, concurrency: 2 }, RUN_KEY);

    // Assess
    expect(result.created).toBe(5);
    expect(peak).toBe(2);
  });
});

describe('pure helpers', () => {
  test.each([
    ['14', 14],
    [' 30 ', 30],
    ['1', 1],
    ['0', 7],
    ['-3', 7],
    ['1.5', 7],
    ['2w', 7],
    ['true', 7],
    ['', 7],
    [undefined, 7],
    ['99999999', 7],
  ])('retention tag %p means %i days (default 7)', (value, days) => {
    // Act + Assess
    expect(retentionDays(value, 7)).toBe(days);
  });

  test('a volume with many tags still yields at most 50 snapshot tags, ours included', () => {
    // Prepare
    const many: Volume = {
      VolumeId: 'vol-0a1b2c3d4e5f60009',
      Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` })),
    };

    // Act
    const tags = snapshotTags(many, CREATE_CONFIG, RUN_KEY, NOW);

    // Assess
    expect(tags).toHaveLength(50);
    expect(tagsOf(tags)).toMatchObject({
      'managed-by': MANAGED_BY,
      'ops-autopilot:volume-id': 'vol-0a1b2c3d4e5f60009',
    });
  });
});
