/** Phase 2: the IAM proof, over the SDK calls phase 1 recorded. */
module.exports = {
  ...require('./jest.base'),
  roots: ['<rootDir>/__tests__/iam-proof'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/__tests__/support/scratch-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/scratch-teardown.js',
};
