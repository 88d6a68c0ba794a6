import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { completed, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

const POOL = 'm5.large/us-east-1a';

describeWithMariaDb('reconcile: a row whose attributes changed (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  /** Reservations of the pool made under the row's old attributes (Linux/UNIX, default tenancy). */
  const oldReservations = (...specs: { total: number; available?: number }[]): string[] =>
    specs.map((spec) =>
      h.world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        ...spec,
        tags: ours(POOL),
      }),
    );

  /** The world's calls as `Create n` / `Cancel id` / `Modify id n`, in order. */
  const sequence = () =>
    h.world.calls
      .filter((c) => c.action !== 'DescribeCapacityReservations')
      .map((c) => {
        const input = c.input as { InstanceCount?: number; CapacityReservationId?: string };
        if (c.action === 'CreateCapacityReservation') return `Create ${input.InstanceCount}`;
        if (c.action === 'CancelCapacityReservation')
          return `Cancel ${input.CapacityReservationId}`;
        return `Modify ${input.CapacityReservationId} ${input.InstanceCount}`;
      });

  it('replaces reservations of another platform chunk by chunk, creating before cancelling', async () => {
    // Prepare
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 10, 10);
    const [a = '', b = ''] = oldReservations({ total: 5, available: 2 }, { total: 5 });
    await h.db.execute(
      "UPDATE odcr_capacity SET Platform = 'Red Hat Enterprise Linux', Chunk_Size = 5",
    );

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(sequence()).toEqual([`Create 5`, `Cancel ${b}`, `Create 5`, `Cancel ${a}`]);
    expect(
      h.world
        .all()
        .filter((r) => r.State === 'active')
        .map((r) => [r.InstancePlatform, r.TotalInstanceCount]),
    ).toEqual([
      ['Red Hat Enterprise Linux', 5],
      ['Red Hat Enterprise Linux', 5],
    ]);
    expect(pools[0]).toMatchObject({ status: 'reconciled', observed: 0, actual: 10 });
    expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
      Current_Capacity: 10,
      Last_Error: null,
    });
  });

  it('keeps the old reservations it could not replace yet and finishes on a later run', async () => {
    // Prepare
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 10, 10);
    const [a = '', b = ''] = oldReservations({ total: 5 }, { total: 5 });
    await h.db.execute("UPDATE odcr_capacity SET Tenancy = 'dedicated', Chunk_Size = 5");
    const create = h.world.createCapacityReservation.bind(h.world);
    jest.spyOn(h.world, 'createCapacityReservation').mockImplementation((input) => {
      if (h.world.callsOf('CreateCapacityReservation').length === 1)
        h.world.insufficientCapacity.add(POOL);
      return create(input);
    });
    const first = completed(await h.run());
    h.world.insufficientCapacity.clear();

    // Act
    const second = completed(await h.run());

    // Assess
    expect(first[0]).toMatchObject({ status: 'insufficient-capacity', actual: 5 });
    expect(second[0]).toMatchObject({ status: 'reconciled', observed: 5, actual: 10 });
    expect([h.world.get(a)?.State, h.world.get(b)?.State]).toEqual(['cancelled', 'cancelled']);
    expect(h.world.liveInstances('m5.large', 'us-east-1a')).toBe(10);
  });

  it('releases reservations of another tenancy when the target is 0', async () => {
    // Prepare
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 0, 4);
    const [a = ''] = oldReservations({ total: 4 });
    await h.db.execute("UPDATE odcr_capacity SET Tenancy = 'dedicated'");

    // Act
    await h.run();

    // Assess
    expect(h.world.get(a)?.State).toBe('cancelled');
    expect(h.world.callsOf('CreateCapacityReservation')).toEqual([]);
  });
});
