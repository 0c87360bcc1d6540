// Bundles the order workflow once per test run, outside jest's module registry (webpack's lazy requires break
// inside it), and tells the test files where the bundle is. Plain JS so it needs no transform.
const { bundleWorkflowsToTempFile } = require('@durable-delivery/telemetry/workflow-bundle');

module.exports = async function bundleOrderWorkflows() {
  process.env.ORDER_WORKFLOW_BUNDLE = await bundleWorkflowsToTempFile(
    require.resolve('@durable-delivery/workflows/workflows'),
    'api-workflows-',
  );
};
