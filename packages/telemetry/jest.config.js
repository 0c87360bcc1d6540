module.exports = {
  ...require('@durable-delivery/jest-config'),
  globalSetup: '<rootDir>/test/global-setup.js',
};
