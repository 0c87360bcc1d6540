import 'server-only';
import {
  ACCOUNTS_UNAVAILABLE_MESSAGE,
  AccountsUnavailableError,
  UNAVAILABLE_RETRY_SECONDS,
  driverSessionHandlers,
  loadAccountsConfig,
  logAccountsUnavailable,
  openAccounts,
  openOrUnavailable,
  type Accounts,
} from '@durable-delivery/accounts';
import { clientAddress, unavailable } from '@durable-delivery/api/server';
import { appConfig } from './config';

let accounts: Promise<Accounts> | undefined;
let sessionHandlers: ReturnType<typeof driverSessionHandlers> | undefined;

/**
 * The driver accounts (ACCOUNTS_DATABASE_URL, ACCOUNTS_SECRET), opened and migrated on first use, once per process;
 * like appConfig(), not at import, because `next build` has no secrets. A failed open is tried again next time; one
 * because the database did not answer is AccountsUnavailableError.
 */
export function driverAccounts(): Promise<Accounts> {
  accounts ??= openOrUnavailable(() => openAccounts(loadAccountsConfig())).catch((error: unknown) => {
    accounts = undefined;
    throw error;
  });
  return accounts;
}

/**
 * Sign-in and sign-out, one per process. They open the accounts at the first request (and again after a failure):
 * while the accounts database does not answer they say so with a 503, not a 500. The sign-in throttle counts where
 * the accounts live (see @durable-delivery/accounts).
 */
export function sessionRoutes(): ReturnType<typeof driverSessionHandlers> {
  const config = appConfig();
  // The throttle counts addresses by the same rule (and trusted proxies) as the API's rate limits.
  sessionHandlers ??= driverSessionHandlers(driverAccounts, {
    origins: config.origins,
    addressOf: (headers) => clientAddress(headers, config.trustProxy),
  });
  return sessionHandlers;
}

/**
 * The signed-in driver a request's headers name (its session cookie, looked up in the database). While the accounts
 * database does not answer it throws AccountsUnavailableError: answer that with whileAccountsDown, never as a
 * signed-out visitor.
 */
export async function driverOf(headers: Headers): Promise<{ id: string; name: string } | undefined> {
  return (await driverAccounts()).driverFor(headers);
}

/**
 * `respond`'s answer, or, if it needed the accounts and their database did not answer, a 503 that says so (with
 * Retry-After): tRPC's error JSON for the API, a short page for a page. The proxy puts every page and API call
 * through it, so a page is refused before it renders; the API route too, for a database that went away in between.
 */
export async function whileAccountsDown(request: Request, respond: () => Promise<Response>): Promise<Response> {
  try {
    return await respond();
  } catch (error) {
    if (!(error instanceof AccountsUnavailableError)) throw error;
    const path = new URL(request.url).pathname;
    logAccountsUnavailable(`request ${request.method} ${path}`, error);
    return unavailable(
      path,
      'Driver accounts are unavailable',
      ACCOUNTS_UNAVAILABLE_MESSAGE,
      UNAVAILABLE_RETRY_SECONDS,
    );
  }
}
