import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { SqliteInbox, buildNotificationService } from '@durable-delivery/notifications';
import { metricValue } from '@durable-delivery/telemetry';
import {
  CUSTOMER_COOKIE,
  customerApiCaller,
  customerCookie,
  customerSession,
  driverApiCaller,
  driverApiHandler,
  loadAppConfig,
  MAX_STREAMS_PER_CUSTOMER,
  menuApiHandler,
  newCustomerId,
  notificationStreamHandler,
  operationsHandlers,
  unsealIdentity,
  cookieValue,
  type AppConfig,
  type DriverIdentity,
} from '../src/server';
import { sealData } from 'iron-session';
import { ApiHarness, anOrderForm, uniqueId } from './harness';

let api: ApiHarness;
let config: AppConfig;

beforeAll(async () => {
  api = await ApiHarness.start();
  config = loadAppConfig({
    SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron',
    TEMPORAL_ADDRESS: api.address,
    ORDER_PICKUP_WINDOW: '5 minutes',
    ORDER_RATE_PROMPT_DELAY: '1s',
  });
});

afterAll(async () => {
  await api?.stop();
});

/** The Cookie header a browser would send back for a Set-Cookie header. */
function cookieFrom(setCookie: string | null): string {
  if (!setCookie) throw new Error('expected a Set-Cookie header');
  return setCookie.split(';')[0] ?? '';
}

/** The sealed value in a Cookie header's `name=value`. */
const sealedValue = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);

