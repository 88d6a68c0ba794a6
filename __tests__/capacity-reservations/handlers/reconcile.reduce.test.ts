import { Metrics } from '@aws-lambda-powertools/metrics';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { completed, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb(
  'reconcile: capacity short and targets lowered (real MariaDB, mocked EC2)',
  () => {
    const h = reconcileHarness();

    describe('insufficient capacity', () => {
      it('records InsufficientInstanceCapacity on its row, emits a metric, and the next row proceeds', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'p4d.24xlarge', 'us-east-1a', 2);
        await insertSeedRow(h.db, 'p5.48xlarge', 'us-east-1b', 2);
        h.world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
        const metrics = new Metrics({ namespace: 'OdcrTest' });
        const addMetric = jest.spyOn(metrics, 'addMetric');

        // Act
        const pools = completed(await h.run(h.db, { metrics }));

        // Assess
        expect(pools.map((p) => p.status)).toEqual(['insufficient-capacity', 'reconciled']);
        expect((await readRow(h.db, 'p4d.24xlarge', 'us-east-1a'))?.Last_Error).toMatch(
          /^InsufficientInstanceCapacity: /,
        );
        expect(await readRow(h.db, 'p5.48xlarge', 'us-east-1b')).toMatchObject({
          Current_Capacity: 2,
          Last_Error: null,
        });
        expect(addMetric).toHaveBeenCalledWith('InsufficientCapacity', 'Count', 1);
        expect(addMetric).toHaveBeenCalledWith('CapacityGap', 'Count', 2);
      });

      it('keeps what earlier chunks reserved when a later chunk gets InsufficientInstanceCapacity', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'p4d.24xlarge', 'us-east-1a', 5);
        await h.db.execute('UPDATE odcr_capacity SET Chunk_Size = 2');
        const create = h.world.createCapacityReservation.bind(h.world);
        jest.spyOn(h.world, 'createCapacityReservation').mockImplementation((input) => {
          if (h.world.callsOf('CreateCapacityReservation').length >= 2)
            h.world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
          return create(input);
        });

        // Act
        const pools = completed(await h.run());

        // Assess
        expect(pools[0]).toMatchObject({ status: 'insufficient-capacity', actual: 4 });
        expect(await readRow(h.db, 'p4d.24xlarge', 'us-east-1a')).toMatchObject({
          Current_Capacity: 4,
          Last_Error: expect.stringMatching(/^InsufficientInstanceCapacity/),
        });
      });

      it('clears Last_Error once the pool reaches its target', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'p4d.24xlarge', 'us-east-1a', 1);
        h.world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
        await h.run();
        h.world.insufficientCapacity.clear();

        // Act
        await h.run();

        // Assess
        expect(await readRow(h.db, 'p4d.24xlarge', 'us-east-1a')).toMatchObject({
          Current_Capacity: 1,
          Last_Error: null,
        });
      });
    });

    describe('lowering the target', () => {
      it('never modifies or cancels a pending reservation: it waits for it, keeping capacity in use', async () => {
        // Prepare: 8 reserved, target 2; the pending reservation's 4 unused instances become releasable soon.
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 8);
        const pool = 'm5.large/us-east-1a';
        const pending = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          state: 'pending',
          tags: ours(pool),
        });
        const inUse = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          available: 0,
          tags: ours(pool),
        });

        // Act
        const pools = completed(await h.run());

        // Assess
        expect(h.world.callsOf('CancelCapacityReservation')).toEqual([]);
        expect(h.world.callsOf('ModifyCapacityReservation')).toEqual([
          { CapacityReservationId: inUse, InstanceCount: 2 },
        ]);
        expect(h.world.get(pending)).toMatchObject({ State: 'pending', TotalInstanceCount: 4 });
        expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 6, instancesRemoved: 2 });
        expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toMatch(
          new RegExp(
            `4 instance\\(s\\) above the target cannot be released yet: ${pending} is pending`,
          ),
        );
      });

      it('releases what it waited for once the reservation is active', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 0, 4);
        const id = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          state: 'pending',
          tags: ours('m5.large/us-east-1a'),
        });
        await h.run();
        h.world.activate(id);

        // Act
        const pools = completed(await h.run());

        // Assess
        expect(h.world.get(id)?.State).toBe('cancelled');
        expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 0 });
        expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toBeNull();
      });

      it('takes from the reservation with the most unused capacity first and leaves foreign reservations alone', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 7, 10);
        const pool = 'm5.large/us-east-1a';
        const inUse = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          available: 0,
          tags: ours(pool),
        });
        const partly = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 3,
          available: 1,
          tags: ours(pool),
        });
        const unused = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 3,
          available: 3,
          tags: ours(pool),
        });
        const untagged = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 8,
        });
        const otherOwner = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 5,
          tags: { 'managed-by': 'someone-else', 'ops-autopilot:pool': pool },
        });

        // Act
        const pools = completed(await h.run());

        // Assess
        expect(h.world.callsOf('CancelCapacityReservation')).toEqual([
          { CapacityReservationId: unused },
        ]);
        expect(h.world.callsOf('ModifyCapacityReservation')).toEqual([]);
        expect(h.world.get(partly)).toMatchObject({ State: 'active', TotalInstanceCount: 3 });
        expect(h.world.get(inUse)).toMatchObject({ State: 'active', TotalInstanceCount: 4 });
        expect(h.world.get(untagged)).toMatchObject({ State: 'active', TotalInstanceCount: 8 });
        expect(h.world.get(otherOwner)).toMatchObject({ State: 'active', TotalInstanceCount: 5 });
        expect(pools[0]).toMatchObject({ observed: 10, actual: 7, instancesRemoved: 3 });
        expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(7);
      });

      it('removes unused capacity before capacity in use (ModifyCapacityReservation lowers InstanceCount)', async () => {
        // Prepare: 3 of 7 reserved instances are unused, spread over two reservations.
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 4, 7);
        const pool = 'm5.large/us-east-1a';
        const big = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 5,
          available: 2,
          tags: ours(pool),
        });
        const small = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 2,
          available: 1,
          tags: ours(pool),
        });

        // Act
        await h.run();

        // Assess
        expect(h.world.callsOf('ModifyCapacityReservation')).toEqual([
          { CapacityReservationId: big, InstanceCount: 3 },
          { CapacityReservationId: small, InstanceCount: 1 },
        ]);
        expect([
          h.world.get(big)?.AvailableInstanceCount,
          h.world.get(small)?.AvailableInstanceCount,
        ]).toEqual([0, 0]);
        expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(4);
      });

      it('cancels every reservation of ours when the target becomes 0, and nothing else', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 0, 5);
        const a = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 2,
          available: 1,
          tags: ours('m5.large/us-east-1a'),
        });
        const b = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 3,
          tags: ours('m5.large/us-east-1a'),
        });
        const foreign = h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 3,
        });

        // Act
        await h.run();

        // Assess
        expect([h.world.get(a)?.State, h.world.get(b)?.State, h.world.get(foreign)?.State]).toEqual(
          ['cancelled', 'cancelled', 'active'],
        );
        expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(0);
      });
    });
  },
);
