import { enableEmf } from '../support/emf';
import { differenceFromOneRun, twoConcurrentRuns } from './harness/concurrent';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { EBS_ENV, ebsDeleteScenario } from './scenarios/ebs';

useHarnessEnvironment();
enableEmf({ service: 'ebs-snapshot-delete' });
Object.assign(process.env, EBS_ENV);

let remove: Handler;
beforeAll(async () => {
  ({ handler: remove } = await import('../../functions/ebs-snapshot/delete.handler'));
});

test('EBS delete: the same TTL batch delivered twice at once deletes and counts each snapshot once', async () => {
  // Act
  const outcome = await twoConcurrentRuns(
    ebsDeleteScenario(() => remove, { batchSize: 10, maxRetries: 3 }),
  );

  // Assess
  expect(outcome.twice.wire.calls.length).toBeGreaterThan(outcome.baseline.wire.calls.length);
  expect(differenceFromOneRun(outcome)).toBeUndefined();
});
