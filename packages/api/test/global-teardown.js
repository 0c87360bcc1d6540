// Removes the bundle global-setup.js made, once every test file, and so every worker that read it, is done.
const { removeTempDir } = require('@durable-delivery/jest-config/temp-dir');

module.exports = function removeBundle() {
  if (globalThis.workflowBundleFolder) removeTempDir(globalThis.workflowBundleFolder);
};
