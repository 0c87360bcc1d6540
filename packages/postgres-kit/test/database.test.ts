import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { Client } from 'pg';
import { startPostgres, type Postgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { ensureDatabase } from '../src';

// ensureDatabase against a real PostgreSQL server: the one copy the notification inbox and the driver accounts use.

const USER = 'stores';
const PASSWORD = 'stores-test-password';
let postgres: Postgres | undefined;
let dir: string;
let port: number;

const startDatabase = () =>
  startPostgres({
    dataDir: join(dir, 'pg'),
    port,
    user: USER,
    password: PASSWORD,
    log: () => undefined,
    stdio: 'ignore',
  });
const urlOf = (database: string, password = PASSWORD) => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;

/** The server's databases with this name (as the catalog lists them). */
async function databasesNamed(name: string): Promise<number> {
  const admin = new Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ count: string }>('SELECT count(*) FROM pg_database WHERE datname = $1', [
      name,
    ]);
    return Number(rows[0]!.count);
  } finally {
    await admin.end();
  }
}

async function connects(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    return rows[0]!.db;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = tempDir('postgres-kit-db-');
  // PostgreSQL refuses to run as root: its own user must be let through to the cluster below.
  chmodSync(dir, 0o711);
  port = await freePort();
  postgres = await startDatabase();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
});

describe('ensureDatabase', () => {
  it('creates the database the URL names when it is missing, and leaves it alone once it exists', async () => {
    expect(await databasesNamed('inbox_one')).toBe(0);
    await ensureDatabase(urlOf('inbox_one'));
    expect(await connects(urlOf('inbox_one'))).toBe('inbox_one');

    // What it holds survives a second call (another start of the same service).
    const client = new Client({ connectionString: urlOf('inbox_one') });
    await client.connect();
    await client.query('CREATE TABLE kept (id INT)');
    await client.end();
    await ensureDatabase(urlOf('inbox_one'));
    expect(await databasesNamed('inbox_one')).toBe(1);
    const again = new Client({ connectionString: urlOf('inbox_one') });
    await again.connect();
    expect((await again.query("SELECT to_regclass('kept') IS NOT NULL AS kept")).rows).toEqual([{ kept: true }]);
    await again.end();
  });

  it('succeeds in every replica that starts at once on a missing database, which is made once', async () => {
    const replicas = Array.from({ length: 6 }, () => ensureDatabase(urlOf('accounts_raced')));
    await expect(Promise.all(replicas)).resolves.toHaveLength(6);
    expect(await databasesNamed('accounts_raced')).toBe(1);
    expect(await connects(urlOf('accounts_raced'))).toBe('accounts_raced');
  });

  it('refuses a name it would have to quote, saying which, and makes nothing', async () => {
    await expect(ensureDatabase(urlOf('my-inbox'))).rejects.toThrow(
      'cannot create the database "my-inbox": use letters, digits, "_"',
    );
    expect(await databasesNamed('my-inbox')).toBe(0);
  });

  it('throws any failure other than a missing database, such as a wrong password, as PostgreSQL gave it', async () => {
    await expect(ensureDatabase(urlOf('inbox_denied', 'a-wrong-password'))).rejects.toMatchObject({ code: '28P01' });
    expect(await databasesNamed('inbox_denied')).toBe(0);
  });

  it('fails while the server is down, and makes the database once it answers again (nothing remembered)', async () => {
    await postgres!.stop();
    postgres = undefined;
    try {
      await expect(ensureDatabase(urlOf('inbox_late'))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      postgres = await startDatabase();
    }
    await ensureDatabase(urlOf('inbox_late'));
    expect(await connects(urlOf('inbox_late'))).toBe('inbox_late');
  });
});
