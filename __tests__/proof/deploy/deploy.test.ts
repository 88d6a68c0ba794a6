import type { StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { leftOut, unexplainedDrift } from '../../../scripts/emulator/gap-rules';
import { STACKS } from '../../../stacks/app';
import { deployProof, describeDeploy, type DeployProofRun } from '../../support/deploy-proof';

/**
 * Every stack with terraform.tfvars.example on moto (behind the stand-ins of scripts/emulator/stand-ins): apply,
 * a re-plan that changes nothing EMULATOR-GAPS.md does not allow, the documented teardown, destroy, and moto's
 * own APIs showing nothing of the stack afterwards. One moto per stack, all stacks at once.
 */
describeDeploy('deploy proof on a local AWS emulator', () => {
  let run: DeployProofRun;
  const result = (stack: string): StackDeployResult => {
    const found = run.results.find((r) => r.stack === stack);
    if (!found) throw new Error(`the deploy proof has no result for ${stack}`);
    return found;
  };

  beforeAll(async () => {
    run = await deployProof();
    const lines = run.results.map((r) => {
      const t = Object.entries(r.timings).map(([k, v]) => `${k} ${v}s`);
      return `  ${r.stack}: ${r.applied}/${r.planned} applied, ${r.drift.length} re-plan change(s) [${t.join(', ')}]`;
    });
    console.log(
      `deploy proof (${run.mode}, ${Math.round(run.seconds)} s wall):\n${lines.join('\n')}`,
    );
  }, 20 * 60_000);

  test('covers every stack of the app', () => {
    expect(run.results.map((r) => r.stack).sort()).toEqual(Object.keys(STACKS).sort());
  });

  describe.each(Object.keys(STACKS))('%s', (stack) => {
    test('terraform apply succeeds and applies every planned resource but the left-out ones', () => {
      const r = result(stack);
      expect(r.applyError).toBeUndefined();
      expect(r.planned).toBeGreaterThan(0);
      expect(r.applied).toBe(r.planned - leftOut(stack).length);
      expect(r.applied / r.planned).toBeGreaterThanOrEqual(0.95);
    });

    test("moto's own APIs list every applied resource (so the after-destroy check can see them)", () => {
      const r = result(stack);
      expect(r.uncovered).toEqual([]);
      expect(r.unseen).toEqual([]);
    });

    test('a second plan changes nothing but the drift EMULATOR-GAPS.md allows', () => {
      const r = result(stack);
      expect(r.replanExitCode === 0 || r.replanExitCode === 2).toBe(true);
      const unexplained = r.drift
        .map((d) => ({ address: d.address, paths: unexplainedDrift(d), values: d.values }))
        .filter((d) => d.paths.length > 0);
      expect(unexplained).toEqual([]);
    });

    test('terraform destroy succeeds and moto holds none of its resources afterwards', () => {
      const r = result(stack);
      expect(r.teardownError).toBeUndefined();
      expect(r.destroyError).toBeUndefined();
      expect(r.remaining).toBe(0);
      expect(r.leftovers).toEqual({});
    });
  });

  test('stand-ins answered what moto lacks while the stacks applied (recursion config, ASL validation, ECR cache rule)', () => {
    const answered = (stack: string) =>
      result(stack)
        .records.filter((x) => x.kind === 'stand-in' && x.status < 300)
        .map((x) => x.operation);
    expect(answered('ecs-autoscaling-drain')).toContain('PutFunctionRecursionConfig');
    expect(answered('redshift-resize')).toContain('ValidateStateMachineDefinition');
    expect(answered('ecs-spot-api')).toContain('CreatePullThroughCacheRule');
  });

  test('the capacity database is destroyed the documented way: its final snapshot stays', () => {
    expect(result('capacity-reservations').remnants).toEqual([
      expect.stringMatching(/^rds:cluster-snapshots ops-autopilot-capacity-reservations-final: /),
    ]);
  });
});
