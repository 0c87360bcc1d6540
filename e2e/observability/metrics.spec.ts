import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { expect, test } from '../harness/console-guard';
import { newDriver, urls } from '../harness/app';
import { startPrometheus, type Prometheus } from '../harness/prometheus';

/**
 * A real Prometheus scrapes every process of the running stack — the worker's SDK endpoint, both services, both
 * apps — while real orders go through the apps' HTTP APIs, and the counters move by exactly what those orders did.
 * The specs run one at a time and the orders of earlier specs have settled (their windows outlast the suite, the
 * short-pickup one's refund happened in its own spec), so these orders are the only ones moving the counters.
 */
let prometheus: Prometheus;

test.beforeAll(async () => {
  const scrape = JSON.parse(process.env.E2E_SCRAPE_TARGETS ?? '{}') as Record<string, string>;
  const host = (url: string) => new URL(url).host;
  const token = scrape.token!;
  prometheus = await startPrometheus([
    { job: 'worker', target: scrape.worker!, path: '/metrics', token },
    { job: 'payments', target: host(scrape.payments!), path: '/metrics', token },
    { job: 'notifications', target: host(scrape.notifications!), path: '/metrics', token },
    { job: 'menu', target: host(urls().menu), path: '/api/metrics', token },
    { job: 'driver', target: host(urls().driver), path: '/api/metrics', token },
  ]);
});

test.afterAll(async () => {
  await prometheus?.stop();
});

const COUNTERS = {
  placed: 'sum(orders_placed_total{job="worker"})',
  paid: 'sum(orders_paid_total{job="worker"})',
  declined: 'sum(orders_payment_failed_total{job="worker",reason="declined"})',
  delivered: 'sum(orders_delivered_total{job="worker"})',
  cancelled: 'sum(orders_cancelled_total{job="worker",by="customer"})',
  refundedOnCancel: 'sum(orders_refunded_total{job="worker",reason="cancelledByCustomer"})',
  paymentTimings: 'sum(orders_payment_duration_seconds_count{job="worker"})',
  chargeActivities: 'sum(temporal_activity_execution_latency_count{job="worker",activity_type="chargeCustomer"})',
  createOrderCalls: 'sum(trpc_requests_total{job="menu",procedure="orders.createOrder",code="OK"})',
  cancelCalls: 'sum(trpc_requests_total{job="menu",procedure="orders.cancel",code="OK"})',
  pickUpCalls: 'sum(trpc_requests_total{job="driver",procedure="deliveries.pickUp",code="OK"})',
  pickUpConflicts: 'sum(trpc_requests_total{job="driver",procedure="deliveries.pickUp",code="CONFLICT"})',
  charges: 'sum(payments_answers_total{job="payments",operation="charge",outcome="succeeded"})',
  declines: 'sum(payments_answers_total{job="payments",operation="charge",outcome="declined"})',
  refunds: 'sum(payments_answers_total{job="payments",operation="refund",outcome="refunded"})',
  chargeRequests: 'sum(http_server_requests_total{job="payments",route="/v1/charges"})',
  pickedUpNotices: 'sum(notifications_stored_total{job="notifications",kind="pickedUp"})',
  deliveredNotices: 'sum(notifications_stored_total{job="notifications",kind="delivered"})',
} as const;
type Counter = keyof typeof COUNTERS;

async function readAll(): Promise<Record<Counter, number>> {
  const entries = await Promise.all(
    Object.entries(COUNTERS).map(async ([name, promql]) => [name, await prometheus.query(promql)] as const),
  );
  return Object.fromEntries(entries) as Record<Counter, number>;
}

async function trpc(api: APIRequestContext, procedure: string, input: unknown) {
  const response = await api.post(`/api/trpc/${procedure}`, { data: input });
  return { status: response.status(), body: (await response.json()) as { result?: { data?: { outcome?: string } } } };
}

let nextOrder = 0;
const anOrder = (paymentMethod: string) => ({
  orderId: `metrics-${Date.now()}-${++nextOrder}`,
  items: [{ productId: 'tacos', quantity: 1 }],
  deliveryAddress: { street: '1 Main Street', city: 'Springfield', postalCode: '12345' },
  paymentMethod,
});

