import { describeWithMariaDb } from '../support/mariadb';
import { enableEmf } from '../support/emf';
import { differenceFromOneRun, twoConcurrentRuns } from './harness/concurrent';
import { useHarnessEnvironment } from './harness/environment';
import { useCapacityBed } from './scenarios/capacity';

useHarnessEnvironment();
enableEmf({ service: 'capacity-reservation-reserver' });

describeWithMariaDb('capacity reserver, two concurrent runs (real MariaDB)', () => {
  const { scenario } = useCapacityBed();

  test('the schedule delivered twice at once ends like one run (the database lock orders them)', async () => {
    // Act
    const outcome = await twoConcurrentRuns(scenario());

    // Assess
    expect(outcome.twice.platform.invocations.length).toBeGreaterThanOrEqual(2);
    expect(differenceFromOneRun(outcome)).toBeUndefined();
  });
});
