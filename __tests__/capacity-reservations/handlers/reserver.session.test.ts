import type { RowDataPacket } from 'mysql2/promise';
import { connectDatabase } from '../../../functions/capacity-reservation/connection';
import { acquireLock, ensureSchema } from '../../../functions/capacity-reservation/database';
import { logger } from '../../../functions/shared/logger';
import { insertSeedRow } from '../fixtures/demand';
import { completed, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

const LOCK = 'ops-autopilot-odcr';

describeWithMariaDb('reserver session: a run killed mid-way cannot hold the lock for hours', () => {
  const h = reconcileHarness();

  const connect = (sessionTimeoutSeconds: number) =>
    connectDatabase(
      {
        host: h.server.host,
        port: h.server.port,
        database: h.database,
        tls: false,
        sessionTimeoutSeconds,
      },
      { get: async () => ({ username: h.server.user, password: h.server.password }) },
      logger,
    );

  it("bounds the session's idle lifetime (wait_timeout) to what it is told", async () => {
    // Act
    const db = await connect(360);
    const [[row]] = await db
      .query<RowDataPacket[]>('SELECT @@SESSION.wait_timeout AS t')
      .finally(() => db.end());

    // Assess
    expect(Number(row?.t)).toBe(360);
  });

  it('frees the lock of a session left idle past its timeout, so the next run works', async () => {
    // Prepare: a run that took the lock and then stopped talking (killed Lambda, frozen container).
    await ensureSchema(h.db);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
    const dead = await connect(1);
    expect(await acquireLock(dead, LOCK)).toEqual({ acquired: true });
    await new Promise((r) => setTimeout(r, 2500));

    // Act
    const result = await h.run();
    await dead.end().catch(() => undefined);

    // Assess
    expect(completed(result)).toEqual([
      expect.objectContaining({ status: 'reconciled', actual: 2 }),
    ]);
  });
});
