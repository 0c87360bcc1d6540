export { Faults, NO_FAULTS, faultSettingsSchema, type FaultSettings } from '@durable-delivery/provider-rules';
export {
  answeredByFault,
  bearerCheck,
  faultRoutes,
  idempotencyKeySchema,
  parse,
  requireApiKey,
  sendError,
  useErrorShape,
} from './http';
export { databaseAnswers, openDatabase } from './sqlite';
export { loadServiceConfig, type ServiceConfig } from './config';
export {
  useObservability,
  bindLogFields,
  serviceLogger,
  type ObservabilityOptions,
  type ServiceLogging,
} from './observability';
