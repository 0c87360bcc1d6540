// The sign-in throttle on PostgreSQL (issue 18): two replicas of the driver app, each with its own accounts handle
// and sign-in routes as its own process would build them, on one real PostgreSQL, share one budget of failures; a
// right password counts nothing; a database that is down answers 503, not 500 (to count, to check a password, or to
// open the accounts at all), and the throttle's tables are made on the first sign-in once it is back.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import {
  AccountsUnavailableError,
  driverSessionHandlers,
  loadAccountsConfig,
  openAccounts,
  openOrUnavailable,
} from '../dist/index.js';

const APP = 'http://drivers.test';
const dir = mkdtempSync(join(tmpdir(), 'accounts-shared-throttle-'));
// As root, PostgreSQL runs as its own user, which must reach its data directory.
chmodSync(dir, 0o755);
const password = 'throttle-test-password';
const port = await freePort();
const startDatabase = () =>
  startPostgres({ dataDir: join(dir, 'pgdata'), port, user: 'accounts', password, log: () => undefined });
let postgres = await startDatabase();
const serverUrl = (database) => `postgres://accounts:${password}@127.0.0.1:${port}/${database}`;

const THROTTLE = {
  perAccountFromAddress: { failures: 3, windowSeconds: 600 },
  perAccount: { failures: 10, windowSeconds: 600 },
  perAddress: { failures: 6, windowSeconds: 600 },
};
const opened = [];

/** One replica of the driver app: its own accounts handle (its own pool) and its own sign-in routes. */
async function replica(database) {
  const accounts = await openAccounts(
    loadAccountsConfig({ ACCOUNTS_DATABASE_URL: serverUrl(database), ACCOUNTS_SECRET: 'x'.repeat(32) }),
  );
  opened.push(accounts);
  const routes = driverSessionHandlers(accounts, {
    addressOf: (headers) => headers.get('x-test-address') ?? 'unknown',
    throttle: THROTTLE,
  });
  return { accounts, signIn: (body, address) => routes.signIn(post(body, address)) };
}

function post(body, address) {
  return new Request(`${APP}/api/session`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      host: 'drivers.test',
      origin: APP,
      'sec-fetch-site': 'same-origin',
      'x-test-address': address,
    },
  });
}

async function query(database, text, values = []) {
  const client = new pg.Client({ connectionString: serverUrl(database) });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

after(async () => {
  for (const accounts of opened) await accounts.close().catch(() => undefined);
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sign-in throttle shared in PostgreSQL', () => {
  let first;
  let second;
  before(async () => {
    first = await replica('driver_accounts');
    second = await replica('driver_accounts');
  });

  it('counts failures through both replicas against one budget: the 4th, through the second, is refused', async () => {
    const { password: secret } = await first.accounts.addDriver({ username: 'shared-budget', name: 'Driver' });
    const guesser = '198.51.100.1';
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const through = attempt % 2 ? second : first;
      statuses.push(
        (await through.signIn({ username: 'shared-budget', password: `guess-${attempt}-x` }, guesser)).status,
      );
    }
    // Per process, each replica would have allowed 3: 6 guesses, not 3.
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const right = await first.signIn({ username: 'shared-budget', password: secret }, guesser);
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    // The counts are rows in the accounts database, not in either process.
    const rows = await query('driver_accounts', 'SELECT points FROM sign_in_account_address WHERE key = $1', [
      `sign-in-account-address:shared-budget|${guesser}`,
    ]);
    assert.deepEqual(rows, [{ points: 3 }]);
    // A driver elsewhere still signs in, through either replica.
    assert.equal((await second.signIn({ username: 'shared-budget', password: secret }, '198.51.100.2')).status, 200);
  });

  it('counts the account’s failures from many addresses together across replicas', async () => {
    await first.accounts.addDriver({ username: 'spread-out', name: 'Driver' });
    const statuses = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const through = attempt % 2 ? second : first;
      const response = await through.signIn(
        { username: 'spread-out', password: `guess-${attempt}-x` },
        `203.0.113.${10 + attempt}`,
      );
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
  });

  it('counts nothing for a right password, whichever replica answers', async () => {
    const { password: secret } = await first.accounts.addDriver({ username: 'right-every-time', name: 'Driver' });
    const address = '192.0.2.50';
    for (let attempt = 0; attempt < 8; attempt++) {
      const through = attempt % 2 ? second : first;
      assert.equal((await through.signIn({ username: 'right-every-time', password: secret }, address)).status, 200);
    }
    for (const [table, key] of [
      ['sign_in_account_address', `sign-in-account-address:right-every-time|${address}`],
      ['sign_in_account', 'sign-in-account:right-every-time'],
      ['sign_in_address', `sign-in-address:${address}`],
    ]) {
      assert.deepEqual(await query('driver_accounts', `SELECT points FROM ${table} WHERE key = $1`, [key]), [], table);
    }
  });
});

