import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SUPPORT = join(__dirname, '..', 'support');

// Jest's globalSetup and globalTeardown run in its parent process, where os.tmpdir() reads the real
// environment; a test file's process.env is a sandboxed copy, so the pair runs in a child process here.
const RUN = `
const { mkdirSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
(async () => {
  await require(${JSON.stringify(join(SUPPORT, 'scratch-setup.js'))})();
  const scratch = tmpdir();
  const left = join(scratch, 'synth-abc', 'stacks', 'demo');
  mkdirSync(left, { recursive: true });
  writeFileSync(join(left, 'cdk.tf.json'), '{}');
  await require(${JSON.stringify(join(SUPPORT, 'scratch-teardown.js'))})();
  process.stdout.write(scratch);
})();
`;

describe('the test run scratch folder', () => {
  test('temporary folders made during the run live under it, and the teardown removes them all', () => {
    // Act
    const scratch = execFileSync(process.execPath, ['-e', RUN], { encoding: 'utf8' });

    // Assess
    expect(dirname(scratch)).toBe(tmpdir());
    expect(scratch).toMatch(/ops-autopilot-test-\w+$/);
    expect(existsSync(scratch)).toBe(false);
  });
});
