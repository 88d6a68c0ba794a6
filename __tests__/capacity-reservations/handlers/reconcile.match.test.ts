import type { RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow, SEED_TABLE_DDL } from '../fixtures/demand';
import { completed, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

const POOL = 'm5.large/us-east-1a';

describeWithMariaDb('reconcile: open and targeted reservations (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  const row = async (target: number, match: string | null, chunkSize = 10) => {
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', target, 0);
    await h.db.execute('UPDATE odcr_capacity SET `Match` = COALESCE(?, `Match`), Chunk_Size = ?', [
      match,
      chunkSize,
    ]);
  };
  const existing = (total: number, available = total) =>
    h.world.addReservation({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      total,
      available,
      tags: ours(POOL),
    });
  const arnOf = (id: string) => h.world.get(id)?.CapacityReservationArn ?? '';
  const targeted = (id: string) => {
    h.world.modifyCapacityReservation({
      CapacityReservationId: id,
      InstanceMatchCriteria: 'targeted',
    });
    h.world.calls.length = 0;
  };
  /** EC2 writes and group calls in order, as `Create n targeted` / `Cancel id` / `Modify id …` / `Group ids`. */
  const sequence = () =>
    h.world.calls
      .filter((c) => !c.action.startsWith('Describe'))
      .map((c) => {
        const i = c.input as Record<string, unknown>;
        const id = String(i.CapacityReservationId);
        if (c.action === 'CreateCapacityReservation')
          return `Create ${String(i.InstanceCount)} ${String(i.InstanceMatchCriteria)}`;
        if (c.action === 'CancelCapacityReservation') return `Cancel ${id}`;
        if (c.action === 'ModifyCapacityReservation')
          return `Modify ${id} ${String(i.InstanceMatchCriteria ?? i.InstanceCount)}`;
        return `${c.action} ${(i.ResourceArns as string[]).map((a) => a.split('/')[1]).join(',')}`;
      });
  beforeEach(() => {
    h.group.journal = h.world.calls;
  });

  it('creates targeted reservations and adds each to the group', async () => {
    // Prepare
    await row(7, 'targeted', 5);

    // Act
    const pools = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    const created = h.world.all().map((r) => r.CapacityReservationId ?? '');
    expect(sequence()).toEqual([
      'Create 5 targeted',
      `GroupResources ${created[0]}`,
      'Create 2 targeted',
      `GroupResources ${created[1]}`,
    ]);
    expect([...h.group.members]).toEqual(created.map(arnOf));
    expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 7 });
  });

  it('refuses a targeted row when the deployment has no group', async () => {
    // Prepare
    await row(3, 'targeted');

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(pools[0]).toMatchObject({ status: 'invalid' });
    expect(h.world.callsOf('CreateCapacityReservation')).toEqual([]);
    expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toMatch(
      /^invalid row: Match 'targeted' needs the stack's capacity reservation group/,
    );
  });

  it('refuses a Match that is neither open nor targeted', async () => {
    // Prepare
    await row(3, 'closed');

    // Act
    const pools = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(pools[0]).toMatchObject({ status: 'invalid' });
    expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toContain(
      `Match "closed" must be 'open' or 'targeted'`,
    );
  });

  it('adds Match to a table without it, and its rows stay open', async () => {
    // Prepare
    await h.db.query(SEED_TABLE_DDL);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 0);

    // Act
    completed(await h.run(undefined, { withGroup: true }));

    // Assess
    const [rows] = await h.db.query<RowDataPacket[]>('SELECT `Match` AS m FROM odcr_capacity');
    expect(rows.map((r) => r.m)).toEqual(['open']);
    expect(sequence()).toEqual(['Create 2 open']);
  });

  it('switches idle open reservations to targeted in place, then adds them to the group', async () => {
    // Prepare
    await row(6, 'targeted');
    const [a, b] = [existing(4), existing(2)];

    // Act
    const pools = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(sequence()).toEqual([
      `Modify ${a} targeted`,
      `Modify ${b} targeted`,
      `GroupResources ${a},${b}`,
    ]);
    expect(pools[0]).toMatchObject({ status: 'reconciled', observed: 6, actual: 6 });
  });

  it('replaces used open reservations chunk by chunk, never below the target', async () => {
    // Prepare
    await row(10, 'targeted', 5);
    existing(5, 3);
    existing(5, 4);
    const liveAfterRelease: number[] = [];
    for (const method of ['modifyCapacityReservation', 'cancelCapacityReservation'] as const) {
      const original = h.world[method].bind(h.world);
      jest.spyOn(h.world, method).mockImplementation((input) => {
        const out = original(input);
        liveAfterRelease.push(h.world.liveInstances('m5.large', 'us-east-1a'));
        return out;
      });
    }

    // Act
    const pools = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    const live = h.world.all().filter((r) => r.State === 'active');
    expect(sequence()[0]).toBe('Create 5 targeted');
    expect(Math.min(...liveAfterRelease)).toBeGreaterThanOrEqual(10);
    expect(live.map((r) => r.InstanceMatchCriteria)).toEqual(['targeted', 'targeted']);
    expect([...h.group.members]).toEqual(live.map((r) => r.CapacityReservationArn));
    expect(pools[0]).toMatchObject({ status: 'reconciled', observed: 0, actual: 10 });
  });

  it('switches an idle targeted reservation back to open, out of the group first', async () => {
    // Prepare
    await row(4, 'open');
    const a = existing(4);
    targeted(a);
    h.group.members.add(arnOf(a));

    // Act
    completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(sequence()).toEqual([`UngroupResources ${a}`, `Modify ${a} open`]);
    expect(h.group.members.size).toBe(0);
  });

  it('takes a targeted reservation out of the group before cancelling it', async () => {
    // Prepare
    await row(0, 'targeted');
    const a = existing(3);
    targeted(a);
    h.group.members.add(arnOf(a));

    // Act
    completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(sequence()).toEqual([`GroupResources ${a}`, `UngroupResources ${a}`, `Cancel ${a}`]);
    expect(h.group.members.size).toBe(0);
  });

  it('adds a reservation whose GroupResources reply was lost on the next run', async () => {
    // Prepare
    await row(2, 'targeted');
    h.group.failNext = { command: 'GroupResources', error: new Error('socket hang up') };
    const first = completed(await h.run(undefined, { withGroup: true }));

    // Act
    const second = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(first[0]).toMatchObject({ status: 'failed', actual: 2 });
    expect(second[0]).toMatchObject({ status: 'reconciled', observed: 2, reservationsCreated: 0 });
    expect([...h.group.members]).toEqual(h.world.all().map((r) => r.CapacityReservationArn));
  });

  it('reports reservations the group refused in Last_Error, counting them as reserved', async () => {
    // Prepare
    await row(2, 'targeted');
    h.group.refuseWith = 'LimitExceeded';

    // Act
    const pools = completed(await h.run(undefined, { withGroup: true }));

    // Assess
    expect(pools[0]).toMatchObject({ status: 'failed', actual: 2 });
    expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toMatch(
      /^GroupMembershipError: could not add 1 reservation\(s\) to the group: arn:aws:ec2:.*LimitExceeded: refused$/,
    );
  });
});
