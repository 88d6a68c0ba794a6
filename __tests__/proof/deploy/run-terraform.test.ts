import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTerraform } from '../../../scripts/emulator/deploy-proof';

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
