import { get as httpGet } from 'node:http';
import { resolve } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { metricValue } from '@durable-delivery/telemetry';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { parseServerKind, startProjectTemporal, type ProjectTemporal } from '@durable-delivery/temporal-cluster';
import { eventually, freePort } from '@durable-delivery/temporal-server';
import {
  checkout,
  deliverUpdate,
  getStatusQuery,
  orderWorkflowId,
  pickUpUpdate,
  rateUpdate,
  waitForPaymentUpdate,
  type OrderInput,
  type OrderWorkflow,
} from '@durable-delivery/workflows';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { spawnWorker, type WorkerProcess } from './processes';

// One real Temporal server — the dev server (file-backed, as under `pnpm dev`), or the full server on PostgreSQL
// (TEST_TEMPORAL_SERVER=postgres) — and real worker processes, all on loopback. The worker learns which server only
// from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; the namespace is not "default", so that setting is exercised too.
const kind = parseServerKind(process.env.TEST_TEMPORAL_SERVER);
let server: ProjectTemporal;
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startProjectTemporal({ kind, dir: tempDir('worker-it-'), namespace: 'orders' });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
});

afterAll(async () => {
  for (const worker of workers) worker.process.signal('SIGKILL');
  await connection?.close();
  await server?.stop();
});

async function startWorker(env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const worker = spawnWorker({ ...server.env, ...env });
  workers.push(worker);
  await worker.waitForLog('worker started');
  return worker;
}

let orderCount = 0;
function anOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    orderId: `it-${Date.now()}-${++orderCount}`,
    customerId: `customer-${orderCount}`,
    items: [{ productId: 'poke', quantity: 2 }],
    deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
    paymentMethod: 'tok_visa',
    // Real time on a real server: keep the tail of the order short.
    windows: { ratePrompt: '1 second', rating: '1 second' },
    ...overrides,
  };
}

function placeOrder(input: OrderInput) {
  return checkout(client, input, { waitUpTo: 30_000 });
}

