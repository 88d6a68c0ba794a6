const { rmSync } = require('node:fs');
const { stopBackgroundJobs } = require('./background-jobs');
const removeScratch = require('./scratch-teardown');

module.exports = async () => {
  stopBackgroundJobs();
  if (globalThis.sharedSynthMade)
    rmSync(globalThis.sharedSynthMade, { recursive: true, force: true });
  if (globalThis.proofCacheMade)
    rmSync(globalThis.proofCacheMade, { recursive: true, force: true });
  await removeScratch();
};
