import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import type { FastifyInstance } from 'fastify';
import { Faults, Ledger, TEST_CARDS, buildPaymentService, loadConfig } from '../src';

// The key every caller presents; a service has no open mode.
const API_KEY = 'payments-test-key-0123456789';
const AUTH = { authorization: `Bearer ${API_KEY}` };

let dir: string;
let ledger: Ledger;
let faults: Faults;
let app: FastifyInstance;

beforeEach(() => {
  dir = tempDir('payments-test-');
  ledger = new Ledger(join(dir, 'ledger.sqlite'));
  faults = new Faults();
  app = buildPaymentService({ ledger, faults, apiKey: API_KEY });
});

afterEach(async () => {
  await app.close();
  ledger.close();
});

let nextKey = 0;
const key = (name: string) => `${name}-${++nextKey}`;

function aCharge(overrides: Record<string, unknown> = {}) {
  return {
    orderId: 'o-1',
    customerId: 'c-1',
    amountCents: 3199,
    currency: 'USD',
    paymentMethod: TEST_CARDS.visa,
    ...overrides,
  };
}

function post(url: string, idempotencyKey: string | undefined, payload: unknown) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...AUTH, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    payload: payload as Record<string, unknown>,
  });
}

describe('charges', () => {
  it('charges once per key: the same key answers the same stored charge, marked as replayed', async () => {
    const chargeKey = key('charge');
    const first = await post('/v1/charges', chargeKey, aCharge());
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ object: 'charge', status: 'succeeded', amountCents: 3199 });
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const again = await post('/v1/charges', chargeKey, aCharge());
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(ledger.entries(0, 100).filter((entry) => entry.type === 'charge')).toHaveLength(1);
  });

  it('stores a decline too: the same key declines again, without asking the card network twice', async () => {
    const chargeKey = key('decline');
    const declined = await post('/v1/charges', chargeKey, aCharge({ paymentMethod: TEST_CARDS.insufficientFunds }));
    expect(declined.statusCode).toBe(402);
    expect(declined.json()).toEqual({
      error: { type: 'card_error', code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    });
    const again = await post('/v1/charges', chargeKey, aCharge({ paymentMethod: TEST_CARDS.insufficientFunds }));
    expect(again.statusCode).toBe(402);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(
      (await post('/v1/charges', key('expired'), aCharge({ paymentMethod: TEST_CARDS.expiredCard }))).json(),
    ).toMatchObject({
      error: { code: 'expired_card' },
    });
  });

  it('refuses the same key with different parameters with 422, and keeps the first answer', async () => {
    const chargeKey = key('reuse');
    await post('/v1/charges', chargeKey, aCharge());
    const reused = await post('/v1/charges', chargeKey, aCharge({ amountCents: 1 }));
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({
      error: { type: 'idempotency_error', message: expect.stringContaining(chargeKey) },
    });
    expect((await post('/v1/charges', chargeKey, aCharge())).statusCode).toBe(201);
  });

  it('fails the flaky card twice with a retryable 503, stores nothing for those, then charges', async () => {
    const chargeKey = key('flaky');
    const flaky = aCharge({ paymentMethod: TEST_CARDS.flaky });
    expect((await post('/v1/charges', chargeKey, flaky)).statusCode).toBe(503);
    expect((await post('/v1/charges', chargeKey, flaky)).statusCode).toBe(503);
    const third = await post('/v1/charges', chargeKey, flaky);
    expect(third.statusCode).toBe(201);
    expect(third.headers['idempotent-replayed']).toBeUndefined();
  });

  it('answers a malformed request with 400 naming every bad field, and charges nothing', async () => {
    const bad = await post('/v1/charges', key('bad'), { ...aCharge({ amountCents: -5, currency: 'EUR' }), extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        fields: {
          amountCents: ['must be more than 0'],
          currency: ['must be "USD"'],
          charge: [expect.stringContaining('extra')],
        },
      },
    });
    const noKey = await post('/v1/charges', undefined, aCharge());
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json()).toMatchObject({
      error: { message: expect.stringContaining('Idempotency-Key header is required') },
    });

    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/charges',
      headers: { ...AUTH, 'idempotency-key': key('json'), 'content-type': 'application/json' },
      payload: '{"orderId": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
    });
    expect(ledger.entries(0, 100)).toEqual([]);
  });
});

