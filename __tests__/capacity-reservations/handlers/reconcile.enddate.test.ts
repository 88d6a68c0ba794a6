import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { completed, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

const POOL = 'm5.large/us-east-1a';
/** A whole second in the future, as a DATETIME column holds it. */
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000 + days * 86400) * 1000);

describeWithMariaDb(
  'reconcile: End_Date of existing reservations (real MariaDB, mocked EC2)',
  () => {
    const h = reconcileHarness();

    const reservation = (total: number) =>
      h.world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total,
        tags: ours(POOL),
      });
    const endDates = () =>
      h.world.all().map((r) => [r.CapacityReservationId, r.EndDateType, r.EndDate?.toISOString()]);

    it('gives existing unlimited reservations the End_Date a row gains', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 6, 6);
      const [a, b] = [reservation(3), reservation(3)];
      const end = inDays(30);
      await h.db.execute('UPDATE odcr_capacity SET End_Date = ?', [end]);

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(endDates()).toEqual([
        [a, 'limited', end.toISOString()],
        [b, 'limited', end.toISOString()],
      ]);
      expect(h.world.callsOf('CreateCapacityReservation')).toEqual([]);
      expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 6 });
    });

    it.each([
      ['extends', 60],
      ['shortens', 10],
    ])('%s the end date of existing reservations with the row', async (_case, days) => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 2);
      await h.db.execute('UPDATE odcr_capacity SET End_Date = ?', [inDays(30)]);
      await h.run();
      const end = inDays(days);
      await h.db.execute('UPDATE odcr_capacity SET End_Date = ?', [end]);

      // Act
      await h.run();

      // Assess
      expect(h.world.all().map((r) => [r.State, r.EndDateType, r.EndDate])).toEqual([
        ['active', 'limited', end],
      ]);
    });

    it('makes existing reservations unlimited again when End_Date is cleared', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 2);
      await h.db.execute('UPDATE odcr_capacity SET End_Date = ?', [inDays(30)]);
      await h.run();
      await h.db.execute('UPDATE odcr_capacity SET End_Date = NULL');

      // Act
      await h.run();

      // Assess
      expect(h.world.all().map((r) => [r.EndDateType, r.EndDate])).toEqual([
        ['unlimited', undefined],
      ]);
    });

    it('releases a pool at target 0 even when its End_Date has passed', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 0, 4);
      const a = reservation(4);
      await h.db.execute("UPDATE odcr_capacity SET End_Date = '2020-01-01 00:00:00'");

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(h.world.get(a)?.State).toBe('cancelled');
      expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 0 });
      expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 0,
        Last_Error: null,
      });
    });
  },
);
