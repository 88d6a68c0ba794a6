// Phase 1 of `npm test` starts with no recorded SDK calls, so the IAM proof (phase 2) sees only this run's.
const { rmSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async () => {
  rmSync(join(__dirname, '..', '..', '.cache', 'iam-calls'), { recursive: true, force: true });
};
