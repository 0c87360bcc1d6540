// Bundles the workflow code once per test run, outside jest's module registry (webpack's lazy requires break
// inside it), and tells the test files where the bundle is. Plain JS so it needs no transform.
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');
const { workflowBundleOptions } = require('@durable-delivery/telemetry/workflow-bundle');

module.exports = async function bundleOrderWorkflows() {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  // As the worker bundles it (the tracing interceptors, and the modules its workflows share; see
  // packages/telemetry/src/workflow-bundle.ts), so the tests and the replays run exactly that code.
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows.ts'),
    ...workflowBundleOptions(),
    logger: silent,
  });
  const codePath = join(mkdtempSync(join(tmpdir(), 'order-workflows-')), 'workflow-bundle.js');
  writeFileSync(codePath, code);
  process.env.ORDER_WORKFLOW_BUNDLE = codePath;
};
