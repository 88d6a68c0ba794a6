import type { RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { advance } from '../fixtures/ec2-future';
import { completed, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

/** A whole second `days` from now, as a DATETIME column holds it. */
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000 + days * 86400) * 1000);

describeWithMariaDb('reconcile: future-dated reservations (real MariaDB, mocked EC2)', () => {
  const h = reconcileHarness();

  /** A row for `target` m5.xlarge (4 vCPUs each) starting in `days`, committed for `commitment` days. */
  const futureRow = async (target: number, days: number, commitment: number | null = 30) => {
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.xlarge', 'us-east-1a', target);
    const start = inDays(days);
    await h.db.execute('UPDATE odcr_capacity SET Start_Date = ?, Commitment_Days = ?', [
      start,
      commitment,
    ]);
    return start;
  };
  const row = () => readRow(h.db, 'm5.xlarge', 'us-east-1a');

  it('requests the capacity future-dated: StartDate, CommitmentDuration in seconds, delivered all at once', async () => {
    // Prepare
    const start = await futureRow(8, 60);

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(h.createInputs()).toEqual([
      expect.objectContaining({
        InstanceType: 'm5.xlarge',
        InstanceCount: 8,
        StartDate: start,
        CommitmentDuration: 30 * 86400,
        DeliveryPreference: 'fixed',
      }),
    ]);
    expect(h.world.all().map((r) => r.State)).toEqual(['assessing']);
    expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 8 })]);
  });

  it.each(['assessing', 'scheduled'] as const)(
    'counts a request in state %s toward the target: no second request',
    async (state) => {
      // Prepare
      await futureRow(8, 60);
      await h.run();
      const [id] = h.world.all().map((r) => r.CapacityReservationId);
      if (state === 'scheduled') advance(h.world.get(id ?? ''), 'scheduled');

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(h.createInputs()).toHaveLength(1);
      expect(pools).toEqual([expect.objectContaining({ actual: 8 })]);
      expect((await row())?.Last_Error).toBeNull();
    },
  );

  it.each([
    [2, 'is 2.0 days ahead; EC2 accepts future-dated requests 5 to 120 days ahead'],
    [150, 'is 150.0 days ahead; EC2 accepts future-dated requests 5 to 120 days ahead'],
  ])(
    'does not request a Start_Date %i days ahead and says why in Last_Error',
    async (days, why) => {
      // Prepare
      await futureRow(8, days);

      // Act
      await h.run();

      // Assess
      expect(h.createInputs()).toEqual([]);
      expect((await row())?.Last_Error).toContain(why);
    },
  );

  it('does not request fewer than 32 vCPUs (4 x m5.xlarge = 16) and says why', async () => {
    // Prepare
    await futureRow(4, 60);

    // Act
    await h.run();

    // Assess
    expect(h.createInputs()).toEqual([]);
    expect((await row())?.Last_Error).toBe(
      'invalid row: 4 x m5.xlarge is 16 vCPUs; a future-dated request needs at least 32',
    );
  });

  it.each([[7], [null]])(
    'rejects a future Start_Date with Commitment_Days %p (EC2 commits 14 days at least)',
    async (commitment) => {
      // Prepare
      await futureRow(8, 60, commitment);

      // Act
      const pools = completed(await h.run());

      // Assess
      expect(pools).toEqual([expect.objectContaining({ status: 'invalid' })]);
      expect((await row())?.Last_Error).toContain(
        'must be an integer of at least 14 with a future Start_Date',
      );
      expect(h.createInputs()).toEqual([]);
    },
  );

  it('releases with a target of 0 whatever Start_Date and Commitment_Days say', async () => {
    // Prepare
    await futureRow(8, 60);
    await h.run();
    await h.db.execute('UPDATE odcr_capacity SET Target_Capacity = 0, Commitment_Days = NULL');

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 0 })]);
    expect(h.world.all().map((r) => r.State)).toEqual(['cancelled']);
  });

  it.each(['unsupported', 'failed'] as const)(
    'reports a request that ended %s and does not repeat it until Start_Date or Commitment_Days changes',
    async (state) => {
      // Prepare
      await futureRow(8, 60);
      await h.run();
      const [id] = h.world.all().map((r) => r.CapacityReservationId);
      advance(h.world.get(id ?? ''), state);

      // Act
      await h.run();
      const reported = await row();
      await h.db.execute('UPDATE odcr_capacity SET Start_Date = ?', [inDays(70)]);
      await h.run();

      // Assess
      expect(reported?.Last_Error).toContain(`future-dated request ${id ?? ''} for Start_Date`);
      expect(reported?.Last_Error).toContain(`ended ${state}; not requested again`);
      expect(reported?.Current_Capacity).toBe(0);
      expect(h.createInputs()).toHaveLength(2);
    },
  );

  it('before the start date, releases a request EC2 is still assessing but not a scheduled one', async () => {
    // Prepare: two pools' worth of requests, one assessed and scheduled.
    await futureRow(8, 60);
    await h.run();
    await h.db.execute('UPDATE odcr_capacity SET Target_Capacity = 16');
    await h.run();
    const [scheduled, assessing] = h.world.all().map((r) => r.CapacityReservationId ?? '');
    advance(h.world.get(scheduled ?? ''), 'scheduled');

    // Act
    await h.db.execute('UPDATE odcr_capacity SET Target_Capacity = 0');
    await h.run();

    // Assess
    expect(h.world.get(assessing ?? '')?.State).toBe('cancelled');
    expect(h.world.get(scheduled ?? '')?.State).toBe('scheduled');
    expect((await row())?.Last_Error).toContain(`${scheduled ?? ''} is scheduled`);
  });

  it('adds Start_Date and Commitment_Days to a table of the previous version; its rows work unchanged', async () => {
    // Prepare
    await ensureSchema(h.db);
    await h.db.query(
      'ALTER TABLE odcr_capacity DROP COLUMN Start_Date, DROP COLUMN Commitment_Days',
    );
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 3);

    // Act
    const pools = completed(await h.run());

    // Assess
    const [columns] = await h.db.execute<RowDataPacket[]>(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'odcr_capacity' AND COLUMN_NAME IN ('Start_Date', 'Commitment_Days')",
    );
    expect(columns.map((c) => c.name).sort()).toEqual(['Commitment_Days', 'Start_Date']);
    expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 3 })]);
    expect(h.createInputs()).toEqual([
      expect.not.objectContaining({ StartDate: expect.anything() }),
    ]);
    expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
      Current_Capacity: 3,
      Last_Error: null,
    });
  });
});
