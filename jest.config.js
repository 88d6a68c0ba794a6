/** Phase 1: every test but the IAM proof, which reads the SDK calls this phase records. */
module.exports = {
  ...require('./jest.base'),
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/iam-proof/'],
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
};
