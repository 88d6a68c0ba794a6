import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  type CreateSnapshotsCommandInput,
  type Instance,
} from '@aws-sdk/client-ec2';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { CreateRunBed, DAY_MS, ec2Error } from '../fixtures/create-run';
import { attachedTo, instanceWith } from '../fixtures/instance-world';
import { MemorySnapshotStore } from '../fixtures/memory-store';
import { CREATE_CONFIG, Ec2World, RUN_KEY, tagsOf, VOLUME_PAGES, VOLUMES } from '../fixtures/world';

const bed = new CreateRunBed();
const ROOT = VOLUMES[0]?.VolumeId ?? '';
const DATA = 'vol-0d47a000000000001';
const INSTANCE = 'i-0c0ffee0000000001';

/** The world with one instance tagged SnapshotInstance=3: its root volume is the fixture's tagged first volume. */
function withInstance(
  tags: Record<string, string> = { SnapshotInstance: '3', Name: 'db' },
): Instance {
  const instance = instanceWith(INSTANCE, [ROOT, DATA], tags);
  const pages = VOLUME_PAGES.map((p) => ({
    ...p,
    Volumes: (p.Volumes ?? []).map((v) => (v.VolumeId === ROOT ? attachedTo(v, instance) : v)),
  }));
  bed.world = new Ec2World(pages, bed.clock.now).install(bed.ec2Mock);
  bed.world.sets.instances.push(instance);
  return instance;
}

const setCalls = (): CreateSnapshotsCommandInput[] =>
  bed.ec2Mock.commandCalls(CreateSnapshotsCommand).map((c) => c.args[0].input);
const singleCallsFor = (volumeId: string) =>
  bed.ec2Mock
    .commandCalls(CreateSnapshotCommand)
    .filter((c) => c.args[0].input.VolumeId === volumeId);
const snapshotsOf = (volumeId: string) =>
  bed.world.snapshots.filter((s) => s.VolumeId === volumeId);