function trpcPost(path: string, input: unknown, cookie?: string): Request {
  return new Request(`http://app.test/api/trpc/${path}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  });
}

function trpcGet(path: string, input: unknown, cookie?: string): Request {
  const url = `http://app.test/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  return new Request(url, { headers: cookie ? { cookie } : {} });
}

/**
 * Driver sessions as the driver app resolves them (its accounts, @durable-delivery/accounts, tested there and
 * end to end): a session token in the cookie names a live session, or nobody.
 */
const DRIVER_SESSION = 'dd_driver.session_token';
const liveSessions = new Map([['dana-session', { id: 'd-dana', name: 'Dana' }]]);
const identify: DriverIdentity = (headers) =>
  Promise.resolve(liveSessions.get(cookieValue(headers.get('cookie'), DRIVER_SESSION) ?? ''));
const danaCookie = `${DRIVER_SESSION}=dana-session`;

describe('app configuration', () => {
  it('names every bad variable, and refuses a short session secret', () => {
    expect(() => loadAppConfig({ SESSION_SECRET: 'short', ORDER_PICKUP_WINDOW: 'soon' })).toThrow(
      /SESSION_SECRET: must be at least 32 characters[\s\S]*ORDER_PICKUP_WINDOW/,
    );
    expect(() => loadAppConfig({})).toThrow(/SESSION_SECRET: is required/);
  });

  it('has no driver passcode: a production configuration needs none and reads none', () => {
    const production = loadAppConfig({
      SESSION_SECRET: 'x'.repeat(32),
      NODE_ENV: 'production',
      PAYLOAD_ENCRYPTION_KEYS: `k1=${Buffer.alloc(32, 7).toString('base64')}`,
      APP_ORIGINS: 'https://menu.example.com',
    });
    expect(production).toMatchObject({ secureCookies: true });
    expect(JSON.stringify(production)).not.toContain('passcode');
  });

  it('refuses to start in production without payload encryption keys, and encrypts with the first key', () => {
    const production = {
      SESSION_SECRET: 'x'.repeat(32),
      NODE_ENV: 'production',
      APP_ORIGINS: 'https://menu.example.com',
    };
    expect(() => loadAppConfig(production)).toThrow(
      /^Invalid app environment:\n {2}PAYLOAD_ENCRYPTION_KEYS: is required in production/,
    );
    const keys = `new=${Buffer.alloc(32, 1).toString('base64')},old=${Buffer.alloc(32, 2).toString('base64')}`;
    expect(loadAppConfig({ ...production, PAYLOAD_ENCRYPTION_KEYS: keys }).encryption.encryptingKeyId).toBe('new');
    expect(() => loadAppConfig({ ...production, PAYLOAD_ENCRYPTION_KEYS: 'new=not base64!' })).toThrow(
      /PAYLOAD_ENCRYPTION_KEYS: key "new" is not valid base64/,
    );
  });

  it('reads order windows as durations and leaves the rest to the workflow', () => {
    expect(config.orderWindows).toEqual({ pickup: 300_000, ratePrompt: 1_000 });
  });

  it("reads the delivery pass's billing period and retry delay as durations, and names a bad one", () => {
    const secret = { SESSION_SECRET: 'x'.repeat(32) };
    expect(loadAppConfig({ ...secret, PASS_BILLING_PERIOD: '1 hour' }).passSettings).toEqual({
      billingPeriod: 3_600_000,
    });
    expect(loadAppConfig(secret).passSettings).toEqual({});
    expect(() => loadAppConfig({ ...secret, PASS_RENEWAL_RETRY_DELAY: 'tomorrow' })).toThrow(
      /PASS_RENEWAL_RETRY_DELAY/,
    );
  });
});

describe('sessions', () => {
  it('reads back a sealed identity and nothing from a tampered or foreign cookie', async () => {
    const { value } = await customerCookie('c-1', config);
    expect(await unsealIdentity(value, config, 'customer')).toEqual({ id: 'c-1' });
    expect(await unsealIdentity(`${value.slice(0, -3)}abc`, config, 'customer')).toBeUndefined();
    const other = { ...config, sessionSecret: 'another-secret-that-is-also-long-enough' };
    expect(await unsealIdentity(value, other, 'customer')).toBeUndefined();
    expect(await unsealIdentity('c-1', config, 'customer')).toBeUndefined();
  });

  it('reads a cookie only in its own role: a customer cookie is no driver', async () => {
    const { value: customer } = await customerCookie('c-1', config);
    expect(await unsealIdentity(customer, config, 'driver')).toBeUndefined();
  });

  it('still knows a customer by a cookie sealed before roles existed, but no driver', async () => {
    const id = newCustomerId();
    const legacy = (data: object) => sealData(data, { password: config.sessionSecret, ttl: 3_600 });
    expect(await unsealIdentity(await legacy({ id }), config, 'customer')).toEqual({ id });
    expect(await unsealIdentity(await legacy({ id }), config, 'driver')).toBeUndefined();
    expect(await unsealIdentity(await legacy({ id: 'dana' }), config, 'customer')).toBeUndefined();
  });

  it('refuses a customer cookie put in the driver cookie’s place: no driver procedure runs', async () => {
    const { value } = await customerCookie(newCustomerId(), config);
    const response = await driverApiHandler(
      config,
      identify,
    )(trpcGet('deliveries.mine', {}, `${DRIVER_SESSION}=${value}`));
    expect(response.status).toBe(401);
    const asDriver = await driverApiCaller(
      config,
      await identify(new Headers({ cookie: `${DRIVER_SESSION}=${value}` })),
    );
    await expect(asDriver.deliveries.waiting({ limit: 20 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('session secret rotation', () => {
  const OLD = 'the-secret-before-the-rotation-0123456789';
  const NEW = 'the-secret-after-the-rotation-9876543210';
  const withSecrets = (current: string, previous?: string) =>
    loadAppConfig({
      SESSION_SECRET: current,
      ...(previous ? { SESSION_SECRET_PREVIOUS: previous } : {}),
      TEMPORAL_ADDRESS: api.address,
    });

  it('keeps every customer and their orders across a rotation, sealing each cookie anew on the next visit', async () => {
    const before = withSecrets(OLD);
    const rotated = withSecrets(NEW, OLD);
    const afterwards = withSecrets(NEW);

    // A first visit before the rotation: a new customer, who orders.
    const first = await customerSession(undefined, before);
    expect(first.reissued).toBeDefined();
    const oldCookie = first.reissued!.value;
    expect(await customerSession(oldCookie, before)).toEqual({ id: first.id });
    const form = anOrderForm();
    const created = await menuApiHandler(before)(
      trpcPost('orders.createOrder', form, `${CUSTOMER_COOKIE}=${oldCookie}`),
    );
    expect(created.status).toBe(200);

    // Rotated: the old cookie still names the same customer, who still sees the order placed before.
    expect(await unsealIdentity(oldCookie, rotated, 'customer')).toEqual({ id: first.id });
    const listed = await menuApiHandler(rotated)(trpcGet('orders.myOrders', {}, `${CUSTOMER_COOKIE}=${oldCookie}`));
    expect(await listed.json()).toMatchObject({ result: { data: { orders: [{ orderId: form.orderId }] } } });

    // The next visit seals the same id with the new secret; that cookie needs nothing more, and outlives the old one.
    const visit = await customerSession(oldCookie, rotated);
    expect(visit.id).toBe(first.id);
    const newCookie = visit.reissued!.value;
    expect(visit.reissued!.setCookie).toContain(`${CUSTOMER_COOKIE}=${newCookie}`);
    expect(await customerSession(newCookie, rotated)).toEqual({ id: first.id });
    expect(await unsealIdentity(newCookie, afterwards, 'customer')).toEqual({ id: first.id });
    const order = await menuApiHandler(afterwards)(
      trpcGet('orders.order', { orderId: form.orderId }, `${CUSTOMER_COOKIE}=${newCookie}`),
    );
    expect(order.status).toBe(200);

    // Once the old secret is dropped, its cookies read as nobody, and the new secret never read as the old.
    expect(await unsealIdentity(oldCookie, afterwards, 'customer')).toBeUndefined();
    expect(await unsealIdentity(newCookie, before, 'customer')).toBeUndefined();
  });

  it('still reads a cookie sealed before rotation existed (a plain string password) after one rotation', async () => {
    const id = newCustomerId();
    const legacy = await sealData({ id, role: 'customer' }, { password: OLD, ttl: 3_600 });
    expect(await unsealIdentity(legacy, withSecrets(OLD), 'customer')).toEqual({ id });
    const visit = await customerSession(legacy, withSecrets(NEW, OLD));
    expect(visit).toMatchObject({ id, reissued: expect.any(Object) });
    expect(await unsealIdentity(visit.reissued!.value, withSecrets(NEW), 'customer')).toEqual({ id });
  });

  it('names a too-short previous secret', () => {
    expect(() => withSecrets(NEW, `${OLD},short`)).toThrow(/SESSION_SECRET_PREVIOUS: must list/);
  });
});

describe('menu API handler', () => {
  it('acts as the customer in the cookie, and only that customer', async () => {
    const handler = menuApiHandler(config);
    const alice = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    const bob = cookieFrom((await customerCookie(uniqueId('bob'), config)).setCookie);
    const form = anOrderForm();

    const created = await handler(trpcPost('orders.createOrder', form, alice));
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ result: { data: { outcome: 'paid' } } });

    const mine = await handler(trpcGet('orders.order', { orderId: form.orderId }, alice));
    expect(await mine.json()).toMatchObject({ result: { data: { orderId: form.orderId, state: 'paid' } } });

    const theirs = await handler(trpcGet('orders.order', { orderId: form.orderId }, bob));
    expect(theirs.status).toBe(404);
    const anonymous = await handler(trpcGet('orders.order', { orderId: form.orderId }));
    expect(anonymous.status).toBe(401);
    // A driver's session cookie means nothing to the menu app.
    const asDriver = await handler(trpcGet('orders.order', { orderId: form.orderId }, danaCookie));
    expect(asDriver.status).toBe(401);
  });

  it("words every refusal for a person: neither zod's nor the JSON parser's own wording reaches the client", async () => {
    const alice = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    const handler = menuApiHandler(config);
    const messageOf = async (request: Request) => {
      const response = await handler(request);
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: { message: string } }).error.message;
    };
    const raw = new Request('http://app.test/api/trpc/orders.cancel', {
      method: 'POST',
      body: '{"orderId":',
      headers: { 'content-type': 'application/json', cookie: alice },
    });
    expect(await messageOf(raw)).toBe('The request is not valid JSON.');
    expect(await messageOf(trpcPost('orders.cancel', { orderId: 7, reason: 'x'.repeat(501) }, alice))).toBe(
      'Invalid input: orderId must be text; reason must be at most 500 characters.',
    );
    expect(await messageOf(trpcPost('orders.rate', { orderId: 'a', stars: 1e308 }, alice))).toBe(
      'Invalid input: stars must be from 1 to 5.',
    );
    expect(await messageOf(trpcGet('orders.myOrders', [1], alice))).toBe(
      'Invalid input: the request must be a group of fields.',
    );
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(await messageOf(trpcPost('pass.cancel', wide, alice))).toBe(
      'Invalid input: the request has fields we do not accept: "k0", "k1", "k2" and 47 more.',
    );
  });

  it('has no driver procedure, whatever the cookie', async () => {
    const alice = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    const response = await menuApiHandler(config)(trpcGet('deliveries.waiting', {}, alice));
    expect(response.status).toBe(404);
  });
});

describe('driver API handler', () => {
  it('acts as the driver the session names', async () => {
    const list = await driverApiHandler(config, identify)(trpcGet('deliveries.mine', {}, danaCookie));
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ result: { data: { orders: [] } } });
  });

  it('refuses every driver call without a driver cookie, including with a customer cookie', async () => {
    const handler = driverApiHandler(config, identify);
    const customer = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    expect(customer.startsWith(`${CUSTOMER_COOKIE}=`)).toBe(true);
    for (const cookie of [undefined, customer, `${DRIVER_SESSION}=forged`]) {
      const response = await handler(trpcPost('deliveries.pickUp', { orderId: 'any' }, cookie));
      expect(response.status).toBe(401);
      expect(await response.text()).not.toMatch(/ at .*\.js:\d+/);
    }
  });
});

describe('in-process callers (what server components render a page with)', () => {
  /** The sealed value alone, as `cookies().get(name)?.value` gives it to a server component. */

  it("answers the cookie's customer only, and no one without a cookie, as over HTTP", async () => {
    const alice = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    const bob = cookieFrom((await customerCookie(uniqueId('bob'), config)).setCookie);
    const form = anOrderForm();
    expect(await menuApiHandler(config)(trpcPost('orders.createOrder', form, alice))).toMatchObject({ status: 200 });

    const asAlice = await customerApiCaller(config, sealedValue(alice));
    expect(await asAlice.orders.order({ orderId: form.orderId })).toMatchObject({ orderId: form.orderId });
    expect((await asAlice.orders.myOrders({ limit: 10 })).orders.map((order) => order.orderId)).toEqual([form.orderId]);

    const asBob = await customerApiCaller(config, sealedValue(bob));
    await expect(asBob.orders.order({ orderId: form.orderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await asBob.orders.myOrders({ limit: 10 })).orders).toEqual([]);
    for (const sealed of [undefined, 'forged']) {
      const anonymous = await customerApiCaller(config, sealed);
      await expect(anonymous.orders.order({ orderId: form.orderId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('lists deliveries for a signed-in driver only', async () => {
    const asDriver = await driverApiCaller(config, await identify(new Headers({ cookie: danaCookie })));
    expect(await asDriver.deliveries.mine({ limit: 20 })).toEqual({ orders: [] });

    for (const cookie of ['', `${DRIVER_SESSION}=forged`]) {
      const caller = await driverApiCaller(config, await identify(new Headers({ cookie })));
      await expect(caller.deliveries.waiting({ limit: 20 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });
});

describe('operations endpoints (the apps mount them at /api/healthz, /api/readyz, /api/metrics)', () => {
  const get = () => new Request('http://app.test/api/x');

  it('is alive without configuration, ready while Temporal answers, and not ready naming a bad configuration', async () => {
    const ops = operationsHandlers(() => config);
    expect((await ops.healthz(get())).status).toBe(200);
    const ready = await ops.readyz(get());
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });

    const misconfigured = operationsHandlers(() => loadAppConfig({}));
    expect((await misconfigured.healthz(get())).status).toBe(200);
    const notReady = await misconfigured.readyz(get());
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, reason: expect.stringMatching(/SESSION_SECRET/) });
  });

  it('serves /api/metrics only to a scrape with METRICS_TOKEN, and to nobody without one configured', async () => {
    const token = 'app-test-metrics-token-0123456789';
    const ops = operationsHandlers(() => ({ ...config, metricsToken: token }));
    const scrape = (authorization?: string) =>
      ops.metrics(new Request('http://app.test/api/metrics', authorization ? { headers: { authorization } } : {}));
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', token, `Bearer ${token}x`]) {
      const refused = await scrape(authorization);
      expect({ authorization, status: refused.status }).toEqual({ authorization, status: 401 });
      expect(await refused.json()).toEqual({ error: { type: 'authentication_error', message: 'Unauthorized.' } });
    }
    expect((await scrape(`Bearer ${token}`)).status).toBe(200);
    expect((await operationsHandlers(() => config).metrics(get())).status).toBe(401);
    expect(
      loadAppConfig({ SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron', METRICS_TOKEN: token }),
    ).toMatchObject({ metricsToken: token });
  });

  it('counts each API call by procedure, type and result code, in Prometheus text', async () => {
    const token = 'app-test-metrics-token-0123456789';
    const ops = operationsHandlers(() => ({ ...config, metricsToken: token }));
    const scraping = () =>
      new Request('http://app.test/api/metrics', { headers: { authorization: `Bearer ${token}` } });
    const scrape = async () => (await ops.metrics(scraping())).text();
    const calls = (text: string, labels: Record<string, string>) => metricValue(text, 'trpc_requests_total', labels);
    const before = await scrape();
    const alice = cookieFrom((await customerCookie(uniqueId('alice'), config)).setCookie);
    const handler = menuApiHandler(config);
    expect((await handler(trpcPost('orders.createOrder', anOrderForm(), alice))).status).toBe(200);
    expect((await handler(trpcGet('orders.order', { orderId: 'no-such-order' }, alice))).status).toBe(404);
    const response = await ops.metrics(scraping());
    expect(response.headers.get('content-type')).toContain('text/plain');
    const after = await response.text();
    const ok = { procedure: 'orders.createOrder', type: 'mutation', code: 'OK' };
    const missing = { procedure: 'orders.order', type: 'query', code: 'NOT_FOUND' };
    expect(calls(after, ok) - calls(before, ok)).toBe(1);
    expect(calls(after, missing) - calls(before, missing)).toBe(1);
    expect(metricValue(after, 'trpc_request_duration_seconds_count', ok)).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

const NOTIFICATIONS_KEY = 'api-test-notifications-key-0123456789';

/** A stream request of the menu app for a customer's cookie; abort() is the page going away. */
function streamRequest(cookie: string) {
  const controller = new AbortController();
  return {
    request: new Request('http://app.test/api/notifications', { headers: { cookie }, signal: controller.signal }),
    close: () => controller.abort(),
  };
}

describe('notification stream (menu app)', () => {
  it("relays only the signed-in customer's notifications, and refuses a visitor without a customer cookie", async () => {
    const inbox = new SqliteInbox(join(tempDir('api-notifications-'), 'inbox.sqlite'));
    const service = buildNotificationService({ inbox, apiKey: NOTIFICATIONS_KEY });
    const url = await service.listen({ host: '127.0.0.1', port: 0 });
    try {
      const withService = loadAppConfig({
        SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron',
        NOTIFICATIONS_URL: url,
        NOTIFICATIONS_API_KEY: NOTIFICATIONS_KEY,
      });
      const alice = uniqueId('alice');
      for (const [customerId, message] of [
        [uniqueId('bob'), 'for bob'],
        [alice, 'for alice'],
      ] as const) {
        await inbox.deliver(`${customerId}:notify`, { customerId, orderId: 'o-1', kind: 'pickedUp', message });
      }
      const handler = notificationStreamHandler(withService);
      const controller = new AbortController();
      const cookie = cookieFrom((await customerCookie(alice, withService)).setCookie);
      const response = await handler(
        new Request('http://app.test/api/notifications', { headers: { cookie }, signal: controller.signal }),
      );
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('data: ')) text += (await reader.read()).value ?? '';
      while (!text.slice(text.indexOf('data: ')).includes('\n\n')) text += (await reader.read()).value ?? '';
      controller.abort();
      expect(text).toContain('for alice');
      expect(text).not.toContain('for bob');

      expect((await handler(new Request('http://app.test/api/notifications'))).status).toBe(401);
      const withoutService = notificationStreamHandler(config);
      expect(
        (await withoutService(new Request('http://app.test/api/notifications', { headers: { cookie } }))).status,
      ).toBe(204);
    } finally {
      service.server.closeAllConnections();
      await service.close();
      await inbox.close();
    }
  });
});

describe('notification stream limits (menu app)', () => {
  let inbox: SqliteInbox;
  let service: ReturnType<typeof buildNotificationService>;
  let withService: AppConfig;

  beforeAll(async () => {
    inbox = new SqliteInbox(join(tempDir('api-stream-cap-'), 'inbox.sqlite'));
    // The service's own cap is higher than the relay's here, so the relay's is what is tested first.
    service = buildNotificationService({ inbox, apiKey: NOTIFICATIONS_KEY, maxStreamsPerCustomer: 50 });
    const url = await service.listen({ host: '127.0.0.1', port: 0 });
    withService = loadAppConfig({
      SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron',
      NOTIFICATIONS_URL: url,
      NOTIFICATIONS_API_KEY: NOTIFICATIONS_KEY,
    });
  });

  afterAll(async () => {
    service.server.closeAllConnections();
    await service.close();
    await inbox.close();
  });

  it(`relays at most ${MAX_STREAMS_PER_CUSTOMER} live streams per customer; closing one frees a place`, async () => {
    const handler = notificationStreamHandler(withService);
    const cookie = cookieFrom((await customerCookie(uniqueId('tabs'), withService)).setCookie);
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_CUSTOMER; i++) {
      const stream = streamRequest(cookie);
      const response = await handler(stream.request);
      expect(response.status).toBe(200);
      open.push(stream);
    }
    const refused = await handler(streamRequest(cookie).request);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      message: `You already have ${MAX_STREAMS_PER_CUSTOMER} live notification streams open (tabs or devices); close one and reload.`,
    });
    // Someone else still gets theirs.
    const other = streamRequest(cookieFrom((await customerCookie(uniqueId('other'), withService)).setCookie));
    expect((await handler(other.request)).status).toBe(200);
    other.close();

    open.pop()!.close();
    const again = streamRequest(cookie);
    expect((await handler(again.request)).status).toBe(200);
    again.close();
    for (const stream of open) stream.close();
  });

  it('passes on the service’s own refusal (its cap counts every app replica) as 429', async () => {
    const capped = buildNotificationService({ inbox, apiKey: NOTIFICATIONS_KEY, maxStreamsPerCustomer: 1 });
    const url = await capped.listen({ host: '127.0.0.1', port: 0 });
    try {
      const replica = (): AppConfig => ({ ...withService, notifications: { url, apiKey: NOTIFICATIONS_KEY } });
      const cookie = cookieFrom((await customerCookie(uniqueId('replicas'), withService)).setCookie);
      const first = streamRequest(cookie);
      expect((await notificationStreamHandler(replica())(first.request)).status).toBe(200);
      // Another replica (its own relay count is 0) is refused by the service.
      expect((await notificationStreamHandler(replica())(streamRequest(cookie).request)).status).toBe(429);
      first.close();
    } finally {
      capped.server.closeAllConnections();
      await capped.close();
    }
  });

  it('requires the notification service’s key with its URL', () => {
    expect(() =>
      loadAppConfig({
        SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron',
        NOTIFICATIONS_URL: 'http://127.0.0.1:4020',
      }),
    ).toThrow(/NOTIFICATIONS_API_KEY: is required with NOTIFICATIONS_URL/);
  });
});
