// Build step: bundles the workflow code once, so a worker starts without running webpack. Two bundles: the plain
// one, and one with the OpenTelemetry workflow interceptors. The interceptors start the OpenTelemetry SDK inside
// every workflow's sandbox, which costs CPU and memory per order (README: "What workflow tracing costs"), so the
// worker runs the traced bundle only when tracing is on (WORKER_WORKFLOW_TRACING, config.ts). Both add no command
// and no event, so both replay the same histories (the workflow package's replay tests run each one).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { failureConverterPath } from '@durable-delivery/codec';
import { workflowInterceptorModules } from '@durable-delivery/telemetry/temporal-worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACED_WORKFLOW_BUNDLE, WORKFLOW_BUNDLE } from '../bundles';

async function bundle(): Promise<void> {
  const workflowsPath = require.resolve('@durable-delivery/workflows/workflows');
  for (const [file, interceptors] of [
    [WORKFLOW_BUNDLE, []],
    [TRACED_WORKFLOW_BUNDLE, workflowInterceptorModules],
  ] as const) {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [...interceptors],
      // Failures the workflow raises are converted inside the sandbox, so the encoding failure converter is bundled.
      failureConverterPath: failureConverterPath(),
    });
    const codePath = resolve(__dirname, '..', file);
    await writeFile(codePath, code);
    console.log(`workflow bundle written to ${codePath}`);
  }
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
