import { type APIRequestContext, type BrowserContext } from '@playwright/test';
import { expect, test } from '../harness/console-guard';
import {
  alertIn,
  deliveryCard,
  newDriver,
  newPerson,
  orderIdOnPage,
  placeOrder,
  signInDriver,
  urls,
  type DriverLogin,
} from '../harness/app';

/** A tRPC mutation of the driver app from a person's browser context (its cookies), as the page's script sends it. */
async function driverCall(request: APIRequestContext, procedure: string, input: unknown) {
  const response = await request.post(`/api/trpc/${procedure}`, {
    data: input,
    headers: { origin: new URL(urls().driver).origin, 'sec-fetch-site': 'same-origin' },
  });
  return { status: response.status(), text: await response.text() };
}

/** What would tell one driver who another driver is. */
const namesOf = (driver: DriverLogin) => [driver.id, driver.username, driver.name];

async function sessionCookies(context: BrowserContext) {
  return (await context.cookies()).filter((cookie) => cookie.name.includes('dd_driver.session_token'));
}

test('two drivers with their own accounts each see only their own deliveries; a wrong-driver answer names no one', async ({
  browser,
}) => {
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 1 } });
  const danasOrder = await orderIdOnPage(customer.page);
  await placeOrder(customer.page, { dishes: { 'Shoyu ramen': 1 } });
  const elisOrder = await orderIdOnPage(customer.page);

  const danaPerson = await newPerson(browser, urls().driver);
  const eliPerson = await newPerson(browser, urls().driver);
  // The board greets each by their display name (signInDriver waits for it), not by a typed name.
  const dana = await signInDriver(danaPerson.page, 'dana');
  const eli = await signInDriver(eliPerson.page, 'eli');
  expect(dana.id).not.toBe(eli.id);

  for (const [person, orderId] of [
    [danaPerson, danasOrder],
    [eliPerson, elisOrder],
  ] as const) {
    await deliveryCard(person.page, 'waiting', orderId)
      .getByRole('button', { name: /^Pick up/ })
      .click();
    await expect(deliveryCard(person.page, 'mine', orderId)).toBeVisible();
  }
  await expect(deliveryCard(danaPerson.page, 'mine', elisOrder)).toHaveCount(0);
  await expect(deliveryCard(eliPerson.page, 'mine', danasOrder)).toHaveCount(0);

  // Eli tries Dana's order every way the API offers: refused, and told only that another driver has it.
  const request = eliPerson.context.request;
  const deliver = await driverCall(request, 'deliveries.deliver', { orderId: danasOrder });
  const pickUp = await driverCall(request, 'deliveries.pickUp', { orderId: danasOrder });
  expect(deliver.status).toBe(409);
  expect(pickUp.status).toBe(409);
  expect(deliver.text).toContain('picked up by another driver');
  expect(pickUp.text).toContain('already picked up by another driver');
  for (const answer of [deliver.text, pickUp.text]) {
    for (const name of namesOf(dana)) expect(answer).not.toContain(name);
  }
  // The lists answer each driver with their own orders only.
  const mine = await eliPerson.context.request.get(
    `/api/trpc/deliveries.mine?input=${encodeURIComponent(JSON.stringify({ limit: 50 }))}`,
  );
  const mineText = await mine.text();
  expect(mineText).toContain(elisOrder);
  expect(mineText).not.toContain(danasOrder);
  for (const name of namesOf(dana)) expect(mineText).not.toContain(name);

  for (const person of [customer, danaPerson, eliPerson]) await person.context.close();
});

test('signing out ends the session on the server: the old cookie, replayed, is refused', async ({ browser }) => {
  const person = await newPerson(browser, urls().driver);
  await signInDriver(person.page, 'sol');
  const oldCookies = await sessionCookies(person.context);
  expect(oldCookies).toHaveLength(1);

  await person.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(person.page).toHaveURL(/\/signin$/);

  // Someone who kept a copy of the cookie (a shared phone, a stolen backup) gets nothing with it.
  const replay = await browser.newContext({ baseURL: urls().driver });
  await replay.addCookies(oldCookies);
  const page = await replay.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
  const call = await driverCall(replay.request, 'deliveries.pickUp', { orderId: 'any' });
  expect(call.status).toBe(401);
  const list = await replay.request.get(`/api/trpc/deliveries.waiting?input=${encodeURIComponent('{}')}`);
  expect(list.status()).toBe(401);
  await replay.close();
  await person.context.close();
});

test('signing out lets a board refresh already on its way finish first: no request of the ended session is refused', async ({
  browser,
}) => {
  const person = await newPerson(browser, urls().driver);
  await signInDriver(person.page, 'leaving');
  // The board's next refresh is held on its way (a slow network, a busy server) while the driver signs out.
  let releaseRefresh!: () => void;
  const released = new Promise<void>((resolve) => (releaseRefresh = resolve));
  let refreshHeld!: () => void;
  const held = new Promise<void>((resolve) => (refreshHeld = resolve));
  const refreshAnswers: number[] = [];
  await person.page.route('**/api/trpc/deliveries.*', async (route) => {
    refreshHeld();
    await released;
    const response = await route.fetch();
    refreshAnswers.push(response.status());
    await route.fulfill({ response });
  });
  const signOutPosts: string[] = [];
  person.page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/session/sign-out')
      signOutPosts.push(request.url());
  });
  await held;

  await person.page.getByRole('button', { name: 'Sign out' }).click();
  // The page waits for the refresh (and starts no other) before it ends the session.
  await expect(person.page.getByRole('button', { name: 'Signing out…' })).toBeDisabled();
  expect(signOutPosts).toEqual([]);
  releaseRefresh();
  await expect(person.page).toHaveURL(/\/signin$/);
  expect(signOutPosts).toHaveLength(1);
  expect(refreshAnswers.length).toBeGreaterThan(0);
  expect(refreshAnswers.every((status) => status === 200)).toBe(true);
  expect(await sessionCookies(person.context)).toEqual([]);
  await person.context.close();
});