describe('sign-in while the accounts database is down', () => {
  it('answers 503 with a reason and Retry-After, then makes the throttle’s tables on the first sign-in once it is back', async () => {
    // A new database: this replica has made no throttle table yet (they are made at its first sign-in).
    const app = await replica('driver_accounts_outage');
    const { password: secret } = await app.accounts.addDriver({ username: 'outage', name: 'Driver' });
    await postgres.stop();
    try {
      for (const body of [
        { username: 'outage', password: secret },
        { username: 'outage', password: 'a-wrong-password' },
      ]) {
        const down = await app.signIn(body, '198.51.100.60');
        assert.equal(down.status, 503);
        assert.equal(down.headers.get('retry-after'), '30');
        assert.match((await down.json()).message, /accounts database did not answer/);
        assert.equal(down.headers.getSetCookie().length, 0);
      }
    } finally {
      postgres = await startDatabase();
    }
    const wrong = await app.signIn({ username: 'outage', password: 'a-wrong-password' }, '198.51.100.60');
    assert.equal(wrong.status, 401);
    const rows = await query('driver_accounts_outage', 'SELECT points FROM sign_in_account WHERE key = $1', [
      'sign-in-account:outage',
    ]);
    assert.deepEqual(rows, [{ points: 1 }]);
    assert.equal((await app.signIn({ username: 'outage', password: secret }, '198.51.100.60')).status, 200);
  });

  it('a session lookup fails as AccountsUnavailableError (not signed out, not a bare error), and finds the driver once it is back', async () => {
    const app = await replica('driver_accounts_lookup');
    const { password: secret } = await app.accounts.addDriver({ username: 'lookup', name: 'Lookup' });
    const signedIn = await app.signIn({ username: 'lookup', password: secret }, '198.51.100.80');
    assert.equal(signedIn.status, 200);
    const headers = new Headers({
      cookie: signedIn.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    });
    const driver = await app.accounts.driverFor(headers);
    assert.equal(driver?.name, 'Lookup');
    const config = loadAccountsConfig({
      ACCOUNTS_DATABASE_URL: serverUrl('driver_accounts_lookup'),
      ACCOUNTS_SECRET: 'x'.repeat(32),
    });
    await postgres.stop();
    try {
      await assert.rejects(
        app.accounts.driverFor(headers),
        // The store's own reason, not Better Auth's "Failed to get session".
        (error) => error instanceof AccountsUnavailableError && /ECONNREFUSED/.test(error.message),
      );
      // No cookie: nobody to look up, so no database needed.
      assert.equal(await app.accounts.driverFor(new Headers()), undefined);
      // Opening them while it is down is the same error (the driver app's first request after a start).
      await assert.rejects(
        openOrUnavailable(() => openAccounts(config)),
        (error) => error instanceof AccountsUnavailableError && /could not be opened/.test(error.message),
      );
    } finally {
      postgres = await startDatabase();
    }
    assert.deepEqual(await app.accounts.driverFor(headers), driver);
  });

  it('answers 503 while the accounts cannot even be opened, and opens them at the next sign-in once it is back', async () => {
    const config = loadAccountsConfig({
      ACCOUNTS_DATABASE_URL: serverUrl('driver_accounts_late'),
      ACCOUNTS_SECRET: 'x'.repeat(32),
    });
    // As the driver app opens them: at the first request, and again after a failure.
    let pending;
    const open = () =>
      (pending ??= openAccounts(config).then(
        (accounts) => (opened.push(accounts), accounts),
        (error) => {
          pending = undefined;
          throw error;
        },
      ));
    const routes = driverSessionHandlers(open, { addressOf: () => '198.51.100.70', throttle: THROTTLE });
    await postgres.stop();
    try {
      const down = await routes.signIn(post({ username: 'late', password: 'a-wrong-password' }, '198.51.100.70'));
      assert.equal(down.status, 503);
      assert.match((await down.json()).message, /accounts database did not answer/);
      const form = await routes.signIn(
        new Request(`${APP}/api/session`, {
          method: 'POST',
          body: new URLSearchParams({ username: 'late', password: 'a-wrong-password' }).toString(),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: APP,
            'sec-fetch-site': 'same-origin',
          },
        }),
      );
      assert.equal(form.status, 303);
      assert.match(form.headers.get('location'), /^\/signin\?error=unavailable&/);
      const signOut = await routes.signOut(
        new Request(`${APP}/api/session/sign-out`, { method: 'POST', headers: { origin: APP } }),
      );
      assert.equal(signOut.status, 503);
      assert.match(await signOut.text(), /your session is still open/);
    } finally {
      postgres = await startDatabase();
    }
    const { password: secret } = await (await open()).addDriver({ username: 'late', name: 'Driver' });
    const wrong = await routes.signIn(post({ username: 'late', password: 'a-wrong-password' }, '198.51.100.70'));
    assert.equal(wrong.status, 401);
    const right = await routes.signIn(post({ username: 'late', password: secret }, '198.51.100.70'));
    assert.equal(right.status, 200);
  });
});
