import '../redshift-resize/fixtures/env';
import { CLUSTER_ID } from '../redshift-resize/fixtures/env';
import { executionNameFor } from '../../functions/redshift-resize/identifiers';
import { substituteTf } from '../../scripts/tf-values';
import { WORLD } from '../support/deployment';
import type { LambdaHandler } from '../support/local-sfn';
import { resources, synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';
import { useHarnessEnvironment } from './harness/environment';
import { describeFaultCases } from './harness/suite';
import { workflowScenario, type WorkflowFunctions } from './scenarios/workflow';

useHarnessEnvironment();
process.env.AWS_MAX_ATTEMPTS = '8';

// The definition `terraform apply` would give Step Functions with terraform.tfvars.example.
const { json } = synthStack('redshift-resize');
const machine = Object.values(resources(json, 'aws_sfn_state_machine'))[0] as {
  definition: string;
};
const DEFINITION = substituteTf(
  machine.definition,
  readTfvarsExample(),
  json.variable,
  WORLD.partition,
);

let functions: WorkflowFunctions;
beforeAll(async () => {
  const load = async (name: string) =>
    (
      (await import(`../../functions/redshift-resize/${name}.handler`)) as {
        handler: LambdaHandler;
      }
    ).handler;
  functions = {
    guard: await load('guard'),
    replication: await load('replication'),
    resize: await load('resize'),
  };
});

describeFaultCases(() =>
  workflowScenario(
    DEFINITION,
    executionNameFor(CLUSTER_ID, new Date('2024-03-04T05:06:07.891Z')),
    () => functions,
  ),
);
