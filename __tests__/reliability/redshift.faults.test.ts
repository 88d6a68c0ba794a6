import '../redshift-resize/fixtures/env';
import { enableEmf } from '../support/emf';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { describeFaultCases } from './harness/suite';
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

describeFaultCases(() => redshiftTriggerScenario(() => trigger));
