module.exports = {
  ...require('@durable-delivery/jest-config'),
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
