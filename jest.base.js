/** Shared by both test phases: isolated-modules transform with swc, so no file type-checks in Jest. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/__tests__/support/setup.ts'],
  testTimeout: 60000,
  // Jest's default is one worker per core but one. Most files here wait on terraform, moto or MariaDB child
  // processes, and the offline plans now share a provider process: with a worker per core the whole run used
  // 1.5 of the 2 cores on average, so a worker and a half per core.
  maxWorkers: '150%',
};
