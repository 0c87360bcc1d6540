import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Faults, Ledger, TEST_CARDS, buildPaymentService, loadConfig } from '../src';

let dir: string;
let ledger: Ledger;
let faults: Faults;
let app: FastifyInstance;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'payments-test-'));
  ledger = new Ledger(join(dir, 'ledger.sqlite'));
  faults = new Faults();
  app = buildPaymentService({ ledger, faults });
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
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
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
      headers: { 'idempotency-key': key('json'), 'content-type': 'application/json' },
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
    const bad = await app.inject({ method: 'PUT', url: '/v1/faults', payload: { errorRate: 2 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { fields: { errorRate: ['must be between 0 and 1'] } } });

    expect((await app.inject({ method: 'PUT', url: '/v1/faults', payload: { outage: true } })).json()).toEqual({
      errorRate: 0,
      latencyMs: 0,
      outage: true,
    });
    const chargeKey = key('outage');
    const down = await post('/v1/charges', chargeKey, aCharge());
    expect(down.statusCode).toBe(503);
    await app.inject({ method: 'PUT', url: '/v1/faults', payload: { outage: false, errorRate: 1 } });
    expect((await post('/v1/charges', chargeKey, aCharge())).statusCode).toBe(500);
    await app.inject({ method: 'PUT', url: '/v1/faults', payload: { errorRate: 0 } });
    expect((await post('/v1/charges', chargeKey, aCharge())).statusCode).toBe(201);
    expect(ledger.entries(0, 100)).toHaveLength(1);
  });

  it('pages through the ledger for reconciliation', async () => {
    for (let i = 0; i < 3; i += 1) await post('/v1/charges', key('page'), aCharge({ orderId: `o-${i}` }));
    const first = (await app.inject({ url: '/v1/ledger?limit=2' })).json<{
      entries: { orderId: string }[];
      nextAfter: number;
    }>();
    expect(first.entries.map((entry) => entry.orderId)).toEqual(['o-0', 'o-1']);
    const rest = (await app.inject({ url: `/v1/ledger?after=${first.nextAfter}&limit=2` })).json<{
      entries: unknown[];
    }>();
    expect(rest).toEqual({ entries: [expect.objectContaining({ orderId: 'o-2', type: 'charge' })] });
    expect((await app.inject({ url: '/v1/ledger?limit=0' })).statusCode).toBe(400);
  });

  it('keeps every stored answer across a restart of the service on the same file', async () => {
    const chargeKey = key('restart');
    const before = (await post('/v1/charges', chargeKey, aCharge())).json();
    await app.close();
    ledger.close();
    ledger = new Ledger(join(dir, 'ledger.sqlite'));
    app = buildPaymentService({ ledger });
    const after = await post('/v1/charges', chargeKey, aCharge());
    expect(after.json()).toEqual(before);
    expect(after.headers['idempotent-replayed']).toBe('true');
  });

  it('requires the API key when one is configured', async () => {
    const secured = buildPaymentService({ ledger, apiKey: 'a-key-of-sixteen-chars' });
    const denied = await secured.inject({
      method: 'POST',
      url: '/v1/charges',
      headers: { 'idempotency-key': key('auth') },
      payload: aCharge(),
    });
    expect(denied.statusCode).toBe(401);
    const allowed = await secured.inject({
      method: 'POST',
      url: '/v1/charges',
      headers: { 'idempotency-key': key('auth'), authorization: 'Bearer a-key-of-sixteen-chars' },
      payload: aCharge(),
    });
    expect(allowed.statusCode).toBe(201);
    expect((await secured.inject({ url: '/healthz' })).statusCode).toBe(200);
    await secured.close();
  });
});

describe('configuration', () => {
  it('reads its variables with defaults, and names every bad one', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', port: 4010, faults: { errorRate: 0, outage: false } });
    expect(loadConfig({})).not.toHaveProperty('apiKey');
    expect(() => loadConfig({ PAYMENTS_PORT: 'x', PAYMENTS_ERROR_RATE: '2', PAYMENTS_OUTAGE: 'yes' })).toThrow(
      /PAYMENTS_PORT[\s\S]*PAYMENTS_ERROR_RATE: must be between 0 and 1[\s\S]*PAYMENTS_OUTAGE: must be "true" or "false"/,
    );
  });
});
