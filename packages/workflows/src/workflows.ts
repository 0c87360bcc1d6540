// The entry the worker bundles: every workflow this deployment runs, and nothing else.
export { order } from './order/workflow';
export { loyalty } from './loyalty/workflow';
export { subscription } from './subscription/workflow';
