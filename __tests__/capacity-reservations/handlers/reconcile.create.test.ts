import type { RowDataPacket } from 'mysql2/promise';
import { DescribeCapacityReservationsCommand, type CapacityReservation } from '@aws-sdk/client-ec2';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { MANAGED_BY } from '../fixtures/events';
import { completed, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb('reconcile: counting and creating (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  describe('EC2 is the truth', () => {
    it('reserves only the real gap when the counter drifted (counter 5, EC2 holds 3)', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 5, 5);
      h.world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
        tags: ours('m5.large/us-east-1a'),
      });

      // Act
      await h.run();

      // Assess
      expect(h.createInputs().map((i) => i.InstanceCount)).toEqual([2]);
      expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(5);
      expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(5);
    });

    it.each(['cancelled', 'expired'])(
      'does not count a %s reservation and replaces it',
      async (state) => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 4, 4);
        h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          state,
          tags: ours('m5.large/us-east-1a'),
        });

        // Act
        await h.run();

        // Assess
        expect(h.createInputs().map((i) => i.InstanceCount)).toEqual([4]);
        expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(4);
      },
    );

    it("finds a pool's reservations by its tags and state alone, whatever their platform or tenancy", async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'r6g.2xlarge', 'us-east-1c', 0);
      await h.db.execute(
        `UPDATE odcr_capacity SET Platform = 'Red Hat Enterprise Linux', Tenancy = 'dedicated'`,
      );

      // Act
      await h.run();

      // Assess
      const describe = h.ec2Mock.commandCalls(DescribeCapacityReservationsCommand)[0]?.args[0]
        .input;
      expect(describe?.Filters).toEqual([
        { Name: 'tag:managed-by', Values: [MANAGED_BY] },
        { Name: 'tag:ops-autopilot:pool', Values: ['r6g.2xlarge/us-east-1c'] },
        {
          Name: 'state',
          // Live states, and the refused ends of future-dated requests (reported, never counted).
          Values: [
            'active',
            'pending',
            'assessing',
            'scheduled',
            'delayed',
            'unsupported',
            'failed',
          ],
        },
      ]);
    });

    it('sums TotalInstanceCount over every page of the describe', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 't3.micro', 'us-east-1a', 250);
      for (let i = 0; i < 250; i++) {
        h.world.addReservation({
          instanceType: 't3.micro',
          availabilityZone: 'us-east-1a',
          total: 1,
          tags: ours('t3.micro/us-east-1a'),
        });
      }

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(h.ec2Mock.commandCalls(DescribeCapacityReservationsCommand).length).toBeGreaterThan(1);
      expect(pools[0]).toMatchObject({ observed: 250, instancesCreated: 0 });
      expect(h.createInputs()).toHaveLength(0);
    });

    it('does not count a reservation without our tags even if a describe returns it', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
      const foreign: CapacityReservation = {
        CapacityReservationId: 'cr-0f0f0f0f0f0f0f0f0',
        InstanceType: 'm5.large',
        AvailabilityZone: 'us-east-1a',
        InstancePlatform: 'Linux/UNIX',
        Tenancy: 'default',
        TotalInstanceCount: 2,
        AvailableInstanceCount: 2,
        State: 'active',
        Tags: [{ Key: 'team', Value: 'payments' }],
      };
      h.ec2Mock
        .on(DescribeCapacityReservationsCommand)
        .resolves({ CapacityReservations: [foreign] });

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(pools[0]).toMatchObject({ observed: 0, instancesCreated: 2 });
    });
  });

  describe('creating', () => {
    it('creates the gap in chunks, tagged, open, unlimited, with distinct ClientTokens of at most 64 ASCII characters', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'c6i.large', 'us-east-1e', 23);

      // Act
      await h.run();

      // Assess
      const inputs = h.createInputs();
      expect(inputs.map((i) => i.InstanceCount)).toEqual([10, 10, 3]);
      for (const input of inputs) {
        expect(input).toMatchObject({
          InstanceType: 'c6i.large',
          AvailabilityZone: 'us-east-1e',
          InstancePlatform: 'Linux/UNIX',
          Tenancy: 'default',
          InstanceMatchCriteria: 'open',
          EndDateType: 'unlimited',
          TagSpecifications: [
            {
              ResourceType: 'capacity-reservation',
              Tags: [
                { Key: 'managed-by', Value: MANAGED_BY },
                { Key: 'ops-autopilot:pool', Value: 'c6i.large/us-east-1e' },
                { Key: 'Name', Value: 'odcr c6i.large/us-east-1e' },
              ],
            },
          ],
        });
        expect(input.EndDate).toBeUndefined();
        expect(input.ClientToken).toMatch(/^[\x20-\x7e]{1,64}$/);
      }
      expect(new Set(inputs.map((i) => i.ClientToken)).size).toBe(3);
      expect((await readRow(h.db, 'c6i.large', 'us-east-1e'))?.Current_Capacity).toBe(23);
    });

    it("uses the row's Chunk_Size", async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'c6i.large', 'us-east-1e', 7);
      await h.db.execute('UPDATE odcr_capacity SET Chunk_Size = 3');

      // Act
      await h.run();

      // Assess
      expect(h.createInputs().map((i) => i.InstanceCount)).toEqual([3, 3, 1]);
    });

    it('ends reservations at End_Date (EndDateType limited) when it is set', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
      const end = new Date(Math.floor(Date.now() / 1000 + 30 * 86400) * 1000);
      await h.db.execute('UPDATE odcr_capacity SET End_Date = ?', [end]);

      // Act
      await h.run();

      // Assess
      expect(h.createInputs()).toEqual([
        expect.objectContaining({ EndDateType: 'limited', EndDate: end }),
      ]);
      expect(h.world.all()[0]).toMatchObject({ EndDateType: 'limited', EndDate: end });
    });
  });

  describe('idempotency', () => {
    it('moves to the next token generation only after a run that sent no Create for the pool', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 4);
      const generation = async () =>
        Number(
          (
            await h.db.query<RowDataPacket[]>('SELECT Token_Generation AS g FROM odcr_capacity')
          )[0][0]?.g,
        );

      // Act
      await h.run();
      const afterCreating = await generation();
      await h.run();
      const afterSteady = await generation();

      // Assess
      expect([afterCreating, afterSteady]).toEqual([0, 1]);
    });

    it('never runs out of client tokens when a target is toggled 10 -> 0 -> 10 again and again', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 10);
      const statuses: string[] = [];

      // Act
      for (let round = 0; round < 6; round++) {
        for (const target of [10, 0]) {
          await h.db.execute('UPDATE odcr_capacity SET Target_Capacity = ?', [target]);
          statuses.push(...completed(await h.run()).map((p) => p.status));
        }
      }
      await h.db.execute('UPDATE odcr_capacity SET Target_Capacity = 10');
      const last = completed(await h.run());

      // Assess
      expect(statuses).toEqual(Array(12).fill('reconciled'));
      expect(last[0]).toMatchObject({ status: 'reconciled', actual: 10 });
      expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(10);
    });

    it('does not reserve again when the previous run reserved but its UPDATE was lost', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 6);
      await h.run();
      await h.db.execute('UPDATE odcr_capacity SET Current_Capacity = 0');
      h.ec2Mock.resetHistory();

      // Act
      await h.run();

      // Assess
      expect(h.createInputs()).toHaveLength(0);
      expect(h.world.liveInstances('m5.large', 'us-east-1a')).toBe(6);
      expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(6);
    });

    it('sends the same ClientTokens when a run does not see the previous run yet, and EC2 returns the same reservations', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 15);
      h.world.hideNewFromDescribe = true;
      await h.run();
      const firstTokens = h.createInputs().map((i) => i.ClientToken);
      h.ec2Mock.resetHistory();

      // Act
      await h.run();

      // Assess
      expect(h.createInputs().map((i) => i.ClientToken)).toEqual(firstTokens);
      expect(h.world.all()).toHaveLength(2);
      h.world.catchUp();
      expect(h.world.liveInstances('m5.large', 'us-east-1a')).toBe(15);
    });

    it('uses new ClientTokens once the observed count changed, so a cancelled chunk is replaced with one call', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 20);
      await h.run();
      const [, second] = h.world.all();
      h.world.cancelOutOfBand(second?.CapacityReservationId ?? '');
      h.ec2Mock.resetHistory();

      // Act
      await h.run();

      // Assess: had the token ignored the observed count, chunk 0 would get the first run's live reservation back.
      expect(h.createInputs()).toHaveLength(1);
      expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(20);
    });

    it('replaces a reservation someone cancelled even though the observed count is the same as before', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 4);
      await h.run();
      const [first] = h.world.all();
      h.world.cancelOutOfBand(first?.CapacityReservationId ?? '');
      h.ec2Mock.resetHistory();

      // Act
      const pools = completed(await h.run());

      // Assess: the first token returns the cancelled reservation; its successor creates a new one.
      const tokens = h.createInputs().map((i) => i.ClientToken);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).not.toEqual(tokens[1]);
      expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(4);
      expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 4, reservationsCreated: 1 });
    });
  });
});
