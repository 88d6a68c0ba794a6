import { enableEmf } from '../support/emf';
import { synthStack } from '../support/synth';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { describeFaultCases } from './harness/suite';
import { EBS_ENV, ebsCreateScenario, ebsDeleteScenario, laggingSnapshots } from './scenarios/ebs';

useHarnessEnvironment();
enableEmf({ service: 'ebs-snapshot-create' });
Object.assign(process.env, EBS_ENV);

let create: Handler;
let remove: Handler;
beforeAll(async () => {
  ({ handler: create } = await import('../../functions/ebs-snapshot/create.handler'));
  ({ handler: remove } = await import('../../functions/ebs-snapshot/delete.handler'));
});

/** The stream mapping as the stack deploys it (batch size, retries). */
const mapping = Object.values(
  synthStack('ebs-snapshot-lifecycle').json.resource.aws_lambda_event_source_mapping ?? {},
)[0] as { batch_size: number; maximum_retry_attempts: number };

describeFaultCases(() => ebsCreateScenario(() => create));
describeFaultCases(() => ebsCreateScenario(() => create), {
  variant: 'DescribeSnapshots lags 5 s',
  consistent: false,
  configure: (wire) => {
    wire.listingFilter = laggingSnapshots(5_000);
  },
});
describeFaultCases(() =>
  ebsDeleteScenario(() => remove, {
    batchSize: mapping.batch_size,
    maxRetries: mapping.maximum_retry_attempts,
  }),
);
