// Workflow code only, and bundle-safe: the package index would pull client code into a workflow bundle. For workflows
// outside this package that declare a versioning behavior the same way the order does (apps/worker's versioning test).
export { onVersionedWorkers } from './shared/helpers';
