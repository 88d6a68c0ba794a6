import { proveStack, sharedSynth } from '../../scripts/offline-proof';
import { describeOffline, offlineTools, refusalOf, variantVarFile } from '../support/offline';
import { synthStack } from '../support/synth';
import { describeTerraform, refusal, variableOnlyPreconditions } from '../support/tf-eval';
import { readTfvarsExample } from '../support/tfvars';
import { STACK_NAMES } from '../support/variables-doc';

// The plan tests check refused variable values without a provider (tf-eval's `refusal`); these tests show
// that check sees every precondition, accepts what a plan accepts and refuses what a plan refuses.
describe('the providerless refusal check', () => {
  test.each(STACK_NAMES)(
    '%s: every precondition reads variables only, so the check evaluates all',
    (name) => {
      // Act
      const { evaluated, skipped } = variableOnlyPreconditions(synthStack(name).json);

      // Assess
      expect(skipped.map((p) => p.at)).toEqual([]);
      expect(evaluated.length).toBeGreaterThanOrEqual(name === 'ebs-snapshot-lifecycle' ? 0 : 1);
    },
  );

  test('a precondition that reads a resource is left to a plan, by name', () => {
    // Prepare
    const { json } = synthStack('redshift-resize');
    const [machine] = Object.values(json.resource.aws_sfn_state_machine ?? {}) as Array<{
      lifecycle: { precondition: Array<{ condition: string; error_message: string }> };
    }>;
    machine?.lifecycle.precondition.push({
      condition: '${aws_sns_topic.notifications.arn != ""}',
      error_message: 'reads a resource',
    });

    // Act
    const { skipped } = variableOnlyPreconditions(json);

    // Assess
    expect(skipped.map((p) => p.at)).toEqual([
      expect.stringMatching(/^aws_sfn_state_machine\.state-machine/),
    ]);
  });
});

describeTerraform('the providerless refusal check, run by Terraform', () => {
  test.each(STACK_NAMES)(
    '%s: accepts terraform.tfvars.example, as the plan tests plan it',
    (name) => {
      expect(refusal(synthStack(name).json, readTfvarsExample())).toBe('');
    },
  );

  test('refuses a value that breaks a precondition, and one that breaks a variable validation', () => {
    // Prepare
    const { json } = synthStack('ecs-spot-api');

    // Act
    const message = refusal(json, {
      ...readTfvarsExample(),
      ecs_spot_on_demand_weight: 0,
      ecs_spot_spot_weight: 0,
      ecs_spot_allocation_strategy: 'cheapest',
    });

    // Assess
    expect(message).toContain(
      'ecs_spot_on_demand_weight and ecs_spot_spot_weight cannot both be 0',
    );
    expect(message).toContain('ecs_spot_allocation_strategy must be one of');
  });
});

describeOffline('the providerless refusal check against a whole plan', () => {
  test('a plan of the synthesized stack refuses the values with the message the check reports', async () => {
    // Prepare
    const outdir = await sharedSynth();
    const overrides = { ecs_drain_heartbeat_timeout_seconds: 300 };
    const expected =
      'ecs_drain_heartbeat_timeout_seconds (300) must be at least ecs_drain_check_interval_seconds (30)';

    // Act
    const planned = await proveStack(
      offlineTools!,
      outdir,
      'ecs-autoscaling-drain',
      variantVarFile(overrides),
    ).then(
      () => 'the plan succeeded',
      (error: Error) => error.message.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' '),
    );

    // Assess
    expect(planned).toContain(expected);
    expect(refusalOf(outdir, 'ecs-autoscaling-drain', overrides)).toContain(expected);
  }, 120_000);
});
