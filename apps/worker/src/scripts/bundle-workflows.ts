// Build step: bundles the workflow code once, so a worker starts without running webpack. One bundle, with the
// OpenTelemetry workflow interceptors, on every worker whether or not it exports spans: the interceptors add no
// command, but they add steps between an update handler's return and its answer, which can change the order in
// which one workflow task's commands and answers come out (an update's answer before or after a timer's cancel).
// Workers with and without them on one task queue would fail each other's orders with nondeterminism errors, so
// there is no switch (docs/observability.md: "What workflow tracing costs").
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { failureConverterPath } from '@durable-delivery/codec';
import { withoutLibrarySources, workflowBundleOptions } from '@durable-delivery/telemetry/workflow-bundle';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE } from '../bundles';

async function bundle(): Promise<void> {
  const workflowsPath = require.resolve('@durable-delivery/workflows/workflows');
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    ...workflowBundleOptions(),
    // Failures the workflow raises are converted inside the sandbox, so the encoding failure converter is bundled.
    failureConverterPath: failureConverterPath(),
  });
  const codePath = resolve(__dirname, '..', WORKFLOW_BUNDLE);
  // The libraries' source text out of the source map: less for every worker to decode at start (see there).
  await writeFile(codePath, withoutLibrarySources(code));
  console.log(`workflow bundle written to ${codePath}`);
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
