// The deploy proof and the sandbox check run for minutes, mostly waiting on fixed provider delays (30 s before
// a load balancer or an RDS cluster is first polled). Jest runs test files one at a time on this 2-core
// machine, so globalSetup starts them as background processes, the other test files run meanwhile, and
// the test files that read their results (sorted last by sequencer.js) wait for them.
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, openSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const DEPLOY = join(ROOT, '__tests__', 'proof', 'deploy');
const E2E = join(ROOT, '__tests__', 'proof', 'e2e');
const SCENARIO = '.scenario.test.ts';
/** `<stack>.scenario.test.ts`: a stack's end-to-end scenario, which the deploy proof runs after apply. */
const SCENARIO_TESTS = existsSync(E2E)
  ? readdirSync(E2E)
      .filter((f) => f.endsWith(SCENARIO))
      .map((f) => join(E2E, f))
  : [];
const stackOf = (test) => test.slice(E2E.length + 1, -SCENARIO.length);

/**
 * Each job: the test files that read it, the bundled script, its arguments (given the selected test files),
 * and the env naming its result. The deploy proof runs every stack, or only the stacks of the selected
 * scenario tests when deploy.test.ts is not selected.
 */
const JOBS = [
  {
    tests: [join(DEPLOY, 'deploy.test.ts'), ...SCENARIO_TESTS],
    script: join(ROOT, 'dist', 'scripts', 'deploy-proof.js'),
    args: (result, tests) =>
      tests.every((t) => SCENARIO_TESTS.includes(t))
        ? [...tests.map(stackOf), '--json', result]
        : ['--json', result],
    env: 'OPS_AUTOPILOT_DEPLOY_PROOF',
  },
  {
    tests: [join(DEPLOY, 'sandbox.test.ts')],
    script: join(ROOT, 'dist', 'scripts', 'sandbox-check.js'),
    args: (result) => ['ebs-snapshot-lifecycle', '--json', result],
    env: 'OPS_AUTOPILOT_SANDBOX_CHECK',
  },
];
const BACKGROUND_TESTS = JOBS.flatMap((j) => j.tests);

/** Whether this Jest run includes the test file: no path pattern, or one that matches it. */
function selected(globalConfig, test) {
  if (globalConfig.listTests || globalConfig.onlyChanged || globalConfig.testNamePattern)
    return false;
  if (globalConfig.findRelatedTests || globalConfig.watch || globalConfig.watchAll) return false;
  const patterns = globalConfig.testPathPatterns;
  if (!patterns || !patterns.isSet()) return true;
  return patterns.toExecutor({ rootDir: globalConfig.rootDir }).isMatch(test);
}

/** Starts the jobs this run needs; each sets `<env>_RESULT` (the JSON it writes, `.error` on failure) and `<env>_PID`. */
function startBackgroundJobs(globalConfig) {
  const dir = join(ROOT, '.cache', 'background');
  for (const job of JOBS) {
    const tests = job.tests.filter((t) => selected(globalConfig, t));
    if (tests.length === 0 || !existsSync(job.script)) continue;
    mkdirSync(dir, { recursive: true });
    const name = `${job.env.toLowerCase()}-${process.pid}`;
    const result = join(dir, `${name}.json`);
    rmSync(result, { force: true });
    rmSync(`${result}.error`, { force: true });
    const log = openSync(join(dir, `${name}.log`), 'w');
    const child = spawn(process.execPath, [job.script, ...job.args(result, tests)], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
    });
    process.env[`${job.env}_RESULT`] = result;
    process.env[`${job.env}_PID`] = String(child.pid);
  }
}

/** A job whose test file was filtered out or failed early must not outlive Jest. */
function stopBackgroundJobs() {
  for (const job of JOBS) {
    const pid = Number(process.env[`${job.env}_PID`]);
    if (!pid) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already finished
    }
  }
}

module.exports = { startBackgroundJobs, stopBackgroundJobs, BACKGROUND_TESTS };
