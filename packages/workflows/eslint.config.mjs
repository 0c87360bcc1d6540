import { base, workflowCode } from '@durable-delivery/eslint-config';

// Workflow code (order, loyalty, subscription, shared, workflows.ts) is bundled into the sandbox; src/client runs in
// ordinary Node callers.
export default [
  ...base(import.meta.dirname),
  ...workflowCode([
    'src/order/**/*.ts',
    'src/loyalty/**/*.ts',
    'src/subscription/**/*.ts',
    'src/shared/**/*.ts',
    'src/workflows.ts',
  ]),
];
