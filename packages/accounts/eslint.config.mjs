import { base, workflowCode } from '@durable-delivery/eslint-config';

// The catalog is imported by workflow code, so it keeps the same determinism rules.
export default [...base(import.meta.dirname), ...workflowCode(['src/**/*.ts'])];