test('the sign-in form works without JavaScript (as before hydration): a POST, the password never in a URL', async ({
  browser,
}) => {
  const driver = await newDriver('noscript');
  const context = await browser.newContext({ baseURL: urls().driver, javaScriptEnabled: false });
  const page = await context.newPage();
  const requests: { method: string; url: string; type: string | undefined; body: string }[] = [];
  page.on('request', (request) =>
    requests.push({
      method: request.method(),
      url: request.url(),
      type: request.headers()['content-type'],
      body: request.postData() ?? '',
    }),
  );

  // A wrong password first: back on the form with a reason (and the username kept), no cookie.
  const wrongPassword = 'not-the-right-password';
  await page.goto('/signin');
  await page.getByLabel('Username').fill(driver.username);
  await page.getByLabel('Password').fill(wrongPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\?error=invalid/);
  await expect(alertIn(page)).toContainText('That username and password do not match an account.');
  await expect(page.getByLabel('Username')).toHaveValue(driver.username);
  expect(await sessionCookies(context)).toEqual([]);

  await page.getByLabel('Password').fill(driver.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('driver-name')).toHaveText(driver.name);
  expect(await sessionCookies(context)).toHaveLength(1);

  const posts = requests.filter((request) => request.method === 'POST');
  expect(posts.map((post) => new URL(post.url).pathname)).toEqual(['/api/session', '/api/session']);
  for (const post of posts) expect(post.type).toBe('application/x-www-form-urlencoded');
  expect(posts[1]?.body).toContain(`password=${encodeURIComponent(driver.password)}`);
  for (const secret of [wrongPassword, driver.password]) {
    for (const request of requests) expect(request.url).not.toContain(encodeURIComponent(secret));
    expect(page.url()).not.toContain(encodeURIComponent(secret));
  }

  // Signing out works without JavaScript too: the button is a same-origin form POST that ends the session.
  const cookieBefore = await sessionCookies(context);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  expect(await sessionCookies(context)).toEqual([]);
  expect(requests.filter((request) => request.method === 'POST').map((post) => new URL(post.url).pathname)).toEqual([
    '/api/session',
    '/api/session',
    '/api/session/sign-out',
  ]);
  const replay = await browser.newContext({ baseURL: urls().driver });
  await replay.addCookies(cookieBefore);
  expect((await driverCall(replay.request, 'deliveries.pickUp', { orderId: 'any' })).status).toBe(401);
  await replay.close();
  await context.close();
});

test('nobody signs in as another driver: the username is not the identity, the password is', async ({
  browser,
  request,
}) => {
  const dana = await newDriver('dana');
  const mallory = await newDriver('mallory');
  const sameOrigin = { origin: new URL(urls().driver).origin, 'sec-fetch-site': 'same-origin' };
  const signIn = (data: unknown) =>
    request.post(`${urls().driver}/api/session`, { data, headers: sameOrigin, failOnStatusCode: false });

  // The passcode era: a name and the shared passcode. Nothing of the kind signs anyone in now.
  const passcode = await signIn({ name: dana.username, passcode: 'drive-safely' });
  expect(passcode.status()).toBe(400);
  // Dana's username with Mallory's own password.
  const borrowed = await signIn({ username: dana.username, password: mallory.password });
  expect(borrowed.status()).toBe(401);
  expect(borrowed.headers()['set-cookie']).toBeUndefined();
  expect(await borrowed.text()).not.toContain(dana.id);

  // Mallory signed in is Mallory: what she does is recorded against her account id, whatever she types.
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 1 } });
  const orderId = await orderIdOnPage(customer.page);
  const person = await newPerson(browser, urls().driver);
  await signInDriver(person.page, 'mallory', mallory);
  const pickUp = await driverCall(person.context.request, 'deliveries.pickUp', { orderId, driverId: dana.id });
  expect(pickUp.status).toBe(200);
  expect(JSON.parse(pickUp.text)).toMatchObject({ result: { data: { driverId: mallory.id } } });
  for (const context of [customer.context, person.context]) await context.close();
});

test('guessing a password is throttled: 429 with Retry-After, and the right password waits too', async ({
  request,
}) => {
  const driver = await newDriver('guessed');
  const sameOrigin = { origin: new URL(urls().driver).origin, 'sec-fetch-site': 'same-origin' };
  const attempt = (password: string) =>
    request.post(`${urls().driver}/api/session`, {
      data: { username: driver.username, password },
      headers: sameOrigin,
      failOnStatusCode: false,
    });
  const statuses: number[] = [];
  // Bounded: the per-account limit is 5 failures in 15 minutes.
  for (let guess = 0; guess < 8; guess++) statuses.push((await attempt(`guess-number-${guess}`)).status());
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  const right = await attempt(driver.password);
  expect(right.status()).toBe(429);
  expect(Number(right.headers()['retry-after'])).toBeGreaterThan(0);
  expect((await right.json()) as { message: string }).toMatchObject({
    message: expect.stringMatching(/^Too many failed sign-ins\. Try again in \d+ minutes?\.$/),
  });
  expect(right.headers()['set-cookie']).toBeUndefined();
});
