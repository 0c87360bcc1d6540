export { Faults, NO_FAULTS, faultSettingsSchema, type FaultSettings } from '@durable-delivery/provider-rules';
export {
  answeredByFault,
  faultRoutes,
  guardService,
  idempotencyKeySchema,
  parse,
  requireApiKey,
  requireHost,
  sendError,
  unauthorized,
  useErrorShape,
} from './http';
export { allowedHosts, bearerCheck, hostAllowed } from '@durable-delivery/telemetry';
export { databaseAnswers, openDatabase } from './sqlite';
export { loadServiceConfig, type ServiceConfig } from './config';
export {
  useObservability,
  bindLogFields,
  serviceLogger,
  type ObservabilityOptions,
  type ServiceLogging,
} from './observability';
