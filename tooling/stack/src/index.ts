export { StackProcess, startProcess, type Env, type ProcessOptions, type Readiness } from './process';
export {
  STACK_PARTS,
  replicaName,
  startStack,
  workerMain,
  type AppName,
  type Stack,
  type StackApp,
  type StackNotifications,
  type StackOptions,
  type StackPart,
  type StackWorker,
} from './stack';
export { createDriver, type DriverLogin } from './drivers';
export { type StackDatabases } from './postgres';
