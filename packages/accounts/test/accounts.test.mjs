// The accounts module on a real SQLite file and on a real PostgreSQL (a private cluster started here, as
// tooling/temporal-cluster starts Temporal's): operators' actions, sign-in, server-side sessions and their
// revocation. Runs on the build (dist), as the app does.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPostgres } from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { AccountsError, loadAccountsConfig, openAccounts } from '../dist/index.js';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';

/** The Cookie header a browser would send back for a response's Set-Cookie headers. */
function cookieOf(setCookies) {
  return setCookies.map((header) => header.split(';')[0]).join('; ');
}

const dir = mkdtempSync(join(tmpdir(), 'accounts-test-'));
// As root, PostgreSQL runs as its own user, which must reach its data directory.
chmodSync(dir, 0o755);
const password = 'accounts-test-password';
const postgres = await startPostgres({
  dataDir: join(dir, 'pgdata'),
  port: await freePort(),
  user: 'accounts',
  password,
  log: () => undefined,
});
const list = [
  { label: 'SQLite file', url: join(dir, 'accounts', 'accounts.db') },
  // A database that does not exist yet: opening the accounts creates it, as in the compose stack.
  { label: 'PostgreSQL', url: `postgres://accounts:${password}@127.0.0.1:${postgres.port}/driver_accounts` },
];
after(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const store of list) {
  describe(`driver accounts (${store.label})`, () => {
    let accounts;
    const unique = (name) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
    before(async () => {
      accounts = await openAccounts(loadAccountsConfig({ ACCOUNTS_DATABASE_URL: store.url, ACCOUNTS_SECRET: SECRET }));
    });
    after(() => accounts.close());

    it('creates a driver whose id fits the API id pattern, with a generated password, and signs them in', async () => {
      const username = unique('dana');
      const { driver, password } = await accounts.addDriver({ username: username.toUpperCase(), name: 'Dana' });
      assert.equal(driver.username, username);
      assert.equal(driver.name, 'Dana');
      assert.match(driver.id, /^[A-Za-z0-9_-]{1,128}$/);
      assert.ok(password.length >= 20);
      const signedIn = await accounts.signIn(username, password);
      assert.equal(signedIn.ok, true);
      const cookie = cookieOf(signedIn.setCookies);
      assert.match(cookie, /^dd_driver\.session_token=/);
      assert.deepEqual(await accounts.driverFor(new Headers({ cookie })), { id: driver.id, name: 'Dana' });
    });

    it('stores a memory-hard hash (scrypt), never the password', async () => {
      const username = unique('hash');
      const { password } = await accounts.addDriver({ username, name: 'Hash' });
      const rows = await storedPasswords(store.url);
      assert.ok(rows.length > 0);
      for (const { password: stored } of rows) {
        assert.ok(!stored.includes(password));
        // Better Auth's scrypt format: hex salt, ':', hex key (N=16384, r=16: 32 MiB per hash).
        assert.match(stored, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
      }
    });

    it('refuses a wrong password, an unknown username and a duplicate, with messages for people', async () => {
      const username = unique('eli');
      await accounts.addDriver({ username, name: 'Eli', password: 'eli-password-123' });
      assert.deepEqual(await accounts.signIn(username, 'wrong-password-1'), { ok: false, reason: 'invalid' });
      assert.deepEqual(await accounts.signIn(unique('nobody'), 'eli-password-123'), { ok: false, reason: 'invalid' });
      await assert.rejects(accounts.addDriver({ username, name: 'Eli again' }), (error) => {
        assert.ok(error instanceof AccountsError);
        assert.match(error.message, /already exists/);
        return true;
      });
      await assert.rejects(accounts.addDriver({ username: 'no spaces!', name: 'X' }), /not a valid username/);
      await assert.rejects(accounts.addDriver({ username: unique('short'), name: 'X', password: 'short' }), /12-128/);
      await assert.rejects(accounts.setDisabled(unique('ghost'), true), /No driver has the username/);
    });

    it('ends the session on sign-out: the same cookie is refused afterwards', async () => {
      const username = unique('sam');
      const { password } = await accounts.addDriver({ username, name: 'Sam' });
      const signedIn = await accounts.signIn(username, password);
      const headers = new Headers({ cookie: cookieOf(signedIn.setCookies) });
      assert.ok(await accounts.driverFor(headers));
      const cleared = await accounts.signOut(headers);
      assert.ok(cleared.some((header) => /session_token=;/.test(header) && /Max-Age=0/i.test(header)));
      assert.equal(await accounts.driverFor(headers), undefined);
    });

    it('lets an operator end every session, disable (refused even with the right password), enable and reset', async () => {
      const username = unique('ola');
      const { driver, password } = await accounts.addDriver({ username, name: 'Ola' });
      const first = new Headers({ cookie: cookieOf((await accounts.signIn(username, password)).setCookies) });
      const second = new Headers({ cookie: cookieOf((await accounts.signIn(username, password)).setCookies) });
      assert.equal(await accounts.signOutEverywhere(username), 2);
      assert.equal(await accounts.driverFor(first), undefined);
      assert.equal(await accounts.driverFor(second), undefined);

      const live = new Headers({ cookie: cookieOf((await accounts.signIn(username, password)).setCookies) });
      assert.equal((await accounts.setDisabled(username, true)).disabled, true);
      assert.equal(await accounts.driverFor(live), undefined);
      assert.deepEqual(await accounts.signIn(username, password), { ok: false, reason: 'disabled' });
      assert.equal((await accounts.setDisabled(username, false)).disabled, false);
      assert.equal((await accounts.signIn(username, password)).ok, true);

      const reset = await accounts.resetPassword(username);
      assert.notEqual(reset.password, password);
      assert.deepEqual(await accounts.signIn(username, password), { ok: false, reason: 'invalid' });
      assert.equal((await accounts.signIn(username, reset.password)).ok, true);
      const listed = (await accounts.list()).find((account) => account.id === driver.id);
      assert.equal(listed?.username, username);
    });

    it('refuses a forged or tampered session cookie', async () => {
      const username = unique('tam');
      const { password } = await accounts.addDriver({ username, name: 'Tam' });
      const cookie = cookieOf((await accounts.signIn(username, password)).setCookies);
      const tampered = cookie.replace(/.(?=$)/, (last) => (last === 'A' ? 'B' : 'A'));
      for (const forged of [tampered, 'dd_driver.session_token=forged', `dd_driver.session_token=${username}`]) {
        assert.equal(await accounts.driverFor(new Headers({ cookie: forged })), undefined);
      }
    });
  });
}

/** The password column of every credential account, read straight from the store. */
async function storedPasswords(url) {
  if (url.startsWith('postgres://')) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query('SELECT password FROM account WHERE password IS NOT NULL')).rows;
    } finally {
      await client.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url, { readonly: true });
  try {
    return db.prepare('SELECT password FROM account WHERE password IS NOT NULL').all();
  } finally {
    db.close();
  }
}

describe('accounts configuration', () => {
  it('names what is missing, and takes a postgres URL or a file path', () => {
    assert.throws(
      () => loadAccountsConfig({}),
      /ACCOUNTS_DATABASE_URL: is required[\s\S]*ACCOUNTS_SECRET: is required/,
    );
    assert.throws(() => loadAccountsConfig({ ACCOUNTS_DATABASE_URL: 'x.db', ACCOUNTS_SECRET: 'short' }), /at least 32/);
    const pg = loadAccountsConfig({ ACCOUNTS_DATABASE_URL: 'postgres://u@h/db', ACCOUNTS_SECRET: SECRET });
    assert.deepEqual(pg.store, { kind: 'postgres', url: 'postgres://u@h/db' });
    const file = loadAccountsConfig({ ACCOUNTS_DATABASE_URL: 'file:/tmp/a.db' }, { needsSecret: false });
    assert.deepEqual(file.store, { kind: 'sqlite', file: '/tmp/a.db' });
    assert.equal(
      loadAccountsConfig({ ACCOUNTS_DATABASE_URL: '/a.db', ACCOUNTS_SECRET: SECRET, NODE_ENV: 'production' })
        .secureCookies,
      true,
    );
  });
});
