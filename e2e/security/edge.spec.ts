import { request as httpRequest } from 'node:http';
import { type Page } from '@playwright/test';
import { expect, httpStatusError, test } from '../harness/console-guard';
import { newPerson, orderIdOnPage, placeOrder, signInDriver, urls } from '../harness/app';

// The apps' edge against the production builds (packages/api/src/server/gate.ts and limits.ts): CSRF in every
// form, foreign hosts, oversize bodies and batches, one client's burst, and the headers.

/** A raw HTTP/1.1 request, for what fetch will not send: another Host header, a chunked body. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: readonly Buffer[] } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

const passState = async (page: Page) => {
  const answer = await page.request.get('/api/trpc/pass.status');
  expect(answer.status()).toBe(200);
  return ((await answer.json()) as { result: { data: { pass?: { state: string } } } }).result.data.pass;
};

test('a cancelled delivery pass stays cancelled whatever a cross-site or wrong-typed request sends', async ({
  browser,
  consoleErrors,
}) => {
  // The forged requests are sent from the customer's own page and refused (403): that is the test.
  consoleErrors.allow(httpStatusError(403), httpStatusError(415));
  const menu = urls().menu;
  const customer = await newPerson(browser, menu);
  await customer.page.goto('/rewards');
  const api = customer.page.request;
  const subscribed = await api.post('/api/trpc/pass.subscribe', {
    data: { subscriptionId: `edge-${Date.now().toString(36)}`, paymentMethod: 'tok_visa' },
  });
  expect(subscribed.status(), await subscribed.text()).toBe(200);
  expect((await api.post('/api/trpc/pass.cancel', { data: {} })).status()).toBe(200);
  const cancelled = await passState(customer.page);
  expect(cancelled?.state).toBe('cancelling');

  // A page on another origin of the same site (another port of localhost: the cookie goes along) posts forms to
  // the menu's API in the three encodings a form can send without a preflight.
  const attacker = 'http://localhost:1';
  await customer.page.route(`${attacker}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: ['multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain']
        .map(
          (type, index) =>
            `<form id="f${index}" method="post" enctype="${type}" action="${menu}/api/trpc/pass.resume">` +
            `<input name="json" value="{}"></form>`,
        )
        .join(''),
    }),
  );
  for (const index of [0, 1, 2]) {
    await customer.page.goto(`${attacker}/attack`);
    const answer = customer.page.waitForResponse((response) => response.url().includes('pass.resume'));
    await customer.page.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), `f${index}`);
    const refused = await answer;
    expect(refused.status()).toBe(403);
    expect((await refused.json()) as unknown).toMatchObject({
      error: { message: 'This request came from another site (its Origin is not this app), so it was refused.' },
    });
  }

  // From the app's own origin, but not JSON: tRPC would have parsed these (FormData, octet-stream).
  const origin = new URL(menu).origin;
  const form = await api.post('/api/trpc/pass.resume', { headers: { origin }, multipart: { json: '{}' } });
  const urlencoded = await api.post('/api/trpc/pass.resume', { headers: { origin }, form: { json: '{}' } });
  const text = await api.post('/api/trpc/pass.resume', {
    headers: { origin, 'content-type': 'text/plain' },
    data: '{}',
  });
  const octets = await api.post('/api/trpc/pass.resume', {
    headers: { origin, 'content-type': 'application/octet-stream' },
    data: Buffer.from('{}'),
  });
  for (const answer of [form, urlencoded, text, octets]) {
    expect(answer.status()).toBe(415);
    expect((await answer.json()) as unknown).toMatchObject({
      error: { message: 'This API takes application/json request bodies only.' },
    });
  }
  // A foreign Origin on a JSON call is refused too (a fetch() from another site).
  const foreign = await api.post('/api/trpc/pass.resume', { headers: { origin: attacker }, data: {} });
  expect(foreign.status()).toBe(403);

  expect(await passState(customer.page)).toEqual(cancelled);
  await customer.context.close();
});

test('driver sign-in takes no text/plain body and no form from another origin (login CSRF)', async () => {
  const driver = urls().driver;
  const textPlain = await fetch(`${driver}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: new URL(driver).origin },
    body: JSON.stringify({ name: 'mallory', passcode: 'guess' }),
  });
  expect(textPlain.status).toBe(415);
  const foreignForm = await fetch(`${driver}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:1' },
    body: 'name=mallory&passcode=guess',
  });
  expect(foreignForm.status).toBe(403);
  expect(foreignForm.headers.getSetCookie()).toEqual([]);
});

test('the apps answer only for their own host names; probes answer any', async () => {
  for (const app of [urls().menu, urls().driver]) {
    const port = new URL(app).port;
    const page = await raw(`http://127.0.0.1:${port}/`, { headers: { host: `rebound.example:${port}` } });
    expect(page.status).toBe(421);
    expect(page.body).toContain('This server does not answer for that host name.');
    expect(page.body).not.toContain('<html');
    const api = await raw(`http://127.0.0.1:${port}/api/trpc/menu.products`, { headers: { host: 'rebound.example' } });
    expect(api.status).toBe(421);
    const probe = await raw(`http://127.0.0.1:${port}/api/healthz`, { headers: { host: '10.0.0.9:3000' } });
    expect(probe.status).toBe(200);
    // Both names the stack serves it at still work.
    expect((await raw(`http://127.0.0.1:${port}/api/trpc/menu.products`)).status).not.toBe(421);
    expect((await fetch(`${app}/`)).status).toBe(200);
  }
});

test('bodies over 64 KiB are refused with 413, declared or chunked, in both apps', async () => {
  const big = JSON.stringify({ note: 'x'.repeat(100 * 1024) });
  for (const [app, path] of [
    [urls().menu, '/api/trpc/orders.createOrder'],
    [urls().driver, '/api/trpc/deliveries.pickUp'],
  ] as const) {
    const declared = await fetch(`${app}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect((await declared.json()) as unknown).toMatchObject({
      error: { message: 'The request is too large: at most 64 KiB of body is accepted.' },
    });
    // No Content-Length: 16 KiB chunks up to 2 MiB. The body is counted as it comes, and refused, not cut short.
    const chunks = Array.from({ length: 128 }, () => Buffer.alloc(16 * 1024, 32));
    const chunked = await raw(`${app}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks,
    });
    expect(chunked.status).toBe(413);
  }
});

test('a batch of 1,000 procedure calls is refused before any runs', async () => {
  const paths = Array.from({ length: 1000 }, () => 'menu.products').join(',');
  const answer = await fetch(`${urls().menu}/api/trpc/${paths}?batch=1&input=%7B%7D`);
  expect(answer.status).toBe(400);
  expect((await answer.json()) as unknown).toMatchObject({
    error: { message: 'Too many procedure calls in one request: at most 20 may be batched together.' },
  });
  // The apps' own batches (up to 20) still go through.
  const small = Array.from({ length: 20 }, () => 'menu.products').join(',');
  expect((await fetch(`${urls().menu}/api/trpc/${small}?batch=1&input=%7B%7D`)).status).toBe(200);
});

test("one client's burst gets 429s while another customer and the health check are answered", async ({ browser }) => {
  const menu = urls().menu;
  const people = await Promise.all([newPerson(browser, menu), newPerson(browser, menu)]);
  const orders: { cookie: string; orderId: string }[] = [];
  for (const person of people) {
    await placeOrder(person.page, { dishes: { Poke: 1 } });
    const orderId = await orderIdOnPage(person.page);
    const cookies = await person.context.cookies(menu);
    orders.push({ cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; '), orderId });
  }
  const status = ({ cookie, orderId }: { cookie: string; orderId: string }) =>
    fetch(`${menu}/api/trpc/orders.order?input=${encodeURIComponent(JSON.stringify({ orderId }))}`, {
      headers: { cookie },
    });
  const [attacker, other] = orders as [(typeof orders)[0], (typeof orders)[0]];

  // Bounded: 200 calls at once, more than the default budget (60 queries per 10 s, 8 at a time) allows.
  const burst = Promise.all(Array.from({ length: 200 }, () => status(attacker)));
  const [otherAnswer, health] = await Promise.all([status(other), fetch(`${menu}/api/healthz`)]);
  const answers = await burst;
  expect(otherAnswer.status).toBe(200);
  expect(health.status).toBe(200);
  const codes = answers.map((answer) => answer.status);
  expect(codes.filter((code) => code !== 200 && code !== 429)).toEqual([]);
  expect(codes.filter((code) => code === 429).length).toBeGreaterThanOrEqual(140);
  const limited = answers.find((answer) => answer.status === 429);
  expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await limited?.json()) as unknown).toMatchObject({
    error: { message: expect.stringMatching(/^Too many requests from you right now\. Please wait \d+ seconds?/) },
  });
  // The other customer's own page keeps showing their order.
  await people[1].page.reload();
  await expect(people[1].page.getByTestId('order-state')).toBeVisible();
  for (const person of people) await person.context.close();
});

test('pages get a CSP with a fresh nonce, API answers no-store, and HSTS in production', async () => {
  for (const app of [urls().menu, urls().driver]) {
    const [first, second] = await Promise.all([fetch(`${app}/`), fetch(`${app}/`)]);
    const nonces = await Promise.all(
      [first, second].map(async (answer) => {
        const policy = answer.headers.get('content-security-policy') ?? '';
        const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
        expect(policy).toContain("script-src 'self' 'nonce-");
        expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
        expect(policy).toContain("frame-ancestors 'none'");
        // Next's own scripts and the app's inline one carry it.
        const html = await answer.text();
        expect(html).toContain(`nonce="${nonce}"`);
        expect(html).not.toMatch(/<script(?![^>]*nonce=)[^>]*>/);
        return nonce;
      }),
    );
    expect(nonces[0]).toBeTruthy();
    expect(nonces[0]).not.toBe(nonces[1]);
    // The stack runs the production settings (NODE_ENV=production, Secure cookies): HSTS is on.
    expect(first.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    for (const path of ['/api/trpc/menu.products', '/api/healthz', '/api/readyz', '/api/metrics']) {
      const answer = await fetch(`${app}${path}`);
      expect({ path, cacheControl: answer.headers.get('cache-control') }).toEqual({ path, cacheControl: 'no-store' });
    }
  }
  const driverApi = await fetch(`${urls().driver}/api/trpc/deliveries.mine`);
  expect(driverApi.headers.get('cache-control')).toBe('no-store');
});

test('the main pages run under the CSP with no violation', async ({ browser }) => {
  const problems: string[] = [];
  const watch = async (baseURL: string) => {
    const person = await newPerson(browser, baseURL);
    await person.context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(
          `CSP violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`,
        ),
      );
    });
    // The listener's reports, and the browser's own "Refused to …" lines for what the policy blocked.
    person.page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && /CSP violation|Content Security Policy/.test(text))
        problems.push(`${person.page.url()}: ${text}`);
    });
    return person;
  };
  const customer = await watch(urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 1 } });
  await orderIdOnPage(customer.page);
  // The order page's time is the reader's own: LocalTimeScript ran (with its nonce) before hydration.
  await expect(customer.page.locator('time.local-time').first()).not.toContainText('UTC');
  for (const path of ['/', '/orders', '/rewards', '/checkout']) {
    await customer.page.goto(path);
    await customer.page.waitForLoadState('networkidle');
  }
  const driver = await watch(urls().driver);
  await signInDriver(driver.page, 'csp-driver');
  await driver.page.waitForLoadState('networkidle');
  expect(problems).toEqual([]);
  for (const person of [customer, driver]) await person.context.close();
});
