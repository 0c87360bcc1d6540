import { MAX_BATCH_CALLS } from '../src/batch';
import {
  BODY_LIMIT_BYTES,
  NONCE_HEADER,
  clientAddress,
  edgeHeaders,
  gateRefusal,
  loadAppConfig,
  unavailable,
  type AppConfig,
} from '../src/server';
import { limitRefusal, limitedApi } from '../src/server/limits';
import type * as Limits from '../src/server/limits';

// The request gate and the API limits, with real Request objects: what each app's proxy and tRPC route run.

const ORIGIN = 'http://menu.test:3000';
const secret = { SESSION_SECRET: 'x'.repeat(32) };

function appConfig(env: Record<string, string> = {}): AppConfig {
  return loadAppConfig({ ...secret, APP_ORIGINS: `${ORIGIN},https://menu.example.com`, ...env });
}

function request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Request {
  return new Request(`${ORIGIN}${path}`, { ...init, headers: { host: 'menu.test:3000', ...init.headers } });
}

const jsonPost = (path: string, headers: Record<string, string> = {}, body = '{}') =>
  request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

async function refusalOf(response: Response | undefined) {
  if (!response) throw new Error('expected a refusal');
  return { status: response.status, body: (await response.json()) as { error: { message: string; data: unknown } } };
}

describe('app origins (APP_ORIGINS)', () => {
  it('defaults to localhost and 127.0.0.1 on PORT outside production, and is required in production', () => {
    expect(loadAppConfig({ ...secret, PORT: '3100' }).origins).toEqual([
      'http://localhost:3100',
      'http://127.0.0.1:3100',
    ]);
    const production = {
      ...secret,
      NODE_ENV: 'production',
      PAYLOAD_ENCRYPTION_KEYS: `k1=${Buffer.alloc(32, 7).toString('base64')}`,
    };
    expect(() => loadAppConfig(production)).toThrow(/APP_ORIGINS: is required in production/);
    expect(() => loadAppConfig({ ...production, APP_ORIGINS: 'https://menu.example.com/path' })).toThrow(
      /APP_ORIGINS: "https:\/\/menu.example.com\/path" is not an origin/,
    );
    expect(
      loadAppConfig({ ...production, APP_ORIGINS: ' https://menu.example.com/ , http://10.0.0.5:3000' }).origins,
    ).toEqual(['https://menu.example.com', 'http://10.0.0.5:3000']);
  });

  it('reads rate limits and refuses a shared store without its database', () => {
    const config = appConfig({ RATE_LIMIT_QUERIES: '5/2s', RATE_LIMIT_MUTATIONS: '3/1m', RATE_LIMIT_CONCURRENT: '2' });
    expect(config.rateLimits).toMatchObject({
      queries: { points: 5, seconds: 2 },
      mutations: { points: 3, seconds: 60 },
      concurrent: 2,
      store: { kind: 'memory' },
    });
    expect(() => appConfig({ RATE_LIMIT_QUERIES: 'lots' })).toThrow(/RATE_LIMIT_QUERIES: must look like 60\/10s/);
    expect(() => appConfig({ RATE_LIMIT_STORE: 'postgres' })).toThrow(/RATE_LIMIT_DATABASE_URL: is required/);
  });
});

