import { ensureSchema } from '../../../functions/capacity-reservation/database';
import {
  POOL_DIMENSION,
  POOL_METRICS,
  RESERVER_METRICS,
  RUN_METRICS,
} from '../../../functions/capacity-reservation/metric-names';
import { insertSeedRow } from '../fixtures/demand';
import { Ec2ApiError } from '../fixtures/ec2-world';
import { emfMetrics, RECONCILE_CONFIG, reconcileHarness } from '../fixtures/reconcile-harness';
import { captureEmf, distinctSpecs, type EmittedMetric, specOf } from '../../support/emf';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb('reconcile: EMF metrics (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  describe('EMF metrics (what the dashboard and the gap alarm read)', () => {
    const SERVICE = 'capacity-reservation-reserver';
    const ofPool = (metrics: EmittedMetric[], pool: string) =>
      Object.fromEntries(
        metrics.filter((m) => m.dimensions[POOL_DIMENSION] === pool).map((m) => [m.name, m.value]),
      );

    it('publishes target and actual capacity per pool, dimensions service + Pool, next to the gap', async () => {
      // Prepare: one pool reaches its target, one gets InsufficientInstanceCapacity.
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3);
      await insertSeedRow(h.db, 'p4d.24xlarge', 'us-east-1b', 2);
      h.world.insufficientCapacity.add('p4d.24xlarge/us-east-1b');

      // Act
      const { metrics } = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));

      // Assess
      expect(ofPool(metrics, 'm5.large/us-east-1a')).toEqual({
        [POOL_METRICS.target]: 3,
        [POOL_METRICS.actual]: 3,
        [POOL_METRICS.gap]: 0,
        [POOL_METRICS.reservationsCreated]: 1,
        [POOL_METRICS.insufficientCapacity]: 0,
        [POOL_METRICS.quotaExceeded]: 0,
        [POOL_METRICS.idleHours]: 0,
        [POOL_METRICS.expiringInstances]: 0,
      });
      expect(ofPool(metrics, 'p4d.24xlarge/us-east-1b')).toEqual({
        [POOL_METRICS.target]: 2,
        [POOL_METRICS.actual]: 0,
        [POOL_METRICS.gap]: 2,
        [POOL_METRICS.reservationsCreated]: 0,
        [POOL_METRICS.insufficientCapacity]: 1,
        [POOL_METRICS.quotaExceeded]: 0,
        [POOL_METRICS.idleHours]: 0,
        [POOL_METRICS.expiringInstances]: 0,
      });
      const notCounts: readonly string[] = [
        ...Object.values(RUN_METRICS),
        POOL_METRICS.utilization,
        POOL_METRICS.idleHours,
      ];
      for (const m of metrics.filter((x) => !notCounts.includes(x.name))) {
        expect(m).toMatchObject({ namespace: 'OpsAutopilot', unit: 'Count' });
        expect(Object.keys(m.dimensions).sort()).toEqual([POOL_DIMENSION, 'service']);
        expect(m.dimensions.service).toBe(SERVICE);
      }
      expect(metrics.filter((m) => m.name === RUN_METRICS.rowsInvalid)).toEqual([
        expect.objectContaining({ dimensions: { service: SERVICE }, value: 0 }),
      ]);
    });

    it('leaves ActualCapacity out for a pool EC2 could not be read for (the gap is then the target)', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 2);
      jest.spyOn(h.world, 'describeCapacityReservations').mockImplementation(() => {
        throw new Ec2ApiError('UnauthorizedOperation', 'not authorized (test)', 403);
      });

      // Act
      const { metrics } = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));

      // Assess
      expect(ofPool(metrics, 'm5.large/us-east-1a')).toEqual({
        [POOL_METRICS.target]: 2,
        [POOL_METRICS.gap]: 2,
        [POOL_METRICS.reservationsCreated]: 0,
        [POOL_METRICS.insufficientCapacity]: 0,
        [POOL_METRICS.quotaExceeded]: 0,
      });
    });

    it.each(['VcpuLimitExceeded', 'InstanceLimitExceeded'])(
      'publishes QuotaExceeded = 1 for a pool whose Create hit the account quota (%s)',
      async (code) => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
        jest.spyOn(h.world, 'createCapacityReservation').mockImplementation(() => {
          throw new Ec2ApiError(code, 'quota reached (test)', 400);
        });

        // Act
        const { metrics } = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));

        // Assess
        expect(ofPool(metrics, 'm5.large/us-east-1a')).toMatchObject({
          [POOL_METRICS.quotaExceeded]: 1,
          [POOL_METRICS.insufficientCapacity]: 0,
        });
      },
    );

    it('counts completed runs and runs that found the lock taken (what the stale-run alarm reads)', async () => {
      // Prepare
      await ensureSchema(h.db);
      const holder = await h.server.connect(h.database);
      const runMetrics = (all: EmittedMetric[]) =>
        all
          .filter((m) => m.name === RUN_METRICS.runsCompleted || m.name === RUN_METRICS.runsLocked)
          .map((m) => [m.name, m.value, m.dimensions]);

      // Act
      const done = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));
      await holder.execute('SELECT GET_LOCK(?, 0)', [RECONCILE_CONFIG.lockName]);
      const locked = await captureEmf(() =>
        h.run(h.db, { metrics: emfMetrics(SERVICE) }).finally(() => holder.end()),
      );

      // Assess
      expect(runMetrics(done.metrics)).toEqual([
        [RUN_METRICS.runsCompleted, 1, { service: SERVICE }],
      ]);
      expect(runMetrics(locked.metrics)).toEqual([
        [RUN_METRICS.runsLocked, 1, { service: SERVICE }],
      ]);
    });

    it('emits exactly the metrics functions/capacity-reservation/metric-names.ts declares', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3);

      const holder = await h.server.connect(h.database);

      // Act: a run that creates, one that finds the capacity in place (utilization), one that finds the lock taken.
      const { metrics } = await captureEmf(async () => {
        await h.run(h.db, { metrics: emfMetrics(SERVICE) });
        await h.run(h.db, { metrics: emfMetrics(SERVICE) });
        await holder.execute('SELECT GET_LOCK(?, 0)', [RECONCILE_CONFIG.lockName]);
        await h.run(h.db, { metrics: emfMetrics(SERVICE) }).finally(() => holder.end());
      });

      // Assess
      expect(distinctSpecs(metrics.map(specOf))).toEqual(distinctSpecs(RESERVER_METRICS));
    });
  });
});
