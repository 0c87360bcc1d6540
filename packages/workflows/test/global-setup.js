// Bundles the workflow code once per test run, outside jest's module registry (webpack's lazy requires break
// inside it), and tells the test files where the bundle is. Plain JS so it needs no transform.
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');
const { workflowInterceptorModules } = require('@durable-delivery/telemetry/temporal-worker');

module.exports = async function bundleOrderWorkflows() {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const dir = mkdtempSync(join(tmpdir(), 'order-workflows-'));
  // The worker's two bundles: plain (what the tests run) and with the tracing interceptors. The replay tests replay
  // every history against both, proving the interceptors leave histories alone.
  for (const [variable, interceptors] of [
    ['ORDER_WORKFLOW_BUNDLE', []],
    ['ORDER_WORKFLOW_BUNDLE_TRACED', workflowInterceptorModules],
  ]) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows.ts'),
      workflowInterceptorModules: [...interceptors],
      logger: silent,
    });
    const codePath = join(dir, `${variable.toLowerCase()}.js`);
    writeFileSync(codePath, code);
    process.env[variable] = codePath;
  }
};
