import type { RowDataPacket } from 'mysql2/promise';
import { insertSeedRow, readRow, SEED_TABLE_DDL } from '../fixtures/demand';
import { completed, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb('reconcile: the demand table (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  describe('schema', () => {
    it('creates the table with the seed columns plus the new ones when it is missing', async () => {
      // Act
      await h.run();

      // Assess
      const [columns] = await h.db.execute<RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'odcr_capacity' ORDER BY ORDINAL_POSITION`,
      );
      expect(columns.map((c) => c.name)).toEqual([
        'InstanceType',
        'AvailabilityZone',
        'Target_Capacity',
        'Current_Capacity',
        'Platform',
        'Tenancy',
        'End_Date',
        'Chunk_Size',
        'Last_Error',
        'Last_Reconciled_At',
        'Token_Generation',
        'Idle_Since',
        'Start_Date',
        'Commitment_Days',
        'Match',
      ]);
      // Without rows, EC2 is only read (for reservations whose row was deleted), never written.
      expect(h.ec2Mock.calls().map((c) => c.args[0].constructor.name)).toEqual([
        'DescribeCapacityReservationsCommand',
      ]);
    });

    it('keeps the seed SQL working: an INSERT into the four seed columns is reconciled', async () => {
      // Prepare
      await h.run();
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3, 0);

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 3 })]);
      expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 3,
        Last_Error: null,
        Last_Reconciled_At: expect.any(Date),
      });
      const [defaults] = await h.db.execute<RowDataPacket[]>(
        'SELECT Platform, Tenancy, End_Date, Chunk_Size FROM odcr_capacity',
      );
      expect(defaults[0]).toEqual({
        Platform: 'Linux/UNIX',
        Tenancy: 'default',
        End_Date: null,
        Chunk_Size: null,
      });
    });

    it("adds the missing columns to the seed's existing table and keeps its rows", async () => {
      // Prepare
      await h.db.query(SEED_TABLE_DDL);
      await insertSeedRow(h.db, 'c5.xlarge', 'us-east-1b', 2, 2);

      // Act
      const pools = completed(await h.run());

      // Assess
      const [columns] = await h.db.execute<RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'odcr_capacity'`,
      );
      expect(columns.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'Platform',
          'Tenancy',
          'End_Date',
          'Chunk_Size',
          'Last_Error',
          'Last_Reconciled_At',
        ]),
      );
      // The seed's counter said 2, but EC2 holds nothing of ours: 2 are reserved.
      expect(pools).toEqual([
        expect.objectContaining({ status: 'reconciled', observed: 0, instancesCreated: 2 }),
      ]);
    });
  });
});