test('real orders move the worker’s, the services’ and the apps’ counters by exactly what they did', async () => {
  const before = await readAll();

  const customer = await playwrightRequest.newContext({ baseURL: urls().menu });
  await customer.get('/'); // the menu's proxy issues the customer cookie
  const driver = await playwrightRequest.newContext({ baseURL: urls().driver });
  const mia = await newDriver('mia');
  const signedIn = await driver.post('/api/session', { data: { username: mia.username, password: mia.password } });
  expect(signedIn.status()).toBe(200);

  // Three orders delivered (one pick-up tried twice: the second is refused), one declined, one cancelled after payment.
  const delivered = [anOrder('tok_visa'), anOrder('tok_visa'), anOrder('tok_visa')];
  for (const order of delivered) {
    expect((await trpc(customer, 'orders.createOrder', order)).body.result?.data?.outcome).toBe('paid');
    expect((await trpc(driver, 'deliveries.pickUp', { orderId: order.orderId })).status).toBe(200);
    expect((await trpc(driver, 'deliveries.deliver', { orderId: order.orderId })).status).toBe(200);
  }
  expect((await trpc(driver, 'deliveries.pickUp', { orderId: delivered[0]!.orderId })).status).toBe(409);
  const declined = anOrder('tok_chargeDeclinedInsufficientFunds');
  expect((await trpc(customer, 'orders.createOrder', declined)).body.result?.data?.outcome).toBe('declined');
  const cancelled = anOrder('tok_visa');
  expect((await trpc(customer, 'orders.createOrder', cancelled)).body.result?.data?.outcome).toBe('paid');
  expect((await trpc(customer, 'orders.cancel', { orderId: cancelled.orderId })).status).toBe(200);

  const expected: Record<Counter, number> = {
    placed: 5,
    paid: 4,
    declined: 1,
    delivered: 3,
    cancelled: 1,
    refundedOnCancel: 1,
    paymentTimings: 5,
    chargeActivities: 5,
    createOrderCalls: 5,
    cancelCalls: 1,
    pickUpCalls: 3,
    pickUpConflicts: 1,
    charges: 4,
    declines: 1,
    refunds: 1,
    chargeRequests: 5,
    pickedUpNotices: 3,
    deliveredNotices: 3,
  };
  // Scrapes happen every second and a cancellation refunds in the background: wait (bounded) until every counter
  // has moved at least as far as expected, then require exactly that. Counters only grow, so a counter that counted
  // something twice is caught here.
  let after = before;
  for (let attempt = 0; attempt < 60; attempt++) {
    after = await readAll();
    const reached = (Object.keys(expected) as Counter[]).every((name) => after[name] - before[name] >= expected[name]);
    if (reached) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const moved = Object.fromEntries(
    (Object.keys(expected) as Counter[]).map((name) => [name, after[name] - before[name]]),
  );
  expect(moved).toEqual(expected);

  await customer.dispose();
  await driver.dispose();
});

test('every metrics endpoint answers only a scrape with the metrics token', async () => {
  const scrape = JSON.parse(process.env.E2E_SCRAPE_TARGETS ?? '{}') as Record<string, string>;
  const endpoints = [
    `http://${scrape.worker}/metrics`,
    `${scrape.payments}/metrics`,
    `${scrape.notifications}/metrics`,
    `${urls().menu}/api/metrics`,
    `${urls().driver}/api/metrics`,
  ];
  for (const endpoint of endpoints) {
    const status = async (authorization?: string) =>
      (await fetch(endpoint, authorization ? { headers: { authorization } } : {})).status;
    expect({ endpoint, status: await status() }).toEqual({ endpoint, status: 401 });
    expect({ endpoint, status: await status('Bearer not-the-metrics-token') }).toEqual({ endpoint, status: 401 });
    expect({ endpoint, status: await status(`Bearer ${scrape.token}`) }).toEqual({ endpoint, status: 200 });
  }
});
