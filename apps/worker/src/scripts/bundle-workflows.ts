// Build step: bundles the workflow code once, so a worker starts without running webpack.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { workflowInterceptorModules } from '@durable-delivery/telemetry/temporal-worker';
import { bundleWorkflowCode } from '@temporalio/worker';

async function bundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('@durable-delivery/workflows/workflows'),
    // Tracing: spans for the workflow, its updates and the activities it schedules (no commands, replay-safe).
    workflowInterceptorModules: [...workflowInterceptorModules],
  });
  const codePath = resolve(__dirname, '../workflow-bundle.js');
  await writeFile(codePath, code);
  console.log(`workflow bundle written to ${codePath}`);
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
