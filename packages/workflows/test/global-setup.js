// Bundles the workflow code once per test run, outside jest's module registry (webpack's lazy requires break
// inside it), and tells the test files where the bundle is. Plain JS so it needs no transform. As the worker bundles
// it (the tracing interceptors, and the modules its workflows share; see packages/telemetry/src/workflow-bundle.ts),
// so the tests and the replays run exactly that code.
const { bundleWorkflowsToTempFile } = require('@durable-delivery/telemetry/workflow-bundle');

module.exports = async function bundleOrderWorkflows() {
  const bundle = await bundleWorkflowsToTempFile(require.resolve('../src/workflows.ts'), 'order-workflows-');
  process.env.ORDER_WORKFLOW_BUNDLE = bundle.codePath;
  // For global-teardown.js, which jest runs in this process once every test file is done.
  globalThis.workflowBundleFolder = bundle.folder;
};
