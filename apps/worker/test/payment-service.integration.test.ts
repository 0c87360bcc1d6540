import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { Ledger, buildPaymentService } from '@durable-delivery/payments';
import { eventually, freePort, type DevServer } from '@durable-delivery/temporal-server';
import {
  checkout,
  getStatusQuery,
  orderWorkflowId,
  type OrderInput,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { spawnWorker, type WorkerProcess } from './processes';

// The real worker process charging through the real payment service over HTTP, on a real dev server.
let server: DevServer;
let connection: Connection;
let client: Client;
let ledger: Ledger;
let payments: FastifyInstance;
let worker: WorkerProcess;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-payments-it-'));
  server = await startProjectDevServer({
    port: await freePort(),
    headless: true,
    dbFilename: join(dir, 'dev.sqlite'),
    stdio: 'ignore',
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  ledger = new Ledger(join(dir, 'ledger.sqlite'));
  payments = buildPaymentService({ ledger, apiKey: 'worker-it-payments-key' });
  const paymentsUrl = await payments.listen({ host: '127.0.0.1', port: 0 });
  worker = spawnWorker({
    TEMPORAL_ADDRESS: server.address,
    PAYMENTS_URL: paymentsUrl,
    PAYMENTS_API_KEY: 'worker-it-payments-key',
    PAYMENTS_TIMEOUT: '2s',
  });
  await worker.waitForLog('worker started');
});

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await payments?.close();
  ledger?.close();
  await connection?.close();
  await server?.stop();
});

let orderCount = 0;
function anOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId: `pay-it-${Date.now()}-${++orderCount}`,
    customerId: `customer-${orderCount}`,
    items: [{ productId: 'ramen', quantity: 1 }],
    deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
    paymentMethod: 'tok_visa',
    windows: { pickup: '1 second', ratePrompt: '1 second', rating: '1 second' },
    ...overrides,
  };
}

function ledgerOf(orderId: string) {
  return ledger
    .entries(0, 1000)
    .filter((entry) => entry.orderId === orderId || entry.idempotencyKey.startsWith(`order-${orderId}:`));
}

describe('the worker with the payment service', () => {
  it('charges through the service, and refunds through it when nobody picks the order up', async () => {
    const input = anOrder();
    const payment = await checkout(client, input, { waitUpTo: 30_000 });
    expect(payment.outcome).toBe('paid');
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    await expect(handle.result()).rejects.toThrow('Workflow execution failed');
    expect(await handle.query(getStatusQuery)).toMatchObject({ state: 'refunded', refundedCents: 1600 + 299 });
    expect(ledgerOf(input.orderId).map((entry) => [entry.type, entry.amountCents])).toEqual([
      ['charge', 1600 + 299],
      ['refund', 1600 + 299],
    ]);
  });

  it('fails fast on a decline from the service, and charges nothing', async () => {
    const input = anOrder({ paymentMethod: 'tok_chargeDeclinedExpiredCard' });
    const payment = await checkout(client, input, { waitUpTo: 30_000 });
    expect(payment).toMatchObject({ outcome: 'declined', reason: 'Your card has expired.' });
    expect(ledgerOf(input.orderId).map((entry) => entry.type)).toEqual(['decline']);
  });

  it('keeps retrying through an outage and carries on when the service comes back, charging once', async () => {
    await payments.inject({
      method: 'PUT',
      url: '/v1/faults',
      headers: { authorization: 'Bearer worker-it-payments-key' },
      payload: { outage: true },
    });
    const input = anOrder({ windows: { pickup: '1 minute', ratePrompt: '1 second', rating: '1 second' } });
    const during = await checkout(client, input, { waitUpTo: 3_000 });
    expect(during.outcome).toBe('charging');
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    // The retries are visible in the order's pending activity, as the Web UI shows them.
    await eventually(async () => {
      const description = await handle.describe();
      const pending = description.raw.pendingActivities?.[0];
      return pending && (pending.attempt ?? 0) >= 2 ? pending : undefined;
    });

    await payments.inject({
      method: 'PUT',
      url: '/v1/faults',
      headers: { authorization: 'Bearer worker-it-payments-key' },
      payload: { outage: false },
    });
    await eventually(async () => ((await handle.query(getStatusQuery)).state === 'paid' ? true : undefined));
    expect(ledgerOf(input.orderId).filter((entry) => entry.type === 'charge')).toHaveLength(1);
    await handle.cancel();
  });
});
