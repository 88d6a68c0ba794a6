/** Shared by both test phases: isolated-modules transform with swc, so no file type-checks in Jest. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/__tests__/support/setup.ts'],
  testTimeout: 60000,
  // Jest's default is one worker per core but one: most files here wait on terraform, moto or MariaDB
  // child processes, so a worker per core keeps both cores of the CI machine busy.
  maxWorkers: '100%',
};
