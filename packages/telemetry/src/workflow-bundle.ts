/**
 * How every workflow bundle of this project is built — the worker's prebuilt bundle, the tests' bundle, the recorder
 * of histories and `npm run replay` — so that all of them run the same workflow code. Build-time only: it loads
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

const SOURCE_MAP_COMMENT = '//# sourceMappingURL=data:';
const BASE64 = 'base64,';

/**
 * A bundle for a worker to start from: the same code and the same source map, without the libraries' own source
 * text in the map (`sourcesContent` of every file under node_modules). Stack traces still point into the libraries'
 * files and lines; only the SDK's enhanced stack trace, which ships each frame's file, shows no text for a library
 * frame (the project's own files keep theirs). At start the worker decodes the map and hands it to its workflow
 * thread; the OpenTelemetry and SDK sources were about 1.1 of its 1.3 MB of source text, and their cost sat in the
 * cold start.
 */
export function withoutLibrarySources(code: string): string {
  // Found as the SDK finds it when it loads the bundle: the last inline source map comment, then its base64 data.
  const comment = code.lastIndexOf(SOURCE_MAP_COMMENT);
  const data = comment < 0 ? -1 : code.indexOf(BASE64, comment);
  if (data < 0) throw new Error('the workflow bundle has no inline source map (the SDK needs one)');
  const map = JSON.parse(Buffer.from(code.slice(data + BASE64.length).trimEnd(), 'base64').toString()) as {
    sources: string[];
    sourcesContent?: (string | null)[];
  };
  const sourcesContent = map.sourcesContent?.map((content, index) =>
    /[\\/]node_modules[\\/]/.test(map.sources[index] ?? '') ? null : content,
  );
  const trimmed = Buffer.from(JSON.stringify({ ...map, sourcesContent })).toString('base64');
  return `${code.slice(0, data + BASE64.length)}${trimmed}`;
}

const SILENT = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A bundle written by {@link bundleWorkflowsToTempFile}. */
export interface TempWorkflowBundle {
  /** The bundle's file, for `workflowBundle: { codePath }`. */
  readonly codePath: string;
  /** The temporary folder holding it, which the caller removes once no worker reads the bundle any more. */
  readonly folder: string;
}

/**
 * For tests' global set-ups and the scripts: bundles `workflowsPath` with these options, quietly, into a file of its
 * own in a new temporary folder. The caller removes the folder when done (a global teardown, a `finally`): each
 * bundle is a few megabytes, and one a test run left behind each time.
 */
export async function bundleWorkflowsToTempFile(
  workflowsPath: string,
  folderPrefix: string,
): Promise<TempWorkflowBundle> {
  const { code } = await bundleWorkflowCode({ workflowsPath, ...workflowBundleOptions(), logger: SILENT });
  const folder = mkdtempSync(join(tmpdir(), folderPrefix));
  const codePath = join(folder, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  return { codePath, folder };
}
