import type { CapacityObserved, ReserverRun } from '../../../scripts/emulator/e2e/capacity';
import type { StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { deployProof, describeDeploy } from '../../support/deploy-proof';

const total = (run: ReserverRun) => run.active.reduce((n, r) => n + r.count, 0);
const operations = (run: ReserverRun) => [...new Set(run.writes.map((w) => w.operation))].sort();

/**
 * The reserver zip as deployed, on the applied capacity stack: its secret (in the emulator's Secrets Manager)
 * overwritten with a throwaway MariaDB's user and address, EC2 capacity reservations answered by the stand-in.
 * scripts/emulator/e2e/capacity.ts acts between apply and re-plan of the deploy proof; this file judges it.
 */
describeDeploy('capacity reservations, end to end on the applied stack', () => {
  let result: StackDeployResult;
  let seen: CapacityObserved;

  beforeAll(async () => {
    const run = await deployProof();
    const found = run.results.find((r) => r.stack === 'capacity-reservations');
    if (!found) throw new Error('the deploy proof has no result for capacity-reservations');
    result = found;
    seen = result.scenario?.observed as CapacityObserved;
  }, 20 * 60_000);

  test('the scenario ran to its end, changing only where the database is reached', () => {
    expect(result.applyError).toBeUndefined();
    expect(result.scenario?.error).toBeUndefined();
    expect(Object.keys(seen.overridden).sort()).toEqual(['DB_HOST', 'DB_PORT', 'DB_TLS']);
  });

  test('a row with a target creates reservations up to it, in chunks of the default size', () => {
    expect(seen.raise.invocation.ok).toBe(true);
    expect(operations(seen.raise)).toEqual(['CreateCapacityReservation']);
    expect(seen.raise.writes.every((w) => w.status === 200)).toBe(true);
    expect(seen.raise.writes.every((w) => Number(w.params.InstanceCount) <= seen.chunkSize)).toBe(
      true,
    );
    expect(total(seen.raise)).toBe(seen.target);
    expect(seen.raise.row).toMatchObject({ Current_Capacity: seen.target, Last_Error: null });
  });

  test('lowering the target cancels or modifies reservations down to it', () => {
    expect(seen.lower.invocation.ok).toBe(true);
    expect(operations(seen.lower).every((op) => op !== 'CreateCapacityReservation')).toBe(true);
    expect(seen.lower.writes.length).toBeGreaterThan(0);
    expect(total(seen.lower)).toBe(seen.lowered);
    expect(seen.lower.row).toMatchObject({ Current_Capacity: seen.lowered, Last_Error: null });
  });

  test('a second run changes nothing', () => {
    expect(seen.again.invocation.ok).toBe(true);
    expect(seen.again.writes).toEqual([]);
    expect(seen.again.active).toEqual(seen.lower.active);
  });
});
