import {
  CreateCapacityReservationCommand,
  type CreateCapacityReservationCommandInput,
} from '@aws-sdk/client-ec2';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { serveWorld } from '../fixtures/ec2-mock';
import { Ec2ApiError } from '../fixtures/ec2-world';
import { completed, RECONCILE_CONFIG, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb(
  'reconcile: bad rows, one run at a time, failures (real MariaDB, mocked EC2)',
  () => {
    const h = reconcileHarness();

    describe('bad rows', () => {
      const kinds: [string, string, string, number | null, string, string][] = [
        // [case, InstanceType, AvailabilityZone, Target_Capacity, extra SQL SET clause, expected Last_Error part]
        ['a negative target', 'c5.xlarge', 'us-east-1c', -3, '', 'Target_Capacity -3 is negative'],
        ['a NULL target', 'c5.xlarge', 'us-east-1c', null, '', 'Target_Capacity is NULL'],
        [
          'a malformed Availability Zone',
          'c5.xlarge',
          'us-east-1',
          2,
          '',
          'is not an Availability Zone',
        ],
        [
          'an injected Availability Zone',
          'c5.xlarge',
          "us-east-1a' OR '1'='1",
          2,
          '',
          'is not an Availability Zone',
        ],
        ['a malformed instance type', 'c5xlarge', 'us-east-1c', 2, '', 'is not an instance type'],
        [
          'an upper-case instance type',
          'C5.XLARGE',
          'us-east-1c',
          2,
          '',
          'is not an instance type',
        ],
        [
          'a zero Chunk_Size',
          'c5.xlarge',
          'us-east-1c',
          2,
          'Chunk_Size = 0',
          'Chunk_Size 0 must be NULL or an integer',
        ],
        [
          'a Chunk_Size above 1000',
          'c5.xlarge',
          'us-east-1c',
          2,
          'Chunk_Size = 1001',
          'Chunk_Size 1001',
        ],
        [
          'an unknown platform',
          'c5.xlarge',
          'us-east-1c',
          2,
          "Platform = 'Linux'",
          'Platform "Linux"',
        ],
        ['an unknown tenancy', 'c5.xlarge', 'us-east-1c', 2, "Tenancy = 'host'", 'Tenancy "host"'],
        [
          'an End_Date in the past',
          'c5.xlarge',
          'us-east-1c',
          2,
          "End_Date = '2020-01-01 00:00:00'",
          'is in the past',
        ],
      ];

      it.each(kinds)(
        'records %s in Last_Error, calls nothing for it, and the other rows proceed',
        async (_case, type, az, target, set, expected) => {
          // Prepare
          await ensureSchema(h.db);
          await insertSeedRow(h.db, type, az, target, 1);
          if (set)
            await h.db.execute(
              `UPDATE odcr_capacity SET ${set} WHERE InstanceType = ? AND AvailabilityZone = ?`,
              [type, az],
            );
          await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
          const metrics = new Metrics({ namespace: 'OdcrTest' });
          const addMetric = jest.spyOn(metrics, 'addMetric');

          // Act
          const pools = completed(await h.run(h.db, { metrics }));

          // Assess
          const bad = await readRow(h.db, type, az);
          expect(bad?.Last_Error).toContain(expected);
          expect(bad?.Current_Capacity).toBe(1);
          expect(bad?.Last_Reconciled_At).toBeNull();
          expect(JSON.stringify(h.ec2Mock.calls().map((c) => c.args[0].input))).not.toContain(
            `"${type}"`,
          );
          expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
            Current_Capacity: 2,
            Last_Error: null,
          });
          expect(pools.find((p) => p.instanceType === type)?.status).toBe('invalid');
          expect(addMetric).toHaveBeenCalledWith('RowsInvalid', 'Count', 1);
        },
      );
    });

    describe('single run', () => {
      it('lets exactly one of two overlapping runs work; together they reserve exactly the target', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 12);
        await insertSeedRow(h.db, 'c5.large', 'us-east-1b', 7);
        h.ec2Mock.reset();
        serveWorld(h.ec2Mock, h.world, { latencyMs: 40 });
        const other = await h.server.connect(h.database);

        // Act
        const results = await Promise.all([h.run(h.db), h.run(other)]).finally(() => other.end());

        // Assess
        expect(results.map((r) => r.status).sort()).toEqual(['completed', 'locked']);
        expect(h.world.liveInstances('m5.large', 'us-east-1a')).toBe(12);
        expect(h.world.liveInstances('c5.large', 'us-east-1b')).toBe(7);
        expect(h.createInputs()).toHaveLength(3);
      });

      it('changes nothing when another session holds the lock', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3, 1);
        const holder = await h.server.connect(h.database);
        await holder.execute('SELECT GET_LOCK(?, 0)', [RECONCILE_CONFIG.lockName]);

        // Act
        const result = await h.run().finally(() => holder.end());

        // Assess
        expect(result).toEqual({ status: 'locked', holderConnectionId: expect.any(Number) });
        expect(h.ec2Mock.calls()).toHaveLength(0);
        expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
          Current_Capacity: 1,
          Last_Reconciled_At: null,
        });
      });

      it('releases the lock at the end of a run', async () => {
        // Prepare
        await ensureSchema(h.db);

        // Act
        await h.run();

        // Assess
        const [rows] = await h.db.execute<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [
          RECONCILE_CONFIG.lockName,
        ]);
        expect(Number(rows[0]?.free)).toBe(1);
      });
    });

    describe('failures', () => {
      it('records a failed describe on its row and goes on with the others', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 2);
        await insertSeedRow(h.db, 'm6i.large', 'us-east-1a', 2);
        const describe = h.world.describeCapacityReservations.bind(h.world);
        jest.spyOn(h.world, 'describeCapacityReservations').mockImplementation((input) => {
          if (input.Filters?.some((f) => f.Values?.includes('m5.large/us-east-1a'))) {
            throw new Ec2ApiError(
              'UnauthorizedOperation',
              'You are not authorized to perform this operation.',
              403,
            );
          }
          return describe(input);
        });

        // Act
        const pools = completed(await h.run());

        // Assess
        expect(pools.map((p) => p.status)).toEqual(['failed', 'reconciled']);
        expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
          Current_Capacity: 2,
          Last_Error:
            'DescribeCapacityReservations failed: UnauthorizedOperation: You are not authorized to perform this operation.',
        });
        expect((await readRow(h.db, 'm6i.large', 'us-east-1a'))?.Current_Capacity).toBe(2);
      });

      it('stops starting rows when the database dies mid-run, and the next run does not reserve twice', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3);
        await insertSeedRow(h.db, 'm6i.large', 'us-east-1b', 2);
        const [[session]] = await h.db.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
        const killer = await h.server.connect(h.database);
        h.ec2Mock
          .on(CreateCapacityReservationCommand)
          .callsFake(async (input: CreateCapacityReservationCommandInput) => {
            const out = h.world.createCapacityReservation(input);
            await killer.query('KILL ?', [session?.id]);
            return out;
          });

        // Act
        const act = h.run(h.db, { config: { concurrency: 1 } });

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'DatabaseWriteError' });
        expect(h.createInputs()).toHaveLength(1);
        await killer.end();
        await h.db.end().catch(() => undefined);
        h.db = await h.server.connect(h.database);
        h.ec2Mock.reset();
        serveWorld(h.ec2Mock, h.world);
        const pools = completed(await h.run());
        expect(pools).toEqual([
          expect.objectContaining({ instanceType: 'm5.large', observed: 3, instancesCreated: 0 }),
          expect.objectContaining({ instanceType: 'm6i.large', observed: 0, instancesCreated: 2 }),
        ]);
      });

      it('fails with a named error when the table lacks a seed column, before any EC2 call', async () => {
        // Prepare
        await h.db.query(
          'CREATE TABLE odcr_capacity (InstanceType VARCHAR(64), AvailabilityZone VARCHAR(64), PRIMARY KEY (InstanceType, AvailabilityZone))',
        );

        // Act
        const act = h.run();

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'SchemaError' });
        expect(h.ec2Mock.calls()).toHaveLength(0);
      });
    });
  },
);
