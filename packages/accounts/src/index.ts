export { loadAccountsConfig, AccountsConfigError, storeOf, type AccountsConfig, type AccountsStore } from './config.js';
export {
  openAccounts,
  openOrUnavailable,
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
  logAccountsUnavailable,
  SIGN_IN_MESSAGES,
  SIGN_IN_PAGE,
  ACCOUNTS_UNAVAILABLE_MESSAGE,
  UNAVAILABLE_RETRY_SECONDS,
  type SignInErrorCode,
  type SessionHandlerOptions,
} from './http.js';
export { SignInThrottle, ThrottleUnavailableError, DEFAULT_THROTTLE, type ThrottleLimits } from './throttle.js';
export { DEVELOPMENT_DRIVERS } from './development.js';
