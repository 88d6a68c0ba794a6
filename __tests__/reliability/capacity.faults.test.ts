import type { Context } from 'aws-lambda';
import type { RowDataPacket } from 'mysql2/promise';
import { scheduledEvent } from '../capacity-reservations/fixtures/events';
import { enableEmf } from '../support/emf';
import { describeWithMariaDb } from '../support/mariadb';
import { useHarnessEnvironment } from './harness/environment';
import { baselineOf, judge, report, runOnce, type Outcome } from './harness/matrix';
import { describeFaultCases } from './harness/suite';
import { laggingReservations, useCapacityBed } from './scenarios/capacity';

useHarnessEnvironment();
enableEmf({ service: 'capacity-reservation-reserver' });

describeWithMariaDb('capacity reservations under faults (real MariaDB)', () => {
  const { scenario, bed, handler } = useCapacityBed();

  describeFaultCases(scenario);
  describeFaultCases(scenario, {
    variant: 'DescribeCapacityReservations lags 5 s',
    consistent: false,
    configure: (wire) => {
      wire.listingFilter = laggingReservations(5_000);
    },
  });

  describe('the database fails mid-run', () => {
    let baseline: Outcome;
    beforeAll(async () => {
      baseline = await baselineOf(scenario());
    });

    /** Kills the reserver's own connection (and with it the GET_LOCK lock it holds). */
    async function killReserverConnection(): Promise<void> {
      const [rows] = await bed().db.query<RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
        [bed().database],
      );
      for (const row of rows) await bed().db.query(`KILL CONNECTION ${Number(row.ID)}`);
    }

    test.each(['connection lost', 'lock lost to a concurrent run'] as const)(
      '%s before the first and before the last EC2 call: the run fails visibly, its retry ends in the fault-free state',
      async (kind) => {
        // Prepare: the EC2 calls of the fault-free run
        const ec2Calls = baseline.wire.calls.filter((c) => c.client === 'EC2Client');
        const points = [...new Set([ec2Calls[0]?.id, ec2Calls.at(-1)?.id])];
        const results = [];

        for (const point of points) {
          // Act
          const outcome = await runOnce(scenario(), undefined, (wire) => {
            wire.beforeCall = async (call) => {
              if (call.id !== point) return;
              wire.fired = true;
              await killReserverConnection();
              // Another run takes the lock the killed session held, and finishes, before this one goes on.
              if (kind !== 'connection lost')
                await handler()(scheduledEvent, {} as Context).catch(() => undefined);
            };
          });
          const reason =
            judge(baseline, outcome) ??
            (outcome.platform.invocations[0]?.threw ? undefined : 'the first run did not fail');
          results.push({ name: `${kind} before call ${String(point)}`, ok: !reason, reason });
        }

        // Assess
        report(`capacity-reservation-reserver-mysql-${kind.split(' ')[0]}`, results);
        expect(results.filter((r) => !r.ok)).toEqual([]);
      },
    );
  });
});
