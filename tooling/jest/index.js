/**
 * Jest preset for every package. ts-jest only transpiles (each file on its own); `pnpm typecheck` runs tsc over
 * the same files, so type errors still fail CI without making every test run pay for a full type-check.
 */
module.exports = {
  // Node's, and it removes the test files' temporary folders when each file is done (temp-dir.js).
  testEnvironment: require.resolve('./environment.js'),
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs' }, diagnostics: false }],
  },
  // Workflow and integration tests start real Temporal servers and workers; a slow shared machine needs room.
  testTimeout: 120_000,
  reporters: ['default', require.resolve('./count-reporter.js')],
};
