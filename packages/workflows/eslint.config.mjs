import { base, workflowCode } from '@durable-delivery/eslint-config';

// src/order and src/workflows.ts are bundled into the workflow sandbox; src/client runs in ordinary Node callers.
export default [...base(import.meta.dirname), ...workflowCode(['src/order/**/*.ts', 'src/workflows.ts'])];
