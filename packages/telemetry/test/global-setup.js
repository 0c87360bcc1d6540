// Bundles a fixture workflow with the project's bundle options once per test run, outside jest's module registry
// (webpack's lazy requires break inside it), and tells the test where the bundle is. Plain JS so it needs no
// transform; it uses the built package (turbo builds it before its tests).
const { bundleWorkflowsToTempFile } = require('../dist/workflow-bundle');

module.exports = async function bundleFixture() {
  const bundle = await bundleWorkflowsToTempFile(require.resolve('./fixtures/workflows.ts'), 'telemetry-bundle-');
  process.env.TELEMETRY_FIXTURE_BUNDLE = bundle.codePath;
  // For global-teardown.js, which jest runs in this process once every test file is done.
  globalThis.workflowBundleFolder = bundle.folder;
};