describe('the request gate', () => {
  const config = appConfig();

  it('answers only for its own host names, except the probes', async () => {
    expect(gateRefusal(request('/'), config)).toBeUndefined();
    expect(gateRefusal(request('/', { headers: { host: 'MENU.EXAMPLE.COM' } }), config)).toBeUndefined();
    const page = gateRefusal(request('/', { headers: { host: 'attacker.example' } }), config);
    expect(page?.status).toBe(421);
    expect(await page?.text()).toMatch(/does not answer for that host name/);
    expect(gateRefusal(request('/', { headers: { host: 'menu.test:4000' } }), config)?.status).toBe(421);
    const api = await refusalOf(gateRefusal(request('/api/trpc/menu.list', { headers: { host: 'evil' } }), config));
    expect(api.status).toBe(421);
    expect(gateRefusal(request('/api/healthz', { headers: { host: '10.1.2.3:3000' } }), config)).toBeUndefined();
    expect(gateRefusal(request('/api/readyz', { headers: { host: '10.1.2.3:3000' } }), config)).toBeUndefined();
  });

  it('refuses a state-changing request from another origin or site, and lets same-origin and non-browser ones by', async () => {
    const path = '/api/trpc/pass.resume';
    const foreign = await refusalOf(gateRefusal(jsonPost(path, { origin: 'https://attacker.example' }), config));
    expect(foreign).toMatchObject({
      status: 403,
      body: { error: { message: expect.stringMatching(/came from another site/), data: { code: 'FORBIDDEN' } } },
    });
    expect(gateRefusal(jsonPost(path, { origin: 'null' }), config)?.status).toBe(403);
    expect(gateRefusal(jsonPost(path, { 'sec-fetch-site': 'cross-site' }), config)?.status).toBe(403);
    expect(gateRefusal(jsonPost(path, { 'sec-fetch-site': 'same-site' }), config)?.status).toBe(403);
    expect(gateRefusal(jsonPost(path, { origin: ORIGIN }), config)).toBeUndefined();
    expect(gateRefusal(jsonPost(path, { origin: 'https://menu.example.com' }), config)).toBeUndefined();
    expect(gateRefusal(jsonPost(path, { 'sec-fetch-site': 'same-origin' }), config)).toBeUndefined();
    // curl, the bench, a script: no browser, so no ambient cookies to abuse.
    expect(gateRefusal(jsonPost(path), config)).toBeUndefined();
    // Reads are not state-changing: a cross-site link still opens the page.
    expect(gateRefusal(request('/orders', { headers: { 'sec-fetch-site': 'cross-site' } }), config)).toBeUndefined();
  });

  it('takes JSON only on the API: a form, multipart or text/plain post is 415 even from the app itself', async () => {
    const path = '/api/trpc/pass.resume';
    const form = new FormData();
    form.set('0', '{}');
    const bodies: [string, RequestInit][] = [
      ['text/plain', { body: '{"json":null}', headers: { 'content-type': 'text/plain' } }],
      ['urlencoded', { body: new URLSearchParams({ a: 'b' }) }],
      ['multipart', { body: form }],
      ['octet-stream', { body: new Uint8Array([1, 2]), headers: { 'content-type': 'application/octet-stream' } }],
    ];
    for (const [, init] of bodies) {
      const sent = new Request(`${ORIGIN}${path}`, { method: 'POST', ...init });
      sent.headers.set('host', 'menu.test:3000');
      sent.headers.set('origin', ORIGIN);
      const refused = await refusalOf(gateRefusal(sent, config));
      expect(refused).toMatchObject({
        status: 415,
        body: { error: { message: 'This API takes application/json request bodies only.' } },
      });
    }
    expect(gateRefusal(jsonPost(path, { 'content-type': 'application/json; charset=utf-8' }), config)).toBeUndefined();
    // A body-less DELETE (signing out) needs no type.
    expect(
      gateRefusal(request('/api/session', { method: 'DELETE', headers: { origin: ORIGIN } }), config),
    ).toBeUndefined();
  });

  it('takes a form post only where the app has a form, and only from its own origin (login CSRF)', () => {
    const signIn = (origin: string, type = 'application/x-www-form-urlencoded') =>
      request('/api/session', { method: 'POST', body: 'name=a&password=b', headers: { origin, 'content-type': type } });
    const options = { formPaths: ['/api/session'] };
    expect(gateRefusal(signIn(ORIGIN), config, options)).toBeUndefined();
    expect(gateRefusal(signIn('https://attacker.example'), config, options)?.status).toBe(403);
    expect(gateRefusal(signIn(ORIGIN, 'text/plain'), config, options)?.status).toBe(415);
    expect(gateRefusal(signIn(ORIGIN), config)?.status).toBe(415);
  });

  it('refuses a declared body over the limit before reading it', async () => {
    const big = jsonPost('/api/trpc/orders.createOrder', { 'content-length': String(BODY_LIMIT_BYTES + 1) });
    const refused = await refusalOf(gateRefusal(big, config));
    expect(refused).toMatchObject({
      status: 413,
      body: { error: { message: 'The request is too large: at most 64 KiB of body is accepted.' } },
    });
  });
});

