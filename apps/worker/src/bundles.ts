/** The prebuilt workflow bundles beside dist/main.js (see scripts/bundle-workflows.ts). */
export const WORKFLOW_BUNDLE = 'workflow-bundle.js';
/** The same workflow code with the OpenTelemetry workflow interceptors: spans for the workflow and its steps. */
export const TRACED_WORKFLOW_BUNDLE = 'workflow-bundle-traced.js';
