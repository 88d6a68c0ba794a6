import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTerraform } from '../../../scripts/emulator/deploy-proof';
import type { Emulator } from '../../../scripts/emulator/emulator';
import { emulatorOverride, OVERRIDE_FILE } from '../../../scripts/emulator/override';
import { AWS_PROVIDER, offlineEnv, writeCliConfig } from '../../../scripts/terraform-env';
import { deployTools, describeDeploy } from '../../support/deploy-proof';
import { emulatorForTests, records } from '../../support/emulator';

/** A configuration with these resources only, pointed at the emulator the way synth points a stack. */
function brokenStack(endpoint: string, resource: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'broken-stack-'));
  const config = {
    terraform: {
      required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER.version } },
    },
    provider: { aws: [{ region: 'us-east-1', allowed_account_ids: ['123456789012'] }] },
    resource,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
  writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(emulatorOverride(endpoint, config)));
  writeCliConfig(join(dir, 'emulator.tfrc'), deployTools!.mirror);
  return dir;
}

async function apply(dir: string) {
  const env = offlineEnv(join(dir, 'emulator.tfrc'));
  const init = await runTerraform(deployTools!, dir, env, ['init', '-input=false', '-no-color']);
  if (init.code !== 0) throw new Error(init.output);
  return runTerraform(deployTools!, dir, env, [
    'apply',
    '-auto-approve',
    '-input=false',
    '-no-color',
  ]);
}

/** Gaps must never hide a real error: what AWS would refuse, the emulator with its stand-ins refuses too. */
describeDeploy('a broken stack on the emulator', () => {
  let emulator: Emulator;
  let missingFunction: Awaited<ReturnType<typeof apply>>;
  let invalidDefinition: Awaited<ReturnType<typeof apply>>;
  beforeAll(async () => {
    emulator = await emulatorForTests();
    [missingFunction, invalidDefinition] = await Promise.all([
      apply(
        brokenStack(emulator.endpoint, {
          aws_lambda_function_recursion_config: {
            missing: { function_name: 'ops-autopilot-no-such-function', recursive_loop: 'Allow' },
          },
        }),
      ),
      apply(
        brokenStack(emulator.endpoint, {
          aws_sfn_state_machine: {
            broken: {
              name: 'ops-autopilot-broken',
              role_arn: 'arn:aws:iam::123456789012:role/none',
              definition: JSON.stringify({ States: { Done: { Type: 'Succeed' } } }),
            },
          },
        }),
      ),
    ]);
  }, 15 * 60_000);
  afterAll(() => emulator?.stop());

  test('a recursion config of a function that does not exist fails the apply', async () => {
    expect(missingFunction.code).not.toBe(0);
    expect(missingFunction.output).toMatch(/ResourceNotFoundException/);
    const sent = (await records(emulator.endpoint)).map((r) => `${r.operation} ${r.status}`);
    expect(sent).toContain('PutFunctionRecursionConfig 404');
  });

  test('a state machine definition that is not valid ASL fails before anything is created', () => {
    expect(invalidDefinition.code).not.toBe(0);
    expect(invalidDefinition.output).toMatch(/SCHEMA_VALIDATION_FAILED/);
    expect(invalidDefinition.output).not.toMatch(/Creation complete/);
  });
});
