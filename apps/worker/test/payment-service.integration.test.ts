import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { Ledger, buildPaymentService } from '@durable-delivery/payments';
import { parseServerKind, startProjectTemporal, type ProjectTemporal } from '@durable-delivery/temporal-cluster';
import { eventually } from '@durable-delivery/temporal-server';
import {
  checkout,
  getStatusQuery,
  orderWorkflowId,
  type OrderInput,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { spawnWorker, type WorkerProcess } from './processes';

// The real worker process charging through the real payment service over HTTP, on a real Temporal server (the dev
// server, or the full server on PostgreSQL with TEST_TEMPORAL_SERVER=postgres).
let server: ProjectTemporal;
let connection: Connection;
let client: Client;
let ledger: Ledger;
let payments: FastifyInstance;
let worker: WorkerProcess;
let paymentsUrl: string;

beforeAll(async () => {
  const dir = tempDir('worker-payments-it-');
  server = await startProjectTemporal({ kind: parseServerKind(process.env.TEST_TEMPORAL_SERVER), dir });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  ledger = new Ledger(join(dir, 'ledger.sqlite'));
  payments = buildPaymentService({ ledger, apiKey: 'worker-it-payments-key' });
  paymentsUrl = await payments.listen({ host: '127.0.0.1', port: 0 });
  worker = spawnWorker({
    ...server.env,
    PAYMENTS_URL: paymentsUrl,
    PAYMENTS_API_KEY: 'worker-it-payments-key',
    PAYMENTS_TIMEOUT: '2s',
  });
  await worker.waitForLog('worker started');
});

afterAll(async () => {
  worker?.process.signal('SIGKILL');
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

describe('graceful shutdown under load', () => {
  it('finishes in-flight charges on SIGTERM while another worker takes new work: no retries, no workflow task failures', async () => {
    const auth = { authorization: 'Bearer worker-it-payments-key' };
    // Every charge takes a while, so SIGTERM lands while charges are in flight on the stopping worker.
    await payments.inject({ method: 'PUT', url: '/v1/faults', headers: auth, payload: { latencyMs: 1500 } });
    try {
      const orders = Array.from({ length: 4 }, () =>
        anOrder({ windows: { pickup: '1 minute', ratePrompt: '1 second', rating: '1 second' } }),
      );
      // Bounds on a hang, generous: on a busy two-core machine four checkouts behind 1.5 s charges took over 20 s.
      const checkouts = orders.map((input) => checkout(client, input, { waitUpTo: 120_000 }));
      const handles = orders.map((input) => client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId)));
      // All four charges have started on the first worker (the only one polling so far); checkout perks come first.
      await eventually(async () => {
        const running = await Promise.all(
          handles.map((handle) =>
            handle
              .describe()
              .then((description) =>
                description.raw.pendingActivities?.some(
                  (activity) => activity.activityType?.name === 'chargeCustomer' && activity.lastStartedTime,
                ),
              )
              // Not started yet: the checkout request may still be on its way.
              .catch(() => false),
          ),
        );
        return running.every(Boolean) ? true : undefined;
      }, 600);

      const second = spawnWorker({
        ...server.env,
        PAYMENTS_URL: paymentsUrl,
        PAYMENTS_API_KEY: 'worker-it-payments-key',
      });
      await second.waitForLog('worker started');
      // The worker's identity as the server records it (the SDK's default: pid@host).
      const stoppedIdentity = `${worker.process.pid}@${hostname()}`;
      worker.process.signal('SIGTERM');
      expect(await worker.exited).toBe(0);
      worker = second;

      for (const result of await Promise.all(checkouts)) expect(result.outcome).toBe('paid');
      for (const [index, handle] of handles.entries()) {
        const history = await handle.fetchHistory();
        const types = (history.events ?? []).map((event) =>
          Object.keys(event).find((key) => key.endsWith('Attributes')),
        );
        expect(types).not.toContain('workflowTaskFailedEventAttributes');
        // Two timeouts are allowed, both waits while the order moves to the other worker, not failures: a workflow
        // task sent to the stopping worker's sticky queue after it stopped taking workflow tasks waits out the queue's
        // schedule-to-start timeout and goes to the shared queue; and a task the server handed to the stopping
        // worker's last long poll just as shutdown cut that poll off is lost in transit and times out (start to
        // close) — the SDK interrupts its polls on shutdown, and relies on that timeout (temporalio/sdk-rust#1080).
        // Any other timeout, or one of a task another worker started, is one.
        const { TimeoutType } = temporal.api.enums.v1;
        const events = history.events ?? [];
        const unexpected = events.flatMap((event) => {
          const timedOut = event.workflowTaskTimedOutEventAttributes;
          if (!timedOut || timedOut.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) return [];
          const startedBy = events.find((other) => String(other.eventId) === String(timedOut.startedEventId))
            ?.workflowTaskStartedEventAttributes?.identity;
          const lostPoll =
            timedOut.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE && startedBy === stoppedIdentity;
          return lostPoll ? [] : [{ timeoutType: timedOut.timeoutType, startedBy }];
        });
        expect(unexpected).toEqual([]);
        // The charge finished on the stopping worker, first time: nothing was cut off and retried.
        const scheduled = events.find(
          (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chargeCustomer',
        );
        const started = events.find(
          (event) =>
            scheduled?.eventId !== undefined &&
            String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
        );
        expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(1);
        expect(ledgerOf(orders[index]!.orderId).filter((entry) => entry.type === 'charge')).toHaveLength(1);
        await handle.cancel();
      }
    } finally {
      await payments.inject({ method: 'PUT', url: '/v1/faults', headers: auth, payload: { latencyMs: 0 } });
    }
  });
});
