// Phase 1 of `npm test` starts with no recorded SDK calls, so the IAM proof (phase 2) sees only this run's;
// the deploy proof and the sandbox check start in the background (background-jobs.js).
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { startBackgroundJobs } = require('./background-jobs');

module.exports = async (globalConfig) => {
  rmSync(join(__dirname, '..', '..', '.cache', 'iam-calls'), { recursive: true, force: true });
  startBackgroundJobs(globalConfig);
};
