import { base, workflowCode } from '@durable-delivery/eslint-config';

export default [...base(import.meta.dirname), ...workflowCode(['src/**/*.ts'])];
