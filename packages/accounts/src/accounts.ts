import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '@durable-delivery/postgres-kit';
import { APIError } from 'better-auth/api';
import { createAuth, migrate, USERNAME_PATTERN } from './auth.js';
import { AccountsConfigError, type AccountsConfig } from './config.js';
import { SignInThrottle, type ThrottleLimits } from './throttle.js';

/** A driver account as operators and the apps see it. `id` is the workflow's DriverId; `name` is shown to people. */
export interface DriverAccount {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

/** The signed-in driver a session cookie names. */
export interface SignedInDriver {
  readonly id: string;
  readonly name: string;
}

export type SignInResult =
  | { readonly ok: true; readonly driver: SignedInDriver; readonly setCookies: readonly string[] }
  | { readonly ok: false; readonly reason: 'invalid' | 'disabled' };

/**
 * The accounts database did not answer (down, restarting, unreachable): a sign-in, and any request that looks up a
 * driver's session, answers 503, not 500, and never as if nobody (or somebody else) were signed in.
 */
export class AccountsUnavailableError extends Error {
  override readonly name = 'AccountsUnavailableError';
}

/** What an operator got wrong (unknown or taken username, bad name): the command prints it as it is. */
export class AccountsError extends Error {
  override readonly name = 'AccountsError';
}

export interface Accounts {
  /** Creates a driver; a password is generated when none is given (and returned, to print once). */
  addDriver(input: { username: string; name: string; password?: string }): Promise<{
    driver: DriverAccount;
    password: string;
  }>;
  /** Disabling also ends every session of the driver; enabling lets them sign in again. */
  setDisabled(username: string, disabled: boolean): Promise<DriverAccount>;
  /** Sets a new password (generated when none is given) and ends every session of the driver. */
  resetPassword(username: string, password?: string): Promise<{ driver: DriverAccount; password: string }>;
  /** Ends every session of the driver; answers how many there were. */
  signOutEverywhere(username: string): Promise<number>;
  list(): Promise<DriverAccount[]>;
  find(username: string): Promise<DriverAccount | undefined>;
  /** Checks a username and password and opens a session: the Set-Cookie headers carry its cookie. */
  signIn(username: string, password: string): Promise<SignInResult>;
  /** The driver whose live session the request's cookie names, or undefined (none, ended, expired, disabled). */
  driverFor(headers: Headers): Promise<SignedInDriver | undefined>;
  /** Ends the request's session in the database; the Set-Cookie headers clear the cookie. */
  signOut(headers: Headers): Promise<string[]>;
  /**
   * A sign-in throttle that counts where the accounts live: in PostgreSQL, shared by every process on this database;
   * with SQLite (one process), in this process's memory.
   */
  signInThrottle(limits?: ThrottleLimits): SignInThrottle;
  close(): Promise<void>;
}

const MIN_PASSWORD = 12;
const MAX_PASSWORD = 128;

/** Opens the accounts store and brings its schema up to date (Better Auth's migrations) before answering. */
export async function openAccounts(config: AccountsConfig): Promise<Accounts> {
  // A PostgreSQL store gets its own database on the server, made when missing (compose starts with Temporal's only).
  if (config.store.kind === 'postgres') await ensureDatabase(config.store.url);
  const { auth, close, pool } = createAuth(config);
  try {
    await migrate(auth).catch(async () => {
      // Two processes opening a new store at once (the app and the drivers command): the loser finds the tables
      // made by the other on its second look.
      await new Promise((resolveSoon) => setTimeout(resolveSoon, 200));
      await migrate(auth);
    });
  } catch (error) {
    await close();
    throw error;
  }
  const context = await auth.$context;

  async function userRow(username: string): Promise<UserRow | undefined> {
    const row = await context.adapter.findOne<UserRow>({
      model: 'user',
      where: [{ field: 'username', value: normalizeUsername(username) }],
    });
    return row ?? undefined;
  }

  async function existing(username: string): Promise<UserRow> {
    const row = await userRow(username);
    if (!row) throw new AccountsError(`No driver has the username "${normalizeUsername(username)}".`);
    return row;
  }

  async function endSessions(userId: string): Promise<number> {
    const count = await context.adapter.count({ model: 'session', where: [{ field: 'userId', value: userId }] });
    await context.internalAdapter.deleteUserSessions(userId);
    return count;
  }

  return {
    async addDriver({ username, name, password }) {
      const handle = checkedUsername(username);
      const displayName = checkedName(name);
      const secret = password === undefined ? generatePassword() : checkedPassword(password);
      if (await userRow(handle)) throw new AccountsError(`A driver with the username "${handle}" already exists.`);
      const user = await context.internalAdapter.createUser<UserRow>(
        {
          // Better Auth's users have a unique e-mail; drivers sign in by username, so it is a placeholder nobody reads.
          email: `${handle}@drivers.invalid`,
          emailVerified: true,
          name: displayName,
          username: handle,
          displayUsername: handle,
        },
        { method: 'admin' },
      );
      await context.internalAdapter.linkAccount({
        userId: user.id,
        providerId: 'credential',
        accountId: user.id,
        password: await context.password.hash(secret),
      });
      return { driver: accountOf(user), password: secret };
    },

    async setDisabled(username, disabled) {
      const row = await existing(username);
      const updated = await context.internalAdapter.updateUser<UserRow>(row.id, {
        banned: disabled,
        banReason: disabled ? 'disabled by an operator' : null,
      });
      if (disabled) await endSessions(row.id);
      return accountOf(updated);
    },

    async resetPassword(username, password) {
      const row = await existing(username);
      const secret = password === undefined ? generatePassword() : checkedPassword(password);
      await context.internalAdapter.updatePassword(row.id, await context.password.hash(secret));
      await endSessions(row.id);
      return { driver: accountOf(row), password: secret };
    },

    async signOutEverywhere(username) {
      return endSessions((await existing(username)).id);
    },

    async list() {
      const rows = await context.adapter.findMany<UserRow>({
        model: 'user',
        sortBy: { field: 'username', direction: 'asc' },
        limit: 10_000,
      });
      return rows.map(accountOf);
    },

    async find(username) {
      const row = await userRow(username);
      return row ? accountOf(row) : undefined;
    },

    async signIn(username, password) {
      try {
        const { headers, response } = await auth.api.signInUsername({
          body: { username: normalizeUsername(username), password },
          returnHeaders: true,
        });
        return {
          ok: true,
          driver: { id: response.user.id, name: response.user.name },
          setCookies: headers.getSetCookie(),
        };
      } catch (error) {
        // Better Auth's wording is for developers; the caller words the answer. FORBIDDEN: a disabled (banned) driver.
        if (error instanceof APIError && error.status !== 'INTERNAL_SERVER_ERROR')
          return { ok: false, reason: error.status === 'FORBIDDEN' ? 'disabled' : 'invalid' };
        // Anything else is the store failing (Better Auth passes pg's errors through as they are): not a wrong password,
        // so not a failure to count, and not a 500.
        throw unavailable(error);
      }
    },

    async driverFor(headers) {
      let found: Awaited<ReturnType<typeof auth.api.getSession>>;
      try {
        found = await auth.api.getSession({ headers, query: { disableCookieCache: true } });
      } catch (error) {
        // UNAUTHORIZED: the session ended while it was being refreshed (signed out meanwhile), so nobody is signed
        // in. Anything else is the store failing (Better Auth wraps pg's errors as INTERNAL_SERVER_ERROR): the
        // caller answers 503, and the request is neither let through as signed out nor as anyone.
        if (error instanceof APIError && error.status === 'UNAUTHORIZED') return undefined;
        throw unavailable(error);
      }
      if (!found || (found.user as UserRow).banned) return undefined;
      return { id: found.user.id, name: found.user.name };
    },

    async signOut(headers) {
      try {
        const { headers: out } = await auth.api.signOut({ headers, returnHeaders: true });
        return out.getSetCookie();
      } catch (error) {
        if (error instanceof APIError && error.status !== 'INTERNAL_SERVER_ERROR') throw error;
        throw unavailable(error);
      }
    },

    signInThrottle(limits) {
      return new SignInThrottle(limits, pool);
    },

    close,
  };
}

interface UserRow {
  readonly id: string;
  readonly name: string;
  readonly username?: string | null;
  readonly banned?: boolean | null;
  readonly createdAt: Date;
}

/**
 * Opens the accounts with `open`; a store that cannot be reached (refused, timed out, failed to migrate) is
 * AccountsUnavailableError, a 503 for the request that asked. A bad configuration stays as it is: the operator's to
 * fix, and loud.
 */
export async function openOrUnavailable(open: () => Promise<Accounts>): Promise<Accounts> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof AccountsConfigError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new AccountsUnavailableError(`the accounts could not be opened: ${detail}`, { cause: error });
  }
}

function unavailable(error: unknown): AccountsUnavailableError {
  // Better Auth's own failures ("Failed to get session") carry the store's error as their cause: that says why.
  const reason = error instanceof APIError && error.cause instanceof Error ? error.cause : error;
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new AccountsUnavailableError(`the accounts database did not answer: ${detail}`, { cause: error });
}

function accountOf(row: UserRow): DriverAccount {
  return {
    id: row.id,
    username: row.username ?? '',
    name: row.name,
    disabled: Boolean(row.banned),
    createdAt: new Date(row.createdAt),
  };
}

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

function checkedUsername(username: string): string {
  const handle = normalizeUsername(username);
  if (!USERNAME_PATTERN.test(handle)) {
    throw new AccountsError(
      `"${username}" is not a valid username: 2-32 characters, lower-case letters, digits, "-", "_" and ".", ` +
        'starting with a letter or digit.',
    );
  }
  return handle;
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 60) throw new AccountsError('The display name must be 1-60 characters.');
  return trimmed;
}

function checkedPassword(password: string): string {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw new AccountsError(`A password must be ${MIN_PASSWORD}-${MAX_PASSWORD} characters.`);
  }
  return password;
}

/** 144 random bits, URL-safe: printed once for the operator to hand over. */
function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
