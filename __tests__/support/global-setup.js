// Phase 1 of `npm test` starts with no recorded SDK calls, so the IAM proof (phase 2) sees only this run's;
// the deploy proof and the sandbox check start in the background (background-jobs.js); the default synth is
// made once, and the tests that only plan or read it get copies (sharedSynth in scripts/offline-proof.ts);
// validate and plan results are kept by configuration content for the run (proveStack).
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startBackgroundJobs } = require('./background-jobs');
const openScratch = require('./scratch-setup');

module.exports = async (globalConfig) => {
  await openScratch();
  rmSync(join(__dirname, '..', '..', '.cache', 'iam-calls'), { recursive: true, force: true });
  startBackgroundJobs(globalConfig);
  const built = join(__dirname, '..', '..', 'dist', 'scripts', 'offline-proof.js');
  const wholeRun = !globalConfig.testPathPatterns?.isSet();
  if (wholeRun && existsSync(built)) {
    const { synthAll, SHARED_SYNTH_SETTING, PROOF_CACHE_SETTING } = require(built);
    // Read only by globalTeardown (Jest's rule for globals set here): it removes what it made, nothing else.
    globalThis.sharedSynthMade = await synthAll();
    process.env[SHARED_SYNTH_SETTING] = globalThis.sharedSynthMade;
    globalThis.proofCacheMade = mkdtempSync(join(tmpdir(), 'ops-autopilot-proofs-'));
    process.env[PROOF_CACHE_SETTING] = globalThis.proofCacheMade;
  }
};
