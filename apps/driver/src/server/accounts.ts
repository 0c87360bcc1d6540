import 'server-only';
import { driverSessionHandlers, loadAccountsConfig, openAccounts, type Accounts } from '@durable-delivery/accounts';
import { clientAddress } from '@durable-delivery/api/server';
import { appConfig } from './config';

let accounts: Promise<Accounts> | undefined;
let sessionHandlers: ReturnType<typeof driverSessionHandlers> | undefined;

/**
 * The driver accounts (ACCOUNTS_DATABASE_URL, ACCOUNTS_SECRET), opened and migrated on first use, once per process;
 * like appConfig(), not at import, because `next build` has no secrets. A failed open is tried again next time.
 */
export function driverAccounts(): Promise<Accounts> {
  accounts ??= openAccounts(loadAccountsConfig()).catch((error: unknown) => {
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

/** The signed-in driver a request's headers name (its session cookie, looked up in the database). */
export async function driverOf(headers: Headers): Promise<{ id: string; name: string } | undefined> {
  return (await driverAccounts()).driverFor(headers);
}