describe('crash-consistent instance sets', () => {
  test('a tagged instance gets one CreateSnapshots call; every snapshot carries the set id and is recorded with its ttl', async () => {
    // Prepare
    withInstance();

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(setCalls()).toHaveLength(1);
    expect(setCalls()[0]?.InstanceSpecification).toEqual({
      InstanceId: INSTANCE,
      ExcludeBootVolume: false,
    });
    const members = [...snapshotsOf(ROOT), ...snapshotsOf(DATA)];
    expect(members).toHaveLength(2);
    for (const s of members) {
      const tags = tagsOf(s.Tags);
      expect(tags['ops-autopilot:set-id']).toBe(`${RUN_KEY}/${INSTANCE}`);
      expect(tags['managed-by']).toBe(CREATE_CONFIG.managedBy);
      const record = bed.store.records.get(s.SnapshotId ?? '');
      expect(record?.volumeId).toBe(s.VolumeId);
      expect(record?.expiresAt.getTime()).toBe(bed.clock.now().getTime() + 3 * DAY_MS);
    }
    expect(result.failed).toBe(0);
  });

  test('a tagged volume of a tagged instance is snapshotted once, as part of the set', async () => {
    // Prepare
    withInstance();

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(singleCallsFor(ROOT)).toHaveLength(0);
    expect(snapshotsOf(ROOT)).toHaveLength(1);
    expect(result.outcomes).toContainEqual({
      volumeId: ROOT,
      outcome: 'skipped',
      reason: 'in-instance-set',
    });
  });

  test('with the boot volume excluded, the set leaves it out and its own tag snapshots it once alone', async () => {
    // Prepare
    withInstance();
    const config = { ...CREATE_CONFIG, excludeBootVolume: true };

    // Act
    await snapshotVolumes(bed.deps, config, RUN_KEY);

    // Assess
    expect(setCalls()[0]?.InstanceSpecification?.ExcludeBootVolume).toBe(true);
    expect(singleCallsFor(ROOT)).toHaveLength(1);
    expect(snapshotsOf(ROOT)).toHaveLength(1);
    expect(snapshotsOf(DATA)).toHaveLength(1);
  });

  test('a replayed run finds the set by its set id and creates none again', async () => {
    // Prepare
    withInstance();
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Act
    const replay = await snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(setCalls()).toHaveLength(1);
    expect(snapshotsOf(DATA)).toHaveLength(1);
    expect(replay.outcomes).toContainEqual(
      expect.objectContaining({
        volumeId: DATA,
        outcome: 'skipped',
        reason: 'already-snapshotted',
      }),
    );
  });

  test('a replay after its claims are gone (claim TTL, table restored) finds the set by its tag and creates none', async () => {
    // Prepare
    withInstance();
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    const emptyStore = new MemorySnapshotStore();

    // Act
    await snapshotVolumes(
      { ...bed.deps, store: emptyStore, attempt: 'run-b' },
      CREATE_CONFIG,
      RUN_KEY,
    );

    // Assess
    expect(setCalls()).toHaveLength(1);
    expect(emptyStore.records.has(snapshotsOf(DATA)[0]?.SnapshotId ?? '')).toBe(true);
  });

  test('two attempts of the run at once make one set', async () => {
    // Prepare
    withInstance();

    // Act
    await Promise.all([
      snapshotVolumes({ ...bed.deps, attempt: 'run-a' }, CREATE_CONFIG, RUN_KEY),
      snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY),
    ]);

    // Assess
    expect(setCalls()).toHaveLength(1);
    expect(snapshotsOf(DATA)).toHaveLength(1);
  });

  test('a lost CreateSnapshots reply is not retried blindly: the set is found by tag and recorded', async () => {
    // Prepare: the call is applied, then its reply is lost (no HTTP status)
    withInstance();
    const apply = bed.world.sets.createSnapshots.bind(bed.world.sets);
    let lost = 1;
    bed.ec2Mock.on(CreateSnapshotsCommand).callsFake(async (input: CreateSnapshotsCommandInput) => {
      const made = apply(input);
      if (lost-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return made;
    });

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(setCalls()).toHaveLength(1);
    const data = snapshotsOf(DATA)[0];
    expect(bed.store.records.has(data?.SnapshotId ?? '')).toBe(true);
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ volumeId: DATA, outcome: 'created' }),
    );
  });

  test('a refused CreateSnapshots fails the set, releases its claim and a replay makes it', async () => {
    // Prepare
    withInstance();
    bed.world.sets.createFailures.set(INSTANCE, ec2Error('UnauthorizedOperation', 403));

    // Act
    const first = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    bed.world.sets.createFailures.clear();
    await snapshotVolumes({ ...bed.deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(first.outcomes).toContainEqual(
      expect.objectContaining({ volumeId: INSTANCE, outcome: 'failed', step: 'create-set' }),
    );
    expect(snapshotsOf(DATA)).toHaveLength(1);
  });

  test('an instance gone before CreateSnapshots is skipped, not failed', async () => {
    // Prepare: listed, then terminated
    withInstance();
    bed.world.sets.createFailures.set(
      INSTANCE,
      Object.assign(ec2Error('InvalidInstanceID.NotFound', 400)),
    );

    // Act
    const result = await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);

    // Assess
    expect(result.failed).toBe(0);
    expect(result.outcomes).toContainEqual({
      volumeId: INSTANCE,
      outcome: 'skipped',
      reason: 'instance-gone',
    });
  });

  test('count:1 on the instance expires the older set member of each volume', async () => {
    // Prepare
    withInstance({ SnapshotInstance: 'count:1' });
    await snapshotVolumes(bed.deps, CREATE_CONFIG, RUN_KEY);
    const older = snapshotsOf(DATA)[0]?.SnapshotId ?? '';
    bed.clock.advance(DAY_MS);

    // Act
    await snapshotVolumes(bed.deps, CREATE_CONFIG, bed.clock.now().toISOString());

    // Assess
    expect(bed.store.records.get(older)?.expiresAt.getTime()).toBe(bed.clock.now().getTime());
  });
});
