// The driver app's sign-in and sign-out routes (driverSessionHandlers) on a real SQLite file: body types, login
// CSRF, the form without JavaScript, throttling per account and per address, and revocation on sign-out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { driverSessionHandlers, loadAccountsConfig, openAccounts } from '../dist/index.js';

const APP = 'http://drivers.test';
const dir = mkdtempSync(join(tmpdir(), 'accounts-sign-in-'));
let accounts;
let routes;
let seq = 0;
const unique = (name) => `${name}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

before(async () => {
  accounts = await openAccounts(
    loadAccountsConfig({ ACCOUNTS_DATABASE_URL: join(dir, 'accounts.db'), ACCOUNTS_SECRET: 'x'.repeat(32) }),
  );
  routes = driverSessionHandlers(accounts, {
    // The app's rule is @durable-delivery/api's clientAddress; here, the header the test sets, so a test can be
    // sure the throttle counts by the address the app names and by nothing of its own.
    addressOf: (headers) => headers.get('x-test-address') ?? 'unknown',
    throttle: {
      perAccountFromAddress: { failures: 5, windowSeconds: 600 },
      perAccount: { failures: 12, windowSeconds: 600 },
      perAddress: { failures: 8, windowSeconds: 600 },
    },
  });
});
after(async () => {
  await accounts.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sign-in POST as a browser on the app's own page would send it, unless `headers` says otherwise. */
function post(body, { form = false, address = '203.0.113.1', headers = {} } = {}) {
  return routes.signIn(
    new Request(`${APP}/api/session`, {
      method: 'POST',
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
      // A header given as undefined is left out.
      headers: Object.entries({
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
        host: 'drivers.test',
        origin: APP,
        'sec-fetch-site': 'same-origin',
        'x-test-address': address,
        ...headers,
      }).filter(([, value]) => value !== undefined),
    }),
  );
}

const cookieOf = (response) =>
  response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');

async function aDriver() {
  const username = unique('drv');
  const { driver, password } = await accounts.addDriver({ username, name: 'Driver' });
  return { ...driver, password };
}

describe('sign-in', () => {
  it('signs in from the script (JSON) and from the form without JavaScript (a redirect to the board)', async () => {
    const driver = await aDriver();
    const json = await post({ username: driver.username, password: driver.password });
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), { driver: { id: driver.id, name: 'Driver' } });
    assert.ok(await accounts.driverFor(new Headers({ cookie: cookieOf(json) })));

    const form = await post({ username: driver.username, password: driver.password }, { form: true });
    assert.equal(form.status, 303);
    assert.equal(form.headers.get('location'), '/');
    const cookie = form.headers.getSetCookie().find((header) => header.startsWith('dd_driver.session_token='));
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
  });

  it('sends a failed form back to the sign-in page with a reason and the username, never the password', async () => {
    const driver = await aDriver();
    const wrong = await post({ username: driver.username, password: 'a-wrong-password' }, { form: true });
    assert.equal(wrong.status, 303);
    const location = wrong.headers.get('location');
    assert.equal(location, `/signin?error=invalid&username=${driver.username}`);
    assert.ok(!location.includes('a-wrong-password'));
    assert.equal(wrong.headers.getSetCookie().length, 0);
    const empty = await post({ username: '', password: '' }, { form: true });
    assert.equal(empty.headers.get('location'), '/signin?error=missing');
  });

  it('refuses a wrong password with 401 and a reason; a bad JSON form with 400 naming each field', async () => {
    const driver = await aDriver();
    const wrong = await post({ username: driver.username, password: 'a-wrong-password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { message: 'That username and password do not match an account.' });
    const bad = await post({ username: '', password: '' });
    assert.equal(bad.status, 400);
    assert.deepEqual((await bad.json()).fieldErrors, { username: ['is required'], password: ['is required'] });
    // The passcode era's form signs nobody in.
    const passcode = await post({ name: driver.username, passcode: driver.password });
    assert.equal(passcode.status, 400);
  });

  it('accepts only JSON or a URL-encoded form, and only from its own origin (login CSRF)', async () => {
    const driver = await aDriver();
    const body = { username: driver.username, password: driver.password };
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', '']) {
      const response = await post(body, { headers: { 'content-type': type } });
      assert.equal(response.status, 415, type);
      assert.equal(response.headers.getSetCookie().length, 0);
    }
    const foreign = await post(body, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.getSetCookie().length, 0);
    const foreignForm = await post(body, { form: true, headers: { origin: 'https://evil.example' } });
    assert.equal(foreignForm.status, 303);
    assert.equal(foreignForm.headers.get('location'), '/signin?error=origin');
    assert.equal(foreignForm.headers.getSetCookie().length, 0);
    const sameSite = await post(body, {
      headers: { origin: 'http://other.drivers.test', 'sec-fetch-site': 'same-site' },
    });
    assert.equal(sameSite.status, 403);
    // A non-browser client (no Origin, no Sec-Fetch-Site) cannot be another site's page.
    const script = await post(body, { headers: { origin: undefined, 'sec-fetch-site': undefined } });
    assert.equal(script.status, 200);
  });

  it('throttles guessing one account from one address: after 5 failures, 429 with Retry-After, the right password waits too', async () => {
    const driver = await aDriver();
    const guesser = '198.51.100.1';
    const statuses = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await post(
        { username: driver.username, password: `guess-${attempt}-xxxx` },
        { address: guesser },
      );
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const right = await post({ username: driver.username, password: driver.password }, { address: guesser });
    assert.equal(right.status, 429);
    const retryAfter = Number(right.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.match((await right.json()).message, /^Too many failed sign-ins\. Try again in \d+ minutes?\.$/);
    assert.equal(right.headers.getSetCookie().length, 0);
    const form = await post({ username: driver.username, password: driver.password }, { form: true, address: guesser });
    assert.match(form.headers.get('location'), /^\/signin\?error=throttled&username=[^&]+&retryAfter=\d+$/);
  });

  it('does not lock the driver out: guesses from one address leave the driver, elsewhere, free to sign in', async () => {
    const driver = await aDriver();
    for (let attempt = 0; attempt < 6; attempt++)
      await post({ username: driver.username, password: `guess-${attempt}-xxxx` }, { address: '198.51.100.2' });
    const atWork = await post({ username: driver.username, password: driver.password }, { address: '198.51.100.3' });
    assert.equal(atWork.status, 200);
  });

  it('bounds guessing one account spread over many addresses: past its budget, 429 from everywhere', async () => {
    const driver = await aDriver();
    const statuses = [];
    for (let attempt = 0; attempt < 14; attempt++) {
      // A new address each time: only the account's own budget (12 here) counts them together.
      const response = await post(
        { username: driver.username, password: `guess-${attempt}-xxxx` },
        { address: `198.51.100.${10 + attempt}` },
      );
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [...Array(12).fill(401), 429, 429]);
    const right = await post({ username: driver.username, password: driver.password }, { address: '198.51.100.99' });
    assert.equal(right.status, 429);
  });

  it('throttles one address guessing many accounts', async () => {
    const address = '192.0.2.7';
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await post({ username: unique('nobody'), password: 'guess-xxxxxxxx' }, { address });
      assert.equal(response.status, 401);
    }
    const driver = await aDriver();
    const blocked = await post({ username: driver.username, password: driver.password }, { address });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    const elsewhere = await post({ username: driver.username, password: driver.password }, { address: '192.0.2.8' });
    assert.equal(elsewhere.status, 200);
  });

  it('counts in this process’s memory with SQLite (one process): no throttle table in the accounts file', async () => {
    const driver = await aDriver();
    const statuses = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await post(
        { username: driver.username, password: `guess-${attempt}-xxxx` },
        { address: '192.0.2.90' },
      );
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const db = new Database(join(dir, 'accounts.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sign_in%'").all();
      assert.deepEqual(tables, []);
    } finally {
      db.close();
    }
  });
});

/** The Sign out button's form POST. */
const signOutForm = (headers) =>
  new Request(`${APP}/api/session/sign-out`, {
    method: 'POST',
    body: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'drivers.test', ...headers },
  });

describe('sign-out', () => {
  it('ends the session in the database: the old cookie, replayed, names nobody', async () => {
    const driver = await aDriver();
    const cookie = cookieOf(await post({ username: driver.username, password: driver.password }));
    const headers = new Headers({ cookie });
    assert.ok(await accounts.driverFor(headers));
    const out = await routes.signOut(signOutForm({ cookie, origin: APP, 'sec-fetch-site': 'same-origin' }));
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/signin');
    assert.ok(out.headers.getSetCookie().some((header) => /^dd_driver\.session_token=;/.test(header)));
    assert.equal(await accounts.driverFor(new Headers({ cookie })), undefined);
  });

  it("refuses a sign-out another site's page sends (logout CSRF): the session lives on", async () => {
    const driver = await aDriver();
    const cookie = cookieOf(await post({ username: driver.username, password: driver.password }));
    for (const headers of [
      { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { cookie, origin: 'https://evil.example' },
    ]) {
      const refused = await routes.signOut(signOutForm(headers));
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.getSetCookie().length, 0);
    }
    assert.ok(await accounts.driverFor(new Headers({ cookie })));
  });
});
