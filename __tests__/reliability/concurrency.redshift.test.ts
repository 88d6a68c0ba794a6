import '../redshift-resize/fixtures/env';
import { enableEmf } from '../support/emf';
import { twoConcurrentRuns } from './harness/concurrent';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { redshiftTriggerScenario } from './scenarios/redshift';

useHarnessEnvironment();
enableEmf({ service: 'redshift-resize-trigger' });
process.env.AWS_MAX_ATTEMPTS = '8';

let trigger: Handler;
beforeAll(async () => {
  ({ handler: trigger } = (await import('../../functions/redshift-resize/trigger.handler')) as {
    handler: Handler;
  });
});

test('resize trigger: the alarm notification delivered twice at once starts one execution', async () => {
  // Act
  const outcome = await twoConcurrentRuns(redshiftTriggerScenario(() => trigger));

  // Assess: one execution. Not asserted: the ResizeRequested count, which both invocations emit (StartExecution
  // with the same name and input answers both as started), an open over-count on duplicate notifications.
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
  const executions = (o: typeof outcome.baseline) =>
    (o.state as { executions: string[] }).executions;
  expect(executions(outcome.twice)).toEqual(executions(outcome.baseline));
  expect(outcome.twice.wire.worldBugs).toEqual([]);
});
