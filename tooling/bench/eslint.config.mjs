import { base, workflowCode } from '@durable-delivery/eslint-config';

// The ceiling's workflow runs in the workflow sandbox like the order does, so it gets the same determinism rules.
export default [...base(import.meta.dirname), ...workflowCode(['src/noop-workflow.ts'])];
