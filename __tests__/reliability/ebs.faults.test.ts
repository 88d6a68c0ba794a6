import { enableEmf } from '../support/emf';
import { substituteTf } from '../../scripts/tf-values';
import { WORLD } from '../support/deployment';
import { resources, synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';
import { useHarnessEnvironment } from './harness/environment';
import type { Handler } from './harness/platform';
import { describeFaultCases } from './harness/suite';
import { EBS_ENV, ebsCreateScenario, ebsDeleteScenario, laggingSnapshots } from './scenarios/ebs';

// The page function's waits (pacing, claims settling) move the harness's fake wall clock instead of
// sleeping: only Date is faked there, so a real setTimeout of minutes would stall the case.
jest.mock('../../functions/ebs-snapshot/pacer', () => ({
  ...jest.requireActual<object>('../../functions/ebs-snapshot/pacer'),
  realSleep: async (ms: number) => {
    jest.setSystemTime(Date.now() + Math.max(0, ms));
  },
}));

useHarnessEnvironment();
enableEmf({ service: 'ebs-snapshot-create' });
Object.assign(process.env, EBS_ENV);

let create: Handler;
let remove: Handler;
beforeAll(async () => {
  ({ handler: create } = await import('../../functions/ebs-snapshot/create.handler'));
  ({ handler: remove } = await import('../../functions/ebs-snapshot/delete.handler'));
});

const { json } = synthStack('ebs-snapshot-lifecycle');
/** The stream mapping as the stack deploys it (batch size, retries). */
const mapping = Object.values(json.resource.aws_lambda_event_source_mapping ?? {})[0] as {
  batch_size: number;
  maximum_retry_attempts: number;
};
// The run's definition with terraform.tfvars.example; references to the stack's own resources (the page
// function, the failure queue) stand as their names: the local interpreter only needs them consistent.
const machine = Object.values(resources(json, 'aws_sfn_state_machine'))[0] as {
  definition: string;
};
const DEFINITION = substituteTf(
  machine.definition.replace(/\$\{(aws_[^}]+)\}/g, 'ref:$1'),
  readTfvarsExample(),
  json.variable,
  WORLD.partition,
);

describeFaultCases(() => ebsCreateScenario(DEFINITION, () => create));
describeFaultCases(() => ebsCreateScenario(DEFINITION, () => create), {
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
