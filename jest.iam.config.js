/** Phase 2: the IAM proof, over the SDK calls phase 1 recorded. */
module.exports = {
  ...require('./jest.base'),
  roots: ['<rootDir>/__tests__/iam-proof'],
  testMatch: ['**/*.test.ts'],
  // The simulator's resource-type matching, remembered (see the module for why).
  moduleNameMapper: {
    '^@cloud-copilot/iam-utils$': '<rootDir>/__tests__/iam-proof/iam-utils-memo.js',
  },
  globalSetup: '<rootDir>/__tests__/support/scratch-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/scratch-teardown.js',
};
