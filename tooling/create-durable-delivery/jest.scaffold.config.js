// `pnpm test:scaffold`: every test of the package, the new copy's own fast tests included.
module.exports = {
  ...require('@durable-delivery/jest-config'),
  // Packs the package and runs it through npx once, for every test file to look at (test/global-setup.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
