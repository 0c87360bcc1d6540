// Build step: bundles the workflow code once, so a worker starts without running webpack.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { failureConverterPath } from '@durable-delivery/codec';
import { bundleWorkflowCode } from '@temporalio/worker';

async function bundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('@durable-delivery/workflows/workflows'),
    // Failures the workflow raises are converted inside the sandbox, so the encoding failure converter is bundled.
    failureConverterPath: failureConverterPath(),
  });
  const codePath = resolve(__dirname, '../workflow-bundle.js');
  await writeFile(codePath, code);
  console.log(`workflow bundle written to ${codePath}`);
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