describe('a dependency that is away (unavailable)', () => {
  const message = 'Driver accounts are unavailable for a moment: the accounts database did not answer. <Try> again.';

  it('answers 503 with Retry-After: tRPC’s error shape for the API, { message } for other routes', async () => {
    const trpc = unavailable('/api/trpc/deliveries.mine', 'Away', message, 30);
    expect(trpc.status).toBe(503);
    expect(trpc.headers.get('retry-after')).toBe('30');
    expect(trpc.headers.get('cache-control')).toBe('no-store');
    expect(await trpc.json()).toEqual({
      error: { message, code: -32603, data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } },
    });
    const route = unavailable('/api/other', 'Away', message, 30);
    expect(route.status).toBe(503);
    expect(await route.json()).toEqual({ message });
  });

  it('answers a page with a page of its own that says why, escaped, with nothing to run or load', async () => {
    const page = unavailable('/orders', 'Driver accounts are unavailable', message, 30);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('30');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; /);
    const html = await page.text();
    expect(html).toContain('<h1>Driver accounts are unavailable</h1>');
    expect(html).toContain('&lt;Try&gt; again.');
    expect(html).not.toContain('<Try>');
    expect(html).not.toContain('<script');
  });
});

describe('the headers', () => {
  it('gives each page its own nonce in a CSP without inline script, no-store on the API, HSTS over HTTPS', () => {
    const production = { ...appConfig(), production: true, secureCookies: true };
    const first = edgeHeaders(request('/orders'), production);
    const second = edgeHeaders(request('/orders'), production);
    const nonce = first.request.get(NONCE_HEADER);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.request.get(NONCE_HEADER)).not.toBe(nonce);
    const policy = first.response['content-security-policy'];
    expect(policy).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    // Next reads the nonce for its own scripts from the request's policy.
    expect(first.request.get('content-security-policy')).toBe(policy);
    expect(first.response['strict-transport-security']).toMatch(/^max-age=\d+/);

    const api = edgeHeaders(request('/api/trpc/menu.list', { headers: { [NONCE_HEADER]: 'forged' } }), production);
    expect(api.response).toMatchObject({ 'cache-control': 'no-store' });
    expect(api.request.get(NONCE_HEADER)).toBeNull();

    const development = { ...appConfig(), production: false, secureCookies: false };
    const dev = edgeHeaders(request('/'), development);
    expect(dev.response['strict-transport-security']).toBeUndefined();
    expect(dev.response['content-security-policy']).toContain("'unsafe-eval'");
  });
});

