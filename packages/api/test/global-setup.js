// Bundles the order workflow once per test run, outside jest's module registry (webpack's lazy requires break
// inside it), and tells the test files where the bundle is. Plain JS so it needs no transform.
const { bundleWorkflowsToTempFile } = require('@durable-delivery/telemetry/workflow-bundle');

module.exports = async function bundleOrderWorkflows() {
  const bundle = await bundleWorkflowsToTempFile(
    require.resolve('@durable-delivery/workflows/workflows'),
    'api-workflows-',
  );
  process.env.ORDER_WORKFLOW_BUNDLE = bundle.codePath;
  // For global-teardown.js, which jest runs in this process once every test file is done.
  globalThis.workflowBundleFolder = bundle.folder;
};