describe('refunds', () => {
  it('refunds up to what was charged, once per key, and never more', async () => {
    const chargeKey = key('charge');
    await post('/v1/charges', chargeKey, aCharge({ amountCents: 1000 }));
    const refundKey = key('refund');
    const first = await post('/v1/refunds', refundKey, { chargeIdempotencyKey: chargeKey, amountCents: 600 });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ object: 'refund', refundedCents: 600 });
    expect(
      (await post('/v1/refunds', refundKey, { chargeIdempotencyKey: chargeKey, amountCents: 600 })).json(),
    ).toEqual(first.json());

    const tooMuch = await post('/v1/refunds', key('refund'), { chargeIdempotencyKey: chargeKey, amountCents: 401 });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({
      error: { code: 'refund_exceeds_charge', message: expect.stringContaining('only 400 cents') },
    });
    expect(
      (await post('/v1/refunds', key('refund'), { chargeIdempotencyKey: chargeKey, amountCents: 400 })).statusCode,
    ).toBe(201);
    const refunds = ledger.entries(0, 100).filter((entry) => entry.type === 'refund');
    expect(refunds.reduce((sum, entry) => sum + entry.amountCents, 0)).toBe(1000);
  });

  it('answers a refund of a charge that never happened with nothing refunded', async () => {
    const answer = await post('/v1/refunds', key('refund'), {
      chargeIdempotencyKey: 'never-charged',
      amountCents: 100,
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ refundedCents: 0, id: null });
  });
});

