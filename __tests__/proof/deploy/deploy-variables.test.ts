import { DEPLOY_VARIABLES, deployVariables } from '../../../scripts/emulator/deploy-proof';
import { readTfvars } from '../../../scripts/emulator/e2e/scenario';
import { TFVARS_EXAMPLE } from '../../../scripts/offline-proof';
import type { StackName } from '../../../stacks/app';
import { synthStack } from '../../support/synth';

/** Parts terraform.tfvars.example leaves off that the deploy proof applies too (DEPLOY_VARIABLES). */
describe('deploy variables of the deploy proof', () => {
  test('ebs-snapshot-lifecycle is applied with one copy Region, so its copy resources are applied', () => {
    // Act
    const vars = deployVariables('ebs-snapshot-lifecycle');

    // Assess
    expect(vars.snapshot_copy_regions).toEqual(['us-west-2']);
    expect(vars.snapshot_tag_key).toBe(readTfvars(TFVARS_EXAMPLE).snapshot_tag_key);
  });

  test.each(Object.entries(DEPLOY_VARIABLES))(
    '%s: each deploy variable is a variable of the stack, with a JSON-compatible value',
    (stack, vars) => {
      // Act
      const { json } = synthStack(stack as StackName);

      // Assess
      for (const [name, value] of Object.entries(vars)) {
        expect(json.variable).toHaveProperty(name);
        expect(() => JSON.parse(value) as unknown).not.toThrow();
      }
    },
  );

  test('a stack without deploy variables is applied with terraform.tfvars.example as it is', () => {
    // Act
    const vars = deployVariables('redshift-resize');

    // Assess
    expect(vars).toEqual(readTfvars(TFVARS_EXAMPLE));
  });
});
