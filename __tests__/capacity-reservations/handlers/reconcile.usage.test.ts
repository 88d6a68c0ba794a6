import type { RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import type { ReconcileResult } from '../../../functions/capacity-reservation/reconcile';
import { POOL_DIMENSION, POOL_METRICS } from '../../../functions/capacity-reservation/metric-names';
import { logger } from '../../../functions/shared/logger';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { completed, emfMetrics, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { captureEmf, type EmittedMetric } from '../../support/emf';
import { describeWithMariaDb } from '../../support/mariadb';

const POOL = 'm5.large/us-east-1a';
const SERVICE = 'capacity-reservation-reserver';
/** Whole seconds, as a DATETIME column keeps them. */
const T0 = new Date('2026-12-01T08:00:00Z');
const hoursAfter = (h: number) => new Date(T0.getTime() + h * 3_600_000);

describeWithMariaDb(
  'reconcile: idle and expiring capacity per pool (real MariaDB, mocked EC2)',
  () => {
    const h = reconcileHarness();

    const poolMetrics = (metrics: EmittedMetric[]) =>
      metrics
        .filter((m) => m.dimensions[POOL_DIMENSION] === POOL)
        .filter((m) => m.name === POOL_METRICS.utilization || m.name === POOL_METRICS.idleHours)
        .map((m) => [m.name, m.value, m.unit]);
    const idleSince = async () => {
      const [rows] = await h.db.execute<RowDataPacket[]>('SELECT Idle_Since FROM odcr_capacity');
      return rows[0]?.Idle_Since as Date | null;
    };
    /** A pool at its target of 10 with `used` instances running in its reservation. */
    const poolWithUse = async (used: number) => {
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 10, 10);
      return h.world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 10,
        available: 10 - used,
        tags: ours(POOL),
      });
    };
    const run = (now: Date, idleThresholdPercent?: number) =>
      captureEmf(() =>
        h.run(h.db, {
          metrics: emfMetrics(SERVICE),
          now: () => now,
          ...(idleThresholdPercent !== undefined ? { config: { idleThresholdPercent } } : {}),
        }),
      );

    it('publishes the pool utilization (percent of active reserved instances in use) and starts an idle stretch under 20 %', async () => {
      // Prepare
      await poolWithUse(1);

      // Act
      const { metrics } = await run(T0);

      // Assess
      expect(poolMetrics(metrics)).toEqual([
        [POOL_METRICS.utilization, 10, 'Percent'],
        [POOL_METRICS.idleHours, 0, 'None'],
      ]);
      expect(await idleSince()).toEqual(T0);
    });

    it('counts the idle hours from the first idle run, across runs, until the pool is used again', async () => {
      // Prepare
      const id = await poolWithUse(0);
      await run(T0);

      // Act
      const later = await run(hoursAfter(25));
      const reservation = h.world.get(id);
      if (reservation) reservation.AvailableInstanceCount = 5;
      const used = await run(hoursAfter(26));

      // Assess
      expect(poolMetrics(later.metrics)).toEqual([
        [POOL_METRICS.utilization, 0, 'Percent'],
        [POOL_METRICS.idleHours, 25, 'None'],
      ]);
      expect(poolMetrics(used.metrics)).toEqual([
        [POOL_METRICS.utilization, 50, 'Percent'],
        [POOL_METRICS.idleHours, 0, 'None'],
      ]);
      expect(await idleSince()).toBeNull();
    });

    it('takes the idle threshold from the configuration (capacity_idle_alarm_percent)', async () => {
      // Prepare
      await poolWithUse(1);

      // Act
      await run(T0, 5);

      // Assess
      expect(await idleSince()).toBeNull();
    });

    it('publishes no utilization for a pool without active capacity, and does not call it idle', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 0, 0);

      // Act
      const { metrics } = await run(T0);

      // Assess
      expect(poolMetrics(metrics)).toEqual([[POOL_METRICS.idleHours, 0, 'None']]);
      expect(await idleSince()).toBeNull();
    });

    describe('expiring capacity', () => {
      const expiringOf = (metrics: EmittedMetric[]) =>
        metrics
          .filter((m) => m.dimensions[POOL_DIMENSION] === POOL)
          .filter((m) => m.name === POOL_METRICS.expiringInstances)
          .map((m) => [m.value, m.unit]);
      const reservationEnding = (total: number, endDate: Date) =>
        h.world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total,
          tags: ours(POOL),
          endDate,
        });

      it('counts the instances of the pool that end within 72 hours by default, and names them in a warning', async () => {
        // Prepare: the row's End_Date is the reservations' end, 2 days away; a third reservation ends in 10 days.
        const soon = hoursAfter(48);
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 7, 7);
        const [a, b] = [reservationEnding(3, soon), reservationEnding(2, soon)];
        reservationEnding(2, hoursAfter(240));
        const warn = jest.spyOn(logger, 'warn');

        // Act
        const { metrics } = await run(T0);

        // Assess
        expect(expiringOf(metrics)).toEqual([[5, 'Count']]);
        expect(warn).toHaveBeenCalledWith('pool capacity ends soon', {
          pool: POOL,
          reservations: [
            { id: a, endDate: soon.toISOString() },
            { id: b, endDate: soon.toISOString() },
          ],
        });
      });

      it('takes the warning window from the configuration (capacity_expiry_warning_hours)', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3, 3);
        reservationEnding(3, hoursAfter(48));

        // Act
        const { metrics } = await captureEmf(() =>
          h.run(h.db, {
            metrics: emfMetrics(SERVICE),
            now: () => T0,
            config: { expiryWarningHours: 24 },
          }),
        );

        // Assess
        expect(expiringOf(metrics)).toEqual([[0, 'Count']]);
      });
    });

    it('adds Idle_Since to a table of the previous version; its rows reconcile unchanged', async () => {
      // Prepare: the table as the previous release left it, with a reconciled row.
      await ensureSchema(h.db);
      await h.db.query('ALTER TABLE odcr_capacity DROP COLUMN Idle_Since');
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 10, 10);
      h.world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 10,
        available: 5,
        tags: ours(POOL),
      });

      // Act
      const { result, error } = await run(T0);

      // Assess
      expect(error).toBeUndefined();
      const pools = completed(result as ReconcileResult);

      // Assess
      expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 10 })]);
      expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
        Target_Capacity: 10,
        Current_Capacity: 10,
        Last_Error: null,
      });
      expect(await idleSince()).toBeNull();
      expect(h.createInputs()).toEqual([]);
    });
  },
);
