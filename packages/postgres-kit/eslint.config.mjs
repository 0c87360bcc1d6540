import { base, workflowCode } from '@durable-delivery/eslint-config';

// The failure converter is bundled into the workflow sandbox: it gets the workflow rules.
export default [...base(import.meta.dirname), ...workflowCode(['src/failure-converter.ts'])];
