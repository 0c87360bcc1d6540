import { randomBytes } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { Client } from 'pg';

/** postgres:// URLs of the databases replicas share, one database each. */
export interface StackDatabases {
  /** The driver accounts (ACCOUNTS_DATABASE_URL): sessions too, so a driver's cookie works on every replica. */
  readonly accounts: string;
  /** The apps' rate limits (RATE_LIMIT_DATABASE_URL): replicas count one client together. */
  readonly rateLimits: string;
  /** The notification service's inbox (NOTIFICATIONS_DATABASE_URL), whose changes every replica hears. */
  readonly notifications: string;
}

const DATABASES: Record<keyof StackDatabases, string> = {
  accounts: 'driver_accounts',
  rateLimits: 'rate_limits',
  notifications: 'notifications',
};

/**
 * A private PostgreSQL on a free loopback port, in `dir`, with a password made for the run and one database for
 * each store the replicas share (created here, so no process races another to make it).
 */
export async function startStackPostgres(
  dir: string,
  log: (line: string) => void,
): Promise<{ postgres: Postgres; databases: StackDatabases; restart: () => Promise<Postgres> }> {
  // As root, PostgreSQL runs as an unprivileged user, who must be let through (mkdtemp makes private directories).
  await chmod(dir, 0o711);
  const port = await freePort();
  const user = 'stack';
  const password = randomBytes(24).toString('base64url');
  // The same cluster, port and password every time: a restart keeps every database and every URL given out.
  const start = () => startPostgres({ dataDir: join(dir, 'postgres'), port, user, password, log, stdio: 'pipe' });
  const postgres = await start();
  const url = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  try {
    const admin = new Client({ connectionString: url('postgres') });
    await admin.connect();
    try {
      for (const name of Object.values(DATABASES)) await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  return {
    postgres,
    restart: start,
    databases: {
      accounts: url(DATABASES.accounts),
      rateLimits: url(DATABASES.rateLimits),
      notifications: url(DATABASES.notifications),
    },
  };
}
