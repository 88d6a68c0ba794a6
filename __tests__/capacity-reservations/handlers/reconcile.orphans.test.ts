import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { RUN_METRICS } from '../../../functions/capacity-reservation/metric-names';
import { logger } from '../../../functions/shared/logger';
import { insertSeedRow } from '../fixtures/demand';
import { MANAGED_BY } from '../fixtures/events';
import { emfMetrics, ours, reconcileHarness } from '../fixtures/reconcile-harness';
import { captureEmf } from '../../support/emf';
import { describeWithMariaDb } from '../../support/mariadb';

const SERVICE = 'capacity-reservation-reserver';

describeWithMariaDb('reconcile: reservations whose row was deleted (orphans)', () => {
  const h = reconcileHarness();

  it('reports them once per run as a metric and a log line, and cancels nothing', async () => {
    // Prepare: a row for one pool; our reservation of a deleted row's pool; someone else's reservation.
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2, 2);
    h.world.addReservation({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      total: 2,
      tags: ours('m5.large/us-east-1a'),
    });
    h.world.addReservation({
      instanceType: 'c6i.large',
      availabilityZone: 'us-east-1b',
      total: 4,
      tags: ours('c6i.large/us-east-1b'),
    });
    h.world.addReservation({ instanceType: 'r6i.large', availabilityZone: 'us-east-1c', total: 1 });
    const warn = jest.spyOn(logger, 'warn');

    // Act
    const { metrics } = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));

    // Assess
    expect(metrics.filter((m) => m.name === RUN_METRICS.orphanedReservations)).toEqual([
      expect.objectContaining({ dimensions: { service: SERVICE }, value: 1 }),
    ]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('row no longer exists'), {
      orphans: [{ id: expect.any(String), pool: 'c6i.large/us-east-1b', instances: 4 }],
    });
    expect(h.world.liveInstances('c6i.large', 'us-east-1b', MANAGED_BY)).toBe(4);
  });

  it('reports them also when the table has no row left', async () => {
    // Prepare
    await ensureSchema(h.db);
    h.world.addReservation({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      total: 3,
      tags: ours('m5.large/us-east-1a'),
    });

    // Act
    const { metrics } = await captureEmf(() => h.run(h.db, { metrics: emfMetrics(SERVICE) }));

    // Assess
    expect(metrics.find((m) => m.name === RUN_METRICS.orphanedReservations)?.value).toBe(1);
    expect(h.world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(3);
  });
});
