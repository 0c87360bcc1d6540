export { loadAccountsConfig, AccountsConfigError, storeOf, type AccountsConfig, type AccountsStore } from './config.js';
export {
  openAccounts,
  normalizeUsername,
  AccountsError,
  AccountsUnavailableError,
  type Accounts,
  type DriverAccount,
  type SignedInDriver,
  type SignInResult,
} from './accounts.js';
export { DRIVER_COOKIE_PREFIX, USERNAME_PATTERN } from './auth.js';
export {
  driverSessionHandlers,
  waitText,
  SIGN_IN_MESSAGES,
  SIGN_IN_PAGE,
  type SignInErrorCode,
  type SessionHandlerOptions,
} from './http.js';
export { SignInThrottle, ThrottleUnavailableError, DEFAULT_THROTTLE, type ThrottleLimits } from './throttle.js';
export { DEVELOPMENT_DRIVERS } from './development.js';
