import { checkSandbox, type SandboxCheck } from '../../../scripts/emulator/sandbox-check';
import {
  parseSandboxArgs,
  SANDBOX_STACKS,
  SandboxUsageError,
} from '../../../scripts/emulator/sandbox';
import { STACKS } from '../../../stacks/app';
import { backgroundResult, describeDeploy } from '../../support/deploy-proof';

describe('npm run sandbox: arguments', () => {
  test('no argument: every stack of the app', () => {
    expect(parseSandboxArgs([])).toEqual({ destroy: false, stacks: Object.keys(STACKS) });
    expect([...SANDBOX_STACKS].sort()).toEqual(Object.keys(STACKS).sort());
  });

  test('named stacks only, once each; --destroy with or without names', () => {
    expect(parseSandboxArgs(['redshift-resize', 'ecs-spot-api', 'redshift-resize'])).toEqual({
      destroy: false,
      stacks: ['redshift-resize', 'ecs-spot-api'],
    });
    expect(parseSandboxArgs(['--destroy'])).toMatchObject({
      destroy: true,
      stacks: [...SANDBOX_STACKS],
    });
    expect(parseSandboxArgs(['--destroy', 'ecs-spot-api'])).toEqual({
      destroy: true,
      stacks: ['ecs-spot-api'],
    });
  });

  test('an unknown stack or option is refused, naming it and the valid stacks', () => {
    expect(() => parseSandboxArgs(['ecs'])).toThrow(SandboxUsageError);
    expect(() => parseSandboxArgs(['ecs'])).toThrow(
      /unknown stack ecs[\s\S]*ebs-snapshot-lifecycle/,
    );
    expect(() => parseSandboxArgs(['--destory'])).toThrow(/unknown option --destory/);
  });
});

/** One real run, as a user types it: `npm run sandbox -- ebs-snapshot-lifecycle`, then `-- --destroy`. */
describeDeploy('npm run sandbox with the real cdktf CLI', () => {
  let check: SandboxCheck;
  beforeAll(async () => {
    check =
      (await backgroundResult<SandboxCheck>('OPS_AUTOPILOT_SANDBOX_CHECK')) ??
      (await checkSandbox('ebs-snapshot-lifecycle'));
  }, 20 * 60_000);

  test('cdktf deploy succeeds and prints endpoint=<url> on a line of its own', () => {
    expect(check.deploy.code).toBe(0);
    expect(check.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("prints the stack's outputs and how to look around with --endpoint-url", () => {
    expect(check.deploy.output).toMatch(
      /ebs-snapshot-lifecycle outputs:\n {2}alerts_topic_arn = "arn:aws:sns:/,
    );
    expect(check.deploy.output).toContain(`aws --endpoint-url ${check.endpoint}`);
  });

  test('the emulator holds the deployed stack', () => {
    expect(check.functions).toEqual([
      'ops-autopilot-ebs-snapshot-create',
      'ops-autopilot-ebs-snapshot-delete',
      'ops-autopilot-ebs-snapshot-start',
      'ops-autopilot-ebs-snapshot-sweep',
    ]);
    expect(check.tables).toEqual(['ops-autopilot-ebs-snapshots']);
  });

  test('--destroy destroys with cdktf destroy and stops the emulator', () => {
    expect(check.destroy.code).toBe(0);
    expect(check.destroy.output).toMatch(/destroying ebs-snapshot-lifecycle/);
    expect(check.destroy.output).toMatch(/stopped the emulator/);
    expect(check.answersAfterDestroy).toBe(false);
  });
});