describe('faults, ledger and durability', () => {
  it('turns an outage and an error rate on and off at runtime, storing nothing while failing', async () => {
    const bad = await app.inject({ method: 'PUT', url: '/v1/faults', headers: AUTH, payload: { errorRate: 2 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { fields: { errorRate: ['must be between 0 and 1'] } } });

    expect(
      (await app.inject({ method: 'PUT', url: '/v1/faults', headers: AUTH, payload: { outage: true } })).json(),
    ).toEqual({
      errorRate: 0,
      latencyMs: 0,
      outage: true,
    });
    const chargeKey = key('outage');
    const down = await post('/v1/charges', chargeKey, aCharge());
    expect(down.statusCode).toBe(503);
    await app.inject({ method: 'PUT', url: '/v1/faults', headers: AUTH, payload: { outage: false, errorRate: 1 } });
    expect((await post('/v1/charges', chargeKey, aCharge())).statusCode).toBe(500);
    await app.inject({ method: 'PUT', url: '/v1/faults', headers: AUTH, payload: { errorRate: 0 } });
    expect((await post('/v1/charges', chargeKey, aCharge())).statusCode).toBe(201);
    expect(ledger.entries(0, 100)).toHaveLength(1);
  });

  it('pages through the ledger for reconciliation', async () => {
    for (let i = 0; i < 3; i += 1) await post('/v1/charges', key('page'), aCharge({ orderId: `o-${i}` }));
    const first = (await app.inject({ headers: AUTH, url: '/v1/ledger?limit=2' })).json<{
      entries: { orderId: string }[];
      nextAfter: number;
    }>();
    expect(first.entries.map((entry) => entry.orderId)).toEqual(['o-0', 'o-1']);
    const rest = (await app.inject({ headers: AUTH, url: `/v1/ledger?after=${first.nextAfter}&limit=2` })).json<{
      entries: unknown[];
    }>();
    expect(rest).toEqual({ entries: [expect.objectContaining({ orderId: 'o-2', type: 'charge' })] });
    expect((await app.inject({ headers: AUTH, url: '/v1/ledger?limit=0' })).statusCode).toBe(400);
  });

  it('keeps every stored answer across a restart of the service on the same file', async () => {
    const chargeKey = key('restart');
    const before = (await post('/v1/charges', chargeKey, aCharge())).json();
    await app.close();
    ledger.close();
    ledger = new Ledger(join(dir, 'ledger.sqlite'));
    app = buildPaymentService({ ledger, apiKey: API_KEY });
    const after = await post('/v1/charges', chargeKey, aCharge());
    expect(after.json()).toEqual(before);
    expect(after.headers['idempotent-replayed']).toBe('true');
  });

  it('answers a body over its limit with 413 in its error shape, and stores nothing', async () => {
    const huge = await post('/v1/charges', key('huge'), aCharge({ description: 'x'.repeat(100 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'The request body is too large: at most 65536 bytes.' },
    });
    expect(ledger.entries(0, 100)).toHaveLength(0);
  });
});

describe('callers and hosts', () => {
  // Every endpoint but the probes, and paths that do not exist (nothing to learn from a 404 either).
  const ENDPOINTS = [
    ['POST', '/v1/charges'],
    ['POST', '/v1/refunds'],
    ['GET', '/v1/ledger'],
    ['GET', '/v1/faults'],
    ['PUT', '/v1/faults'],
    ['GET', '/v1/no-such-thing'],
  ] as const;
  const UNAUTHORIZED = { error: { type: 'authentication_error', message: 'Unauthorized.' } };

  it('refuses every endpoint without the key, or with a wrong one, with a bare 401, and changes nothing', async () => {
    const wrong = [undefined, 'Bearer not-the-payments-key-at-all', API_KEY, `Basic ${API_KEY}`, `Bearer ${API_KEY}x`];
    for (const [method, url] of ENDPOINTS) {
      for (const authorization of wrong) {
        const answer = await app.inject({
          method,
          url,
          headers: { 'idempotency-key': key('no-key'), ...(authorization ? { authorization } : {}) },
          payload: method === 'GET' ? undefined : method === 'PUT' ? { outage: true } : aCharge(),
        });
        expect({ method, url, authorization, status: answer.statusCode }).toEqual({
          method,
          url,
          authorization,
          status: 401,
        });
        expect(answer.json()).toEqual(UNAUTHORIZED);
      }
    }
    expect(ledger.entries(0, 100)).toHaveLength(0);
    expect(faults.current.outage).toBe(false);
    // The probes answer anyone; with the key, the same endpoints work.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await post('/v1/charges', key('with-key'), aCharge())).statusCode).toBe(201);
    expect((await app.inject({ url: '/v1/ledger', headers: AUTH })).statusCode).toBe(200);
  });

  it('answers only for its own host names: a rebound DNS name is refused with 421, probes and metrics too', async () => {
    for (const host of ['localhost:4010', '127.0.0.1:4010', '[::1]:4010', 'LOCALHOST', '10.1.2.3:4010']) {
      const answer = await app.inject({ url: '/v1/ledger', headers: { ...AUTH, host } });
      expect({ host, status: answer.statusCode }).toEqual({ host, status: 200 });
    }
    for (const host of ['attacker.example:4010', 'attacker.example', 'localhost.attacker.example']) {
      for (const url of ['/v1/ledger', '/healthz', '/metrics']) {
        const answer = await app.inject({ url, headers: { ...AUTH, host } });
        expect({ host, url, status: answer.statusCode }).toEqual({ host, url, status: 421 });
        expect(answer.json()).toEqual({
          error: { type: 'invalid_request_error', message: 'This server does not answer for that host name.' },
        });
      }
    }
    // A name it is configured for (PAYMENTS_ALLOWED_HOSTS), as compose calls it.
    const named = buildPaymentService({
      ledger,
      apiKey: API_KEY,
      allowedHosts: loadConfig({ PAYMENTS_API_KEY: API_KEY, PAYMENTS_ALLOWED_HOSTS: 'payments' }).allowedHosts,
    });
    expect((await named.inject({ url: '/v1/ledger', headers: { ...AUTH, host: 'payments:4010' } })).statusCode).toBe(
      200,
    );
    expect((await named.inject({ url: '/v1/ledger', headers: { ...AUTH, host: 'other:4010' } })).statusCode).toBe(421);
    await named.close();
  });

  it('serves /metrics to the metrics token only, never to the API key', async () => {
    const scraped = buildPaymentService({ ledger, apiKey: API_KEY, metricsToken: 'metrics-token-0123456789' });
    const scrape = (authorization?: string) =>
      scraped.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${API_KEY}`]) {
      const answer = await scrape(authorization);
      expect({ authorization, status: answer.statusCode }).toEqual({ authorization, status: 401 });
      expect(answer.json()).toEqual(UNAUTHORIZED);
    }
    const allowed = await scrape('Bearer metrics-token-0123456789');
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('http_server_requests_total');
    await scraped.close();
    // Without a token configured, nobody scrapes it.
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer ' } })).statusCode).toBe(401);
  });
});

describe('configuration', () => {
  it('reads its variables with defaults, and names every bad one', () => {
    const key = { PAYMENTS_API_KEY: API_KEY };
    expect(loadConfig(key)).toMatchObject({
      host: '127.0.0.1',
      port: 4010,
      apiKey: API_KEY,
      faults: { errorRate: 0, outage: false },
    });
    expect([...loadConfig(key).allowedHosts].sort()).toEqual(['127.0.0.1', '::1', 'localhost']);
    expect(loadConfig(key)).not.toHaveProperty('metricsToken');
    expect(() => loadConfig({ ...key, PAYMENTS_PORT: 'x', PAYMENTS_ERROR_RATE: '2', PAYMENTS_OUTAGE: 'yes' })).toThrow(
      /PAYMENTS_PORT[\s\S]*PAYMENTS_ERROR_RATE: must be between 0 and 1[\s\S]*PAYMENTS_OUTAGE: must be "true" or "false"/,
    );
  });

  it('refuses to start without its API key, naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/PAYMENTS_API_KEY: is required/);
    expect(() => loadConfig({ PAYMENTS_API_KEY: 'short' })).toThrow(/PAYMENTS_API_KEY: must be at least 16 characters/);
    expect(
      [
        ...loadConfig({
          PAYMENTS_API_KEY: API_KEY,
          PAYMENTS_HOST: '10.0.0.5',
          PAYMENTS_ALLOWED_HOSTS: 'payments, pay.internal',
        }).allowedHosts,
      ].sort(),
    ).toEqual(['10.0.0.5', '127.0.0.1', '::1', 'localhost', 'pay.internal', 'payments']);
  });
});