describe(`the worker on a real Temporal ${kind === 'dev' ? 'dev server' : 'server on PostgreSQL'}`, () => {
  it('runs an order end to end, and the order is found by a visibility query on each search attribute', async () => {
    const worker = await startWorker();
    const input = anOrder();
    const payment = await placeOrder(input);
    expect(payment.outcome).toBe('paid');

    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-it' }] });
    await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-it' }] });
    await handle.executeUpdate(rateUpdate, { args: [{ stars: 5 }] });
    const final = await handle.result();
    expect(final.state).toBe('delivered');
    expect(final.rating?.stars).toBe(5);

    const since = final.transitions[0]!.at;
    for (const query of [
      `OrderState = 'delivered'`,
      `CustomerId = '${input.customerId}'`,
      `DriverId = 'driver-it'`,
      `OrderTotalCents = ${final.totalCents}`,
      `OrderStateSince >= '${since}'`,
    ]) {
      const ids = await eventually(async () => {
        const found: string[] = [];
        for await (const execution of client.workflow.list({
          query: `${query} AND WorkflowId = '${handle.workflowId}'`,
        })) {
          found.push(execution.workflowId);
        }
        return found.length > 0 ? found : undefined;
      });
      expect(ids).toEqual([handle.workflowId]);
    }
    // The worker logs carry the order id, and the trace id: the workflow's and its activities' lines share one.
    const paid = worker.logs.find((entry) => entry.orderId === input.orderId && entry.message === 'order paid');
    const charged = worker.logs.find(
      (entry) => entry.orderId === input.orderId && entry.message === 'charged customer',
    );
    expect(paid?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(charged?.traceId).toBe(paid?.traceId);
  });

  it('rejects an invalid order sent with update-with-start, naming the problem, and the workflow fails fast', async () => {
    await startWorker();
    const input = anOrder({ items: [{ productId: 'unicorn-steak', quantity: 1 }] });
    // orderStartOptions refuses this up front; send it raw, as a buggy or hostile caller could.
    const start = new WithStartWorkflowOperation<OrderWorkflow>('order', {
      workflowId: orderWorkflowId(input.orderId),
      taskQueue: 'orders',
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const error = await client.workflow
      .executeUpdateWithStart(waitForPaymentUpdate, { startWorkflowOperation: start })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toBe(
      'Invalid order: Item 1: unknown product "unicorn-steak".',
    );
    const handle = await start.workflowHandle();
    await expect(handle.result()).rejects.toMatchObject({
      cause: { message: 'Invalid order: Item 1: unknown product "unicorn-steak".' },
    });
  });

  it('loses nothing when the worker is killed mid-order: another worker carries on', async () => {
    const first = await startWorker();
    const input = anOrder();
    expect((await placeOrder(input)).outcome).toBe('paid');
    first.process.signal('SIGKILL');
    await first.exited;

    await startWorker();
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-2' }] });
    await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-2' }] });
    const final = await handle.result();
    expect(final.state).toBe('delivered');
    expect(final.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'pickedUp', 'delivered']);
    // And the whole history, written across two processes, replays against the current code.
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: resolve(__dirname, '../dist/workflow-bundle.js') }, ...temporalWorkerTelemetry() },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  });

  it('counts an order once: a worker that replays its history after a crash counts only what happens next', async () => {
    // Its own task queue, so exactly these two workers (one after the other) run this order.
    const taskQueue = `replay-metrics-${Date.now()}`;
    const withMetrics = async () => {
      const port = await freePort();
      const worker = spawnWorker({
        ...server.env,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      });
      workers.push(worker);
      await worker.waitForLog('worker started');
      const scrape = async (name: string) =>
        metricValue(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), name);
      return { worker, scrape };
    };
    const first = await withMetrics();
    const input = anOrder();
    expect((await checkout(client, input, { waitUpTo: 30_000, taskQueue })).outcome).toBe('paid');
    expect(await first.scrape('orders_placed_total')).toBe(1);
    expect(await first.scrape('orders_paid_total')).toBe(1);
    expect(await first.scrape('orders_payment_duration_seconds_count')).toBe(1);
    first.worker.process.signal('SIGKILL');
    await first.worker.exited;

    // The second worker rebuilds the order by replaying its whole history, then takes the driver's updates.
    const second = await withMetrics();
    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-3' }] });
    await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-3' }] });
    expect((await handle.result()).state).toBe('delivered');
    expect(await second.scrape('orders_delivered_total')).toBe(1);
    expect(await second.scrape('orders_placed_total')).toBe(0);
    expect(await second.scrape('orders_paid_total')).toBe(0);
    expect(await second.scrape('orders_payment_duration_seconds_count')).toBe(0);
  });

  it('carries on orders it evicted from its cache: each one is rebuilt from its history at its next task', async () => {
    // A cache of one: every order but the last one touched is evicted, so each update below lands on a replay. Its
    // own task queue, so no other worker of this file takes these orders.
    const taskQueue = `cache-${Date.now()}`;
    await startWorker({ WORKER_MAX_CACHED_WORKFLOWS: '1', TEMPORAL_TASK_QUEUE: taskQueue });
    const inputs = [anOrder(), anOrder(), anOrder()];
    for (const input of inputs) {
      expect((await checkout(client, input, { waitUpTo: 30_000, taskQueue })).outcome).toBe('paid');
    }
    const handles = inputs.map((input) => client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId)));
    for (const handle of handles) await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-4' }] });
    for (const handle of handles) await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-4' }] });
    for (const handle of handles) {
      const final = await handle.result();
      expect(final.transitions.map((t) => t.state)).toEqual(['charging', 'paid', 'pickedUp', 'delivered']);
    }
  });

  it('keeps orders across a Temporal server restart', async () => {
    await startWorker();
    const input = anOrder({ windows: { pickup: '10 minutes', ratePrompt: '1 second', rating: '1 second' } });
    expect((await placeOrder(input)).outcome).toBe('paid');

    await server.restart();

    const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(input.orderId));
    const status = await eventually(() => handle.query(getStatusQuery).catch(() => undefined));
    expect(status.state).toBe('paid');
    await handle.executeUpdate(pickUpUpdate, { args: [{ driverId: 'driver-3' }] });
    await handle.executeUpdate(deliverUpdate, { args: [{ driverId: 'driver-3' }] });
    expect((await handle.result()).state).toBe('delivered');
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const worker = await startWorker();
    worker.process.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.logs.map((entry) => entry.message)).toContain('worker stopped');
    // Started without PAYLOAD_ENCRYPTION_KEYS (allowed outside production): it says so, once.
    const warnings = worker.logs.filter((entry) => String(entry.message).includes('PAYLOAD_ENCRYPTION_KEYS'));
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message:
          'PAYLOAD_ENCRYPTION_KEYS is not set: this worker writes payloads in plain text (refused in production)',
      }),
    ]);
  });

  it('is alive but not ready while it cannot reach Temporal, and ready once the server sees it polling', async () => {
    const [health, metrics, nowhere] = await Promise.all([freePort(), freePort(), freePort()]);
    const probe = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${health}${path}`);
      return { status: response.status, body: (await response.json()) as { reason?: string } };
    };
    const waiting = spawnWorker({
      TEMPORAL_ADDRESS: `127.0.0.1:${nowhere}`,
      WORKER_HEALTH_ADDRESS: `127.0.0.1:${health}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metrics}`,
    });
    workers.push(waiting);
    await waiting.waitForLog('health endpoints listening');
    expect((await probe('/healthz')).status).toBe(200);
    expect(await probe('/readyz')).toEqual({ status: 503, body: expect.objectContaining({ ready: false }) });
    waiting.process.signal('SIGKILL');
    await waiting.exited;

    // Its own task queue: the server lists its pollers alone, not those of every worker this file started.
    const taskQueue = `ready-${Date.now()}`;
    const metricsToken = 'worker-test-metrics-token-0123';
    const worker = spawnWorker({
      ...server.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_HEALTH_ADDRESS: `127.0.0.1:${health}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metrics}`,
      METRICS_TOKEN: metricsToken,
    });
    workers.push(worker);
    await worker.waitForLog('worker started');
    const ready = await eventually(async () => {
      const answer = await probe('/readyz').catch(() => undefined);
      return answer?.status === 200 ? answer : undefined;
    });
    expect(ready.body.reason).toBe(`polling task queue ${taskQueue}`);
    // The SDK's Prometheus endpoint (loopback only), relayed on the health port to the metrics token only: its
    // runtime metrics, e.g. the pollers that make it ready.
    const scrape = (headers: Record<string, string>) => get(`http://127.0.0.1:${health}/metrics`, headers);
    for (const authorization of [undefined, 'Bearer not-the-token', `Bearer ${metricsToken}x`]) {
      const refused = await scrape(authorization ? { authorization } : {});
      expect({ authorization, status: refused.status }).toEqual({ authorization, status: 401 });
    }
    const scraped = await scrape({ authorization: `Bearer ${metricsToken}` });
    expect(scraped.status).toBe(200);
    expect(metricValue(scraped.body, 'temporal_num_pollers', { poller_type: 'workflow_task' })).toBeGreaterThan(0);
    // A page that rebinds its DNS name to this address gets nothing, probes and metrics alike.
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const rebound = await get(`http://127.0.0.1:${health}${path}`, {
        host: `attacker.example:${health}`,
        authorization: `Bearer ${metricsToken}`,
      });
      expect({ path, status: rebound.status }).toEqual({ path, status: 421 });
    }
    worker.process.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('refuses to start with a service URL but not its key, or a metrics address off loopback', async () => {
    const worker = spawnWorker({
      ...server.env,
      PAYMENTS_URL: 'http://127.0.0.1:4010',
      WORKER_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    workers.push(worker);
    expect(await worker.exited).toBe(1);
    const output = worker.text.join('\n');
    expect(output).toContain('WORKER_METRICS_ADDRESS: must be a loopback address');
    const keyless = spawnWorker({ ...server.env, PAYMENTS_URL: 'http://127.0.0.1:4010' });
    workers.push(keyless);
    expect(await keyless.exited).toBe(1);
    expect(keyless.text.join('\n')).toContain('PAYMENTS_API_KEY: is required with PAYMENTS_URL');
  });

  it('refuses to start with an invalid environment, naming the variable', async () => {
    const worker = spawnWorker({
      ...server.env,
      PAYMENTS_ERROR_RATE: '2',
      WORKER_LOG_LEVEL: 'LOUD',
    });
    workers.push(worker);
    expect(await worker.exited).toBe(1);
    const output = worker.text.join('\n');
    expect(output).toContain('Invalid worker environment');
    expect(output).toContain('PAYMENTS_ERROR_RATE: must be between 0 and 1');
    expect(output).toContain('WORKER_LOG_LEVEL');
  });
});

/** A GET with any headers, Host included (fetch does not let a caller set Host). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    httpGet(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolveGet({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
