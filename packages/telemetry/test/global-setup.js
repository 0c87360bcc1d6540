// Bundles a fixture workflow with the project's bundle options once per test run, outside jest's module registry
// (webpack's lazy requires break inside it), and tells the test where the bundle is. Plain JS so it needs no
// transform; it uses the built package (turbo builds it before its tests).
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');
const { workflowBundleOptions } = require('../dist/workflow-bundle');

module.exports = async function bundleFixture() {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/workflows.ts'),
    ...workflowBundleOptions(),
    logger: silent,
  });
  const codePath = join(mkdtempSync(join(tmpdir(), 'telemetry-bundle-')), 'workflow-bundle.js');
  writeFileSync(codePath, code);
  process.env.TELEMETRY_FIXTURE_BUNDLE = codePath;
};
