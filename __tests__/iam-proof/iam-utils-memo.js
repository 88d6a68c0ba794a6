// The IAM simulator (@cloud-copilot/iam-simulate) asks which resource types an ARN can match for every request
// it evaluates: two pure functions of strings (an automaton intersection each time), which took two thirds of
// the mutation run's CPU, because every mutated policy is proved against the same requests again. This module
// stands in for @cloud-copilot/iam-utils in the IAM proof (moduleNameMapper in jest.iam.config.js): the package
// as it is, with those two functions remembered by their arguments.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

/**
 * The package's CommonJS entry, found as Node finds it (the nearest node_modules up, then its `exports`), by
 * path: Jest would map the package name, and its createRequire too, back to this file.
 */
function realEntry(pkg) {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', ...pkg.split('/'));
    if (existsSync(join(root, 'package.json'))) {
      const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      return join(root, exports['.'].require);
    }
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed`);
  }
}

const real = require(realEntry('@cloud-copilot/iam-utils'));

function remembered(fn, keyOf, copy = (v) => v) {
  const seen = new Map();
  const wrapped = (...args) => {
    const key = keyOf(...args);
    if (!seen.has(key)) seen.set(key, fn(...args));
    return copy(seen.get(key));
  };
  return wrapped;
}

module.exports = {
  ...real,
  resourceStringMatchesResourceTypePattern: remembered(
    real.resourceStringMatchesResourceTypePattern,
    (resource, pattern) => `${resource}\u0000${pattern}`,
  ),
  mostSpecificMatchingResourceTypePatterns: remembered(
    real.mostSpecificMatchingResourceTypePatterns,
    (resource, patterns) => `${resource}\u0000${patterns.join('\u0001')}`,
    (matching) => [...matching],
  ),
};
// For the test that the remembered functions answer as the package does.
module.exports.unremembered = real;
