export { Faults, NO_FAULTS, faultSettingsSchema, type FaultSettings } from './faults';
export { answeredByFault, bearerCheck, faultRoutes, parse, requireApiKey, sendError, useErrorShape } from './http';
export { openDatabase } from './sqlite';
export { loadServiceConfig, type ServiceConfig } from './config';
