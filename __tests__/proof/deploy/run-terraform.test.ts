import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CRITICAL_PATH_STACK,
  niceOf,
  OFF_PATH_NICE,
  runTerraform,
} from '../../../scripts/emulator/deploy-proof';
import { STACKS } from '../../../stacks/app';

// A stand-in terraform printing an apply as a slow one looks: the plan's summary, then more progress
// lines than the 20 kB tail the result keeps.
const SLOW_APPLY = `#!/bin/sh
echo "  # aws_sqs_queue.failures will be created"
echo "Plan: 80 to add, 0 to change, 0 to destroy."
i=0; while [ $i -lt 2000 ]; do echo "aws_autoscaling_group.asg: Still creating... [\${i}s elapsed]"; i=$((i+1)); done
echo "Apply complete! Resources: 80 added, 0 changed, 0 destroyed."
`;

describe('runTerraform', () => {
  test("keeps the plan's summary line when progress lines push it out of the output's tail", async () => {
    // Prepare
    const bin = mkdtempSync(join(tmpdir(), 'slow-terraform-'));
    const terraform = join(bin, 'terraform');
    writeFileSync(terraform, SLOW_APPLY);
    chmodSync(terraform, 0o755);

    // Act
    const run = await runTerraform({ terraform, mirror: bin }, bin, process.env, ['apply']);

    // Assess
    expect(run.output).not.toContain('Plan: ');
    expect(run.summary).toBe('Plan: 80 to add, 0 to change, 0 to destroy.');
  });
});

/** A stand-in terraform in a folder of its own that prints its priority (`nice` alone prints it). */
function niceTerraform(): { terraform: string; bin: string } {
  const bin = mkdtempSync(join(tmpdir(), 'nice-terraform-'));
  const terraform = join(bin, 'terraform');
  writeFileSync(terraform, '#!/bin/sh\nnice\n');
  chmodSync(terraform, 0o755);
  return { terraform, bin };
}

describe('the deploy proof’s priorities', () => {
  test('runs terraform at the priority it is given, and at its own without one', async () => {
    // Prepare
    const { terraform, bin } = niceTerraform();
    const own = Number(
      (await runTerraform({ terraform, mirror: bin }, bin, process.env, [])).stdout,
    );

    // Act
    const lowered = await runTerraform({ terraform, mirror: bin }, bin, process.env, [], 5);

    // Assess
    expect(Number(lowered.stdout)).toBe(Math.min(own + 5, 19));
    expect(lowered.code).toBe(0);
  });

  test('lowers every stack but the one with the longest fixed waits', () => {
    // Prepare
    const stacks = Object.keys(STACKS);

    // Act
    const nice = Object.fromEntries(stacks.map((s) => [s, niceOf(s)]));

    // Assess
    expect(stacks).toContain(CRITICAL_PATH_STACK);
    expect(nice[CRITICAL_PATH_STACK]).toBe(0);
    expect(stacks.filter((s) => s !== CRITICAL_PATH_STACK).map((s) => nice[s])).toEqual(
      Array(stacks.length - 1).fill(OFF_PATH_NICE),
    );
  });
});