describe('the API limits', () => {
  type Seen = { clientId: string | undefined; body: string };

  /** A handler that records what reached it, and can be held open to count requests in flight. */
  function api(env: Record<string, string>, hold?: Promise<void>) {
    const seen: Seen[] = [];
    const config = appConfig(env);
    const handler = limitedApi(
      config,
      (req) => Promise.resolve(req.headers.get('x-test-client') ?? undefined),
      async ({ clientId, request: req }) => {
        seen.push({ clientId, body: await req.text() });
        await hold;
        return Response.json({ result: { data: 'ok' } });
      },
    );
    return { seen, handler };
  }
  const call = (path: string, client?: string, address = '203.0.113.7', init: RequestInit = {}) =>
    new Request(`${ORIGIN}/api/trpc/${path}`, {
      ...init,
      headers: {
        ...(client ? { 'x-test-client': client } : {}),
        'x-forwarded-for': address,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  it(`refuses a batch of more than ${MAX_BATCH_CALLS} calls before any runs`, async () => {
    const { seen, handler } = api({});
    const paths = Array.from({ length: 1000 }, () => 'orders.getStatus').join(',');
    const refused = await refusalOf(await handler(call(`${paths}?batch=1&input={}`, 'c-1')));
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          message: `Too many procedure calls in one request: at most ${MAX_BATCH_CALLS} may be batched together.`,
        },
      },
    });
    expect(seen).toHaveLength(0);
    const allowed = Array.from({ length: MAX_BATCH_CALLS }, () => 'orders.getStatus').join(',');
    expect((await handler(call(`${allowed}?batch=1&input={}`, 'c-1'))).status).toBe(200);
  });

  it('counts a body as it arrives: a chunked body over the limit is 413, one under it reaches tRPC whole', async () => {
    const { seen, handler } = api({});
    const chunks = (count: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let index = 0; index < count; index += 1) controller.enqueue(new Uint8Array(16 * 1024).fill(32));
          controller.close();
        },
      });
    const chunked = (count: number) =>
      call('orders.createOrder', 'c-2', undefined, {
        method: 'POST',
        body: chunks(count),
        duplex: 'half',
      });
    const refused = await refusalOf(await handler(chunked(5)));
    expect(refused).toMatchObject({ status: 413, body: { error: { data: { code: 'PAYLOAD_TOO_LARGE' } } } });
    expect(seen).toHaveLength(0);
    expect((await handler(chunked(3))).status).toBe(200);
    expect(seen[0]?.body).toHaveLength(48 * 1024);
  });

  it('rate limits each client by its identity, with Retry-After and a sentence, and leaves others alone', async () => {
    const { seen, handler } = api({ RATE_LIMIT_QUERIES: '5/60s', RATE_LIMIT_MUTATIONS: '2/60s' });
    const statuses: number[] = [];
    for (let index = 0; index < 7; index += 1) statuses.push((await handler(call('orders.getStatus', 'c-a'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await handler(call('orders.getStatus', 'c-a'));
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refusalOf(limited)).toMatchObject({
      status: 429,
      body: {
        error: {
          message: expect.stringMatching(
            /^Too many requests from you right now\. Please wait \d+ seconds? and try again\.$/,
          ),
          data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
        },
      },
    });
    // Another customer on the same address, and the same customer's mutations, have their own budgets.
    expect((await handler(call('orders.getStatus', 'c-b'))).status).toBe(200);
    const post = () => call('orders.cancel', 'c-a', undefined, { method: 'POST', body: '{}' });
    expect([(await handler(post())).status, (await handler(post())).status, (await handler(post())).status]).toEqual([
      200, 200, 429,
    ]);
    // A batch counts each of its calls.
    expect((await handler(call('orders.getStatus,orders.getStatus?batch=1', 'c-c'))).status).toBe(200);
    expect(seen.filter((entry) => entry.clientId === 'c-a')).toHaveLength(7);
  });

  it('limits a client without an identity by its address, with a budget RATE_LIMIT_PER_ADDRESS times larger', async () => {
    const { handler } = api({ RATE_LIMIT_QUERIES: '2/60s', RATE_LIMIT_PER_ADDRESS: '3' });
    const statuses: number[] = [];
    for (let index = 0; index < 7; index += 1)
      statuses.push((await handler(call('orders.getStatus', undefined, '198.51.100.1'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect((await handler(call('orders.getStatus', undefined, '198.51.100.2'))).status).toBe(200);
  });

  it('answers a burst beyond the concurrency cap with 429 at once, and serves the client again when it drains', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { seen, handler } = api({ RATE_LIMIT_CONCURRENT: '3', RATE_LIMIT_QUERIES: '1000/60s' }, hold);
    const burst = Array.from({ length: 50 }, () => handler(call('orders.getStatus', 'c-burst')));
    const other = handler(call('orders.getStatus', 'c-other'));
    // The refusals come back while the first three are still held: nothing waits behind them.
    const early = await Promise.all(burst.slice(3));
    expect(early.every((response) => response.status === 429)).toBe(true);
    release();
    expect((await Promise.all([...burst.slice(0, 3), other])).map((response) => response.status)).toEqual([
      200, 200, 200, 200,
    ]);
    expect(seen.map((entry) => entry.clientId).sort()).toEqual(['c-burst', 'c-burst', 'c-burst', 'c-other']);
    expect((await handler(call('orders.getStatus', 'c-burst'))).status).toBe(200);
  });
});

describe("the proxy's early refusal", () => {
  it('refuses, without counting, a client whose window is spent, and lets others by', async () => {
    const config = appConfig({ RATE_LIMIT_QUERIES: '2/60s', RATE_LIMIT_CONCURRENT: '50' });
    const handler = limitedApi(
      config,
      (req) => Promise.resolve(req.headers.get('x-test-client') ?? undefined),
      () => Promise.resolve(Response.json({ result: { data: 'ok' } })),
    );
    const call = (client: string) =>
      new Request(`${ORIGIN}/api/trpc/orders.order`, {
        headers: { 'x-test-client': client, 'x-forwarded-for': '192.0.2.1' },
      });
    expect(await limitRefusal(call('c-early'), config, 'c-early')).toBeUndefined();
    for (let index = 0; index < 3; index += 1) await handler(call('c-early'));
    const early = await limitRefusal(call('c-early'), config, 'c-early');
    expect(early?.status).toBe(429);
    expect(Number(early?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limitRefusal(call('c-fresh'), config, 'c-fresh')).toBeUndefined();
    // Pages are not the API's to limit.
    expect(await limitRefusal(new Request(`${ORIGIN}/orders`), config, 'c-early')).toBeUndefined();
  });
});

describe('limits shared by two bundles', () => {
  it("answers 429, not 500, when the limiters were made by another bundle's copy of the library", async () => {
    // next build bundles the proxy and the API route apart, each with its own rate-limiter-flexible; the counters
    // are shared through globalThis, so the route consumes from limiters (and catches refusals) the proxy made.
    const config = appConfig({ RATE_LIMIT_QUERIES: '1/60s', RATE_LIMIT_CONCURRENT: '50', RATE_LIMIT_PER_ADDRESS: '7' });
    const call = () =>
      new Request(`${ORIGIN}/api/trpc/orders.order`, {
        headers: { 'x-test-client': 'c-bundles', 'x-forwarded-for': '192.0.2.77' },
      });
    let proxyCopy!: typeof Limits;
    let routeCopy!: typeof Limits;
    jest.isolateModules(() => (proxyCopy = jest.requireActual('../src/server/limits')));
    jest.isolateModules(() => (routeCopy = jest.requireActual('../src/server/limits')));
    expect(proxyCopy.limitedApi).not.toBe(routeCopy.limitedApi);
    expect(await proxyCopy.limitRefusal(call(), config, 'c-bundles')).toBeUndefined();
    const handler = routeCopy.limitedApi(
      config,
      (req) => Promise.resolve(req.headers.get('x-test-client') ?? undefined),
      () => Promise.resolve(Response.json({ result: { data: 'ok' } })),
    );
    expect((await handler(call())).status).toBe(200);
    const refused = await handler(call());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the client address', () => {
  it('is the address Next set, or the one the nearest trusted proxy appended', () => {
    const headers = (value: string) => new Headers({ 'x-forwarded-for': value });
    expect(clientAddress(headers('127.0.0.1'), 0)).toBe('127.0.0.1');
    expect(clientAddress(headers('spoofed, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientAddress(headers('spoofed, 203.0.113.9, 10.0.0.2'), 2)).toBe('203.0.113.9');
    expect(clientAddress(new Headers(), 0)).toBe('unknown');
  });
});
