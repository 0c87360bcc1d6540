import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { admin, username } from 'better-auth/plugins';
import pg from 'pg';
import type { AccountsConfig, AccountsStore } from './config.js';

/** The session cookie's name prefix: `dd_driver.session_token` (`__Secure-` in front over HTTPS). */
export const DRIVER_COOKIE_PREFIX = 'dd_driver';

/** A driver's session lasts a working day; it is stored server-side, so signing out or an operator ends it at once. */
const SESSION_SECONDS = 12 * 60 * 60;

/** Usernames: lower-case letters, digits, "-", "_" and "."; what a driver types to sign in. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

export type DriverAuth = ReturnType<typeof createAuth>['auth'];

/**
 * Better Auth over the configured store: username sign-in (username plugin), disable and session revocation (admin
 * plugin's `banned` field and its refusal to open a session for a banned user), scrypt password hashes (its
 * default), sessions as database rows (no cookie cache, so a deleted session is refused on the very next call).
 * Nobody signs up: operators create accounts (see accounts.ts), and no Better Auth route is mounted; the apps call
 * its server API.
 */
export function createAuth(config: AccountsConfig) {
  // typescript-eslint cannot resolve Better Auth's database option type (tsc can): the store is checked by tsc.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  const { database, close, pool } = openStore(config.store);
  const auth = betterAuth({
    appName: 'Durable Delivery drivers',
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    database,
    secret: config.secret,
    // Not mounted at any URL; Better Auth needs a base URL for links it never sends here (no e-mail flows).
    baseURL: 'http://localhost',
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, maxPasswordLength: 128 },
    session: { expiresIn: SESSION_SECONDS, updateAge: 60 * 60, cookieCache: { enabled: false } },
    // Sign-in is throttled by throttle.ts, per account and per client address, with an answer that says when.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: 'error' },
    advanced: {
      cookiePrefix: DRIVER_COOKIE_PREFIX,
      useSecureCookies: config.secureCookies,
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true, path: '/' },
      // Account ids become the workflow's DriverId, so they keep to the API's id pattern ([A-Za-z0-9_-]).
      database: { generateId: ({ model }) => `${model === 'user' ? 'd' : model.slice(0, 1)}-${randomUUID()}` },
    },
    plugins: [
      username({
        minUsernameLength: 2,
        maxUsernameLength: 32,
        usernameValidator: (name) => USERNAME_PATTERN.test(name),
        validationOrder: { username: 'post-normalization' },
      }),
      admin(),
    ],
  });
  return { auth, close, pool };
}

/** Creates or brings up to date the accounts tables (Better Auth's own migrations, for either store). */
export async function migrate(auth: DriverAuth): Promise<void> {
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}

function openStore(store: AccountsStore): {
  database: BetterAuthOptions['database'];
  close: () => Promise<void>;
  /** The PostgreSQL pool (also the sign-in throttle's store); none with SQLite. */
  pool?: pg.Pool;
} {
  if (store.kind === 'postgres') {
    // A database that cannot be reached fails a request in seconds (a 503 at sign-in), rather than holding it open.
    const pool = new pg.Pool({ connectionString: store.url, max: 5, connectionTimeoutMillis: 5_000 });
    // An idle connection the database drops (a restart, a failover) is reported here instead of being thrown at the
    // process; the next query opens a new one.
    pool.on('error', (error) =>
      console.error(JSON.stringify({ level: 'WARN', msg: 'accounts database connection lost', error: error.message })),
    );
    return { database: pool, close: () => pool.end(), pool };
  }
  mkdirSync(dirname(store.file), { recursive: true, mode: 0o700 });
  const db = new Database(store.file);
  chmodSync(store.file, 0o600);
  // Two processes share the file (the app and the operators' command): WAL lets one read while the other writes.
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return {
    database: db,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
