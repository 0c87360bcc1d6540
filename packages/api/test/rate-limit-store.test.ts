import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { Client } from 'pg';
import { startPostgres, type Postgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { loadAppConfig } from '../src/server';
import { limitedApi } from '../src/server/limits';

// RATE_LIMIT_STORE=postgres: replicas of an app count one client's calls together, in a real PostgreSQL.

let postgres: Postgres | undefined;
let dir: string;
let url: string;
let port: number;

const startDatabase = () =>
  startPostgres({
    dataDir: join(dir, 'pg'),
    port,
    user: 'limits',
    password: 'limits-test-password',
    log: () => undefined,
    stdio: 'ignore',
  });

beforeAll(async () => {
  dir = tempDir('api-rate-limits-');
  // PostgreSQL refuses to run as root: its own user must be let through to the cluster below.
  chmodSync(dir, 0o711);
  port = await freePort();
  postgres = await startDatabase();
  url = `postgres://limits:limits-test-password@127.0.0.1:${port}/postgres`;
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
});

/** A new replica: its own process state (the counters' registry is per process, found through globalThis). */
function replica() {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('durable-delivery.api-limits')];
  const config = loadAppConfig({
    SESSION_SECRET: 'x'.repeat(32),
    RATE_LIMIT_STORE: 'postgres',
    RATE_LIMIT_DATABASE_URL: url,
    RATE_LIMIT_QUERIES: '4/60s',
  });
  return limitedApi(
    config,
    (request) => Promise.resolve(request.headers.get('x-test-client') ?? undefined),
    () => Promise.resolve(Response.json({ result: { data: 'ok' } })),
  );
}

const call = (client = 'c-shared') =>
  new Request('http://menu.test/api/trpc/orders.order', {
    headers: { 'x-forwarded-for': '192.0.2.7', 'x-test-client': client },
  });

/**
 * Until a replica's limiter has made its table, it counts in memory (its insurance): call as `client` until the
 * database holds that client's row, so the replica is known to count there.
 */
async function countsInDatabase(handler: ReturnType<typeof replica>, client: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      await handler(call(client));
      const exists = await db.query<{ made: boolean }>("SELECT to_regclass('rate_limits_q') IS NOT NULL AS made");
      if (exists.rows[0]?.made) {
        const { rowCount } = await db.query('SELECT 1 FROM rate_limits_q WHERE key = $1', [`dd_q:${client}`]);
        if (rowCount) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the replica never counted in PostgreSQL');
  } finally {
    await db.end();
  }
}

it('shares one client’s budget between replicas through PostgreSQL', async () => {
  const first = replica();
  await countsInDatabase(first, 'c-first');
  const second = replica();
  await countsInDatabase(second, 'c-second');
  const statuses: number[] = [];
  for (let index = 0; index < 6; index += 1) statuses.push((await (index % 2 ? first : second)(call())).status);
  // Four per minute in all, whichever replica answers.
  expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
}, 120_000);

it('makes its tables once a database that was down when the replica started answers', async () => {
  const db = new Client({ connectionString: url });
  await db.connect();
  await db.query('DROP TABLE IF EXISTS rate_limits_q, rate_limits_qa, rate_limits_m, rate_limits_ma');
  await db.end();
  await postgres?.stop();
  let late: ReturnType<typeof replica>;
  try {
    late = replica();
    // Meanwhile it limits in memory (its insurance): answered, not failed.
    expect((await late(call('c-meanwhile'))).status).toBe(200);
  } finally {
    postgres = await startDatabase();
  }
  // The library tries to make its table once, at start; this replica tries again until it is made.
  await countsInDatabase(late, 'c-late');
}, 120_000);
