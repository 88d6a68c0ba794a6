// `npm test`: build, then the Jest suite with the static checks beside it, then the IAM proof.
// The Jest suite keeps both cores only partly busy (its files wait on terraform, moto and MariaDB), so the
// type check and lint, about 90 CPU-s on one core, run at a lower priority in its gaps instead of after it.
// Their output is held and printed after Jest's, so each report stays readable.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command; `held` keeps its output for later instead of printing it as it comes. */
function run(command, args, { held = false, nice = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    if (nice) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // Not allowed here: it runs at normal priority, which only costs time.
      }
    }
    let output = '';
    if (held) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, output }));
  });
}

/** tsc, eslint and prettier one after another (each is single-threaded), all run even when one fails. */
async function staticChecks() {
  const steps = [
    ['tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
    ['eslint', bin('eslint'), ['.']],
    ['prettier --check', bin('prettier'), ['--check', '.']],
  ];
  const results = [];
  for (const [name, command, args] of steps)
    results.push({ name, ...(await run(command, args, { held: true, nice: 10 })) });
  return results;
}

// terraform and the AWS provider (Go) collect garbage less often: see PROOF_GOGC in scripts/terraform-env.ts.
// Set here too for the commands the cdktf CLI starts, which do not use that environment.
process.env.GOGC ??= '400';

const build = await run('npm', ['run', 'build']);
if (build.code !== 0) process.exit(build.code);

const checks = staticChecks();
const jest = await run(bin('jest'), []);
const iam = jest.code === 0 ? await run(bin('jest'), ['-c', 'jest.iam.config.js']) : undefined;

let failed = jest.code !== 0 || (iam !== undefined && iam.code !== 0);
for (const check of await checks) {
  const verdict = check.code === 0 ? 'passed' : `FAILED (exit ${check.code})`;
  process.stdout.write(`\n==> ${check.name}: ${verdict}\n${check.output}`);
  if (check.code !== 0) failed = true;
}
if (jest.code !== 0) process.stdout.write('\n==> the IAM proof did not run: Jest phase 1 failed\n');
process.exit(failed ? 1 : 0);
