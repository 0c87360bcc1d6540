/**
 * How every workflow bundle of this project is built — the worker's prebuilt bundle, the tests' bundle, the recorder
 * of histories and `pnpm replay` — so that all of them run the same workflow code. Build-time only: it loads
 * webpack, which a running worker never needs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { NormalModuleReplacementPlugin } from 'webpack';

/**
 * The OpenTelemetry workflow interceptors, bundled into the workflow code. They make spans for the workflow run,
 * its updates, queries and each activity it schedules, and put the span context into the activities' headers. They
 * add no command and no history event — spans leave the sandbox through a sink, which the SDK does not call while
 * replaying — so recorded histories replay unchanged (the workflow package's replay tests run against this bundle).
 */
export const workflowInterceptorModules: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/**
 * The interceptors' own context manager (one AsyncLocalStorage per workflow, see workflow-context-manager.ts), as
 * their workflow module requests it. Replaced in the request, before resolving: replacing the resolved file instead
 * would keep the module's identity, and so a second, per-workflow instance of the replacement.
 */
const CONTEXT_MANAGER_REQUEST = /^\.\/context-manager$/;
const INTERCEPTORS_WORKFLOW_DIR = /interceptors-opentelemetry[\\/]lib[\\/]workflow$/;

export type WorkflowBundleOptions = Required<
  Pick<BundleOptions, 'workflowInterceptorModules' | 'preloadModules' | 'webpackConfigHook'>
>;

/**
 * The options to spread into `bundleWorkflowCode` (or, as `interceptors.workflowModules` and `bundlerOptions`, into a
 * worker that bundles at start). Besides the interceptors:
 * - `preloadModules`: the OpenTelemetry libraries, evaluated once per worker and shared by its workflows instead of
 *   once per workflow (workflow-shared.ts says why that is safe, and what it takes);
 * - the interceptors' context manager replaced by one on a single AsyncLocalStorage (workflow-context-manager.ts):
 *   with one storage per cached workflow, memory grew with the square of the cache.
 * Neither changes what workflow code does, so histories written by a bundle without them replay on it (and workers
 * with either bundle can share a task queue).
 */
export function workflowBundleOptions(): WorkflowBundleOptions {
  const contextManager = require.resolve('./workflow-context-manager');
  return {
    workflowInterceptorModules: [...workflowInterceptorModules],
    preloadModules: [require.resolve('./workflow-shared')],
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        new NormalModuleReplacementPlugin(CONTEXT_MANAGER_REQUEST, (resolveData) => {
          if (INTERCEPTORS_WORKFLOW_DIR.test(resolveData.context)) resolveData.request = contextManager;
        }),
      ],
    }),
  };
}

const SILENT = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * For tests' global set-ups: bundles `workflowsPath` with these options, quietly, into a file of its own in a new
 * temporary folder, and returns the file's path (for `workflowBundle: { codePath }`).
 */
export async function bundleWorkflowsToTempFile(workflowsPath: string, folderPrefix: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, ...workflowBundleOptions(), logger: SILENT });
  const codePath = join(mkdtempSync(join(tmpdir(), folderPrefix)), 'workflow-bundle.js');
  writeFileSync(codePath, code);
  return codePath;
}
