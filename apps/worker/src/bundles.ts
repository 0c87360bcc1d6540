/** The prebuilt workflow bundle beside dist/main.js (see scripts/bundle-workflows.ts). */
export const WORKFLOW_BUNDLE = 'workflow-bundle.js';
