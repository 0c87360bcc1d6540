// Server-only: what the Next.js apps mount. Never import this from a client component.
export { loadAppConfig, AppConfigError, DEVELOPMENT_DRIVER_PASSCODE, type AppConfig } from './config';
export { temporalClient } from './temporal';
export {
  CUSTOMER_COOKIE,
  DRIVER_COOKIE,
  customerCookie,
  customerSession,
  newCustomerId,
  unsealIdentity,
  cookieValue,
} from './session';
export {
  menuApiHandler,
  driverApiHandler,
  driverSessionHandlers,
  customerApiCaller,
  driverApiCaller,
  type CustomerApiCaller,
  type DriverApiCaller,
  TRPC_ENDPOINT,
} from './handlers';
export { notificationStreamHandler } from './notifications';
export { operationsHandlers, appMetrics } from './observability';
