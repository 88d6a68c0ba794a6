import { describeWithMariaDb, startMariaDb } from '../support/mariadb';
import { enableEmf } from '../support/emf';
import { differenceFromOneRun, twoConcurrentRuns } from './harness/concurrent';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { capacityEnv, capacityScenario, type CapacityBed } from './scenarios/capacity';

useHarnessEnvironment();
enableEmf({ service: 'capacity-reservation-reserver' });

describeWithMariaDb('capacity reserver, two concurrent runs (real MariaDB)', () => {
  let bed: CapacityBed;
  let handler: Handler;
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const server = await startMariaDb();
    stop = () => server.stop();
    const database = await server.createDatabase();
    bed = { server, database, db: await server.connect(database) };
    Object.assign(process.env, capacityEnv(server, database));
    ({ handler } = await import('../../functions/capacity-reservation/reserver.handler'));
  }, 120_000);
  afterAll(async () => {
    await bed?.db.end();
    await stop();
  });

  test('the schedule delivered twice at once ends like one run (the database lock orders them)', async () => {
    // Act
    const outcome = await twoConcurrentRuns(
      capacityScenario(
        () => handler,
        () => bed,
      ),
    );

    // Assess
    expect(outcome.twice.platform.invocations.length).toBeGreaterThanOrEqual(2);
    expect(differenceFromOneRun(outcome)).toBeUndefined();
  });
});
