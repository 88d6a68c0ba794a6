/** Shared by both test phases: isolated-modules transform with swc, so no file type-checks in Jest. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/__tests__/support/setup.ts'],
  testTimeout: 60000,
};
