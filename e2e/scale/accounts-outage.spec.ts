import type { Stack } from '@durable-delivery/stack';
import { expect, httpStatusError, test } from '../harness/console-guard';
import { newPerson, signInDriver } from '../harness/app';
import { Person, queryPath, send } from './client';
import { startOwnStack } from './own-stack';

/*
 * The drivers' accounts on PostgreSQL, and that database down while a driver is signed in (issue 18): the driver
 * app answers its pages and its API with a 503 that says so (the proxy, before anything renders, and the tRPC
 * route), never a 500 and never as if the driver were signed out or someone else; once the database is back, the
 * same server process answers as before. A stack of its own (the production build of the driver app, the shared
 * PostgreSQL that the stack can stop and start), like the replicas spec beside it.
 */

const MESSAGE =
  'Driver accounts are unavailable for a moment: the accounts database did not answer. Try again in a minute.';
const LIST = queryPath('deliveries.mine', { limit: 20 });

let stack: Stack;
/** Processes that exited while nobody asked them to: the app must ride the outage out. */
const unexpectedExits: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(300_000);
  stack = await startOwnStack({ label: 'accounts-outage', parts: ['driver'], postgres: true }, unexpectedExits);
});

test.afterAll(async () => {
  // A failed test may leave the database stopped: start it, so the stack stops as it started.
  await stack?.sharedPostgres?.start();
  await stack?.stop();
});

test('while the accounts database is down, a signed-in driver’s pages and API calls answer 503 and say why; then work again', async ({
  browser,
  consoleErrors,
}) => {
  test.setTimeout(300_000);
  const app = stack.app('driver');
  const postgres = stack.sharedPostgres;
  if (!postgres) throw new Error('the stack runs no shared PostgreSQL');
  const login = await stack.createDriver('outage-driver', 'Olu');

  // Signed in through the sign-in form, in a browser.
  const person = await newPerson(browser, app.url);
  await signInDriver(person.page, 'olu', login);
  // The same session, for plain HTTP requests (status codes and headers as they are sent).
  const driver = new Person('Olu');
  const signedIn = await send(driver, app.url, '/api/session', {
    method: 'POST',
    json: { username: login.username, password: login.password },
  });
  expect(signedIn.status, signedIn.body).toBe(200);
  const cookies = driver.cookieHeader();

  const before = await send(driver, app.url, LIST);
  expect(before.status, before.body).toBe(200);

  await postgres.stop();
  try {
    // A page: a 503 page of the app's own that says why, not Next's 500 and not the sign-in page (signed out).
    const page = await fetch(new URL('/', app.url), { headers: { cookie: cookies }, redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('30');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<h1>Driver accounts are unavailable</h1>');
    expect(html).toContain(MESSAGE);
    expect(page.headers.getSetCookie(), 'the session cookie is kept').toEqual([]);

    // The API, a query and a mutation: tRPC's error shape, as the board shows any refusal.
    const query = await fetch(new URL(LIST, app.url), { headers: { cookie: cookies } });
    const mutation = await fetch(new URL('/api/trpc/deliveries.pickUp', app.url), {
      method: 'POST',
      headers: { cookie: cookies, 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'some-order' }),
    });
    for (const answer of [query, mutation]) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('30');
      expect(await answer.json()).toEqual({
        error: { message: MESSAGE, code: -32603, data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } },
      });
    }

    // A visitor with no session cookie needs no lookup: the sign-in page shows, and signing in says why it cannot.
    const stranger = await fetch(new URL('/signin', app.url), { redirect: 'manual' });
    expect(stranger.status).toBe(200);
    const signIn = await send(new Person('someone'), app.url, '/api/session', {
      method: 'POST',
      json: { username: login.username, password: login.password },
    });
    expect(signIn.status).toBe(503);
    expect(signIn.body).toContain('Sign-in is unavailable for a moment');

    // In the browser: the page says why, readably.
    consoleErrors.allow(httpStatusError(503));
    const shown = await person.page.goto('/');
    expect(shown?.status()).toBe(503);
    await expect(person.page.getByRole('heading', { name: 'Driver accounts are unavailable' })).toBeVisible();
    await expect(person.page.getByText(MESSAGE)).toBeVisible();

    // The probes do not depend on the accounts' database: the process is alive.
    const health = await fetch(new URL('/api/healthz', app.url));
    expect(health.status).toBe(200);
  } finally {
    await postgres.start();
  }

  // Back, with no restart: the same session, the same process.
  await expect.poll(async () => (await send(driver, app.url, LIST)).status, { timeout: 60_000 }).toBe(200);
  await person.page.goto('/');
  await expect(person.page.getByTestId('driver-name')).toHaveText('Olu');
  await person.context.close();
  expect(unexpectedExits, 'processes that died by themselves').toEqual([]);
});
