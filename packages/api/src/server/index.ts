// Server-only: what the Next.js apps mount. Never import this from a client component.
export { loadAppConfig, AppConfigError, type AppConfig } from './config';
export { temporalClient } from './temporal';
export {
  CUSTOMER_COOKIE,
  customerCookie,
  customerSession,
  newCustomerId,
  unsealIdentity,
  cookieValue,
} from './session';
export {
  menuApiHandler,
  driverApiHandler,
  customerApiCaller,
  driverApiCaller,
  type CustomerApiCaller,
  type DriverApiCaller,
  type DriverIdentity,
  TRPC_ENDPOINT,
} from './handlers';
export { MAX_STREAMS_PER_CUSTOMER, notificationStreamHandler } from './notifications';
export { operationsHandlers, appMetrics } from './observability';
export { gateRefusal, hostAllowed, unavailable, BODY_LIMIT_BYTES, type GateOptions } from './gate';
export { NONCE_HEADER, contentSecurityPolicy, edgeHeaders } from './headers';
export { clientAddress, limitRefusal } from './limits';
