// Runs in the browser before the app's own code (Next's client instrumentation): zod's settings must be in place
// before any module makes a schema. See packages/api/src/zod-config.ts.
import '@durable-delivery/api/zod-config';
