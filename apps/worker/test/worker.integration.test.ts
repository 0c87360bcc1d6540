import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerKind, startProjectTemporal, type ProjectTemporal } from '@durable-delivery/temporal-cluster';
import { eventually } from '@durable-delivery/temporal-server';
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
  server = await startProjectTemporal({ kind, dir: mkdtempSync(join(tmpdir(), 'worker-it-')), namespace: 'orders' });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
});

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await connection?.close();
  await server?.stop();
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = spawnWorker({ ...server.env });
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
    // The worker logs carry the order id.
    expect(worker.logs.some((entry) => entry.orderId === input.orderId && entry.message === 'order paid')).toBe(true);
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
    first.child.kill('SIGKILL');
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
      { workflowsPath: require.resolve('@durable-delivery/workflows/workflows') },
      await handle.fetchHistory(),
      handle.workflowId,
    );
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
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.logs.map((entry) => entry.message)).toContain('worker stopped');
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
