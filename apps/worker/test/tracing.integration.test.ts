import { join, resolve } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { SpanKind } from '@opentelemetry/api';
import {
  customerCookie,
  driverApiHandler,
  loadAppConfig,
  menuApiHandler,
  newCustomerId,
  type AppConfig,
} from '@durable-delivery/api/server';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { Ledger, buildPaymentService } from '@durable-delivery/payments';
import { inMemorySpans, type ReadableSpan, type Tracing } from '@durable-delivery/telemetry';
import { eventually, freePort, type DevServer } from '@durable-delivery/temporal-server';
import { orderWorkflowId } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadWorkerConfig } from '../src/config';
import { startWorkerObservability } from '../src/telemetry';
import { WORKFLOW_BUNDLE } from '../src/bundles';
import { createWorker } from '../src/worker';

/**
 * Real orders, traced from the API call to the payment service: the apps' tRPC handler (as the menu mounts it)
 * with its traced Temporal client, the real worker (prebuilt bundle with the workflow interceptors, activity
 * interceptors, the HTTP payment client) and the payment service over HTTP, on a real dev server. All in this
 * process, so one in-memory exporter sees every span; across processes the same context travels in gRPC headers
 * and `traceparent`.
 */
const spans = inMemorySpans();
let tracing: Tracing;
let server: DevServer;
let ledger: Ledger;
let payments: FastifyInstance;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let config: AppConfig;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = tempDir('worker-tracing-it-');
  server = await startProjectDevServer({
    port: await freePort(),
    headless: true,
    dbFilename: join(dir, 'dev.sqlite'),
    stdio: 'ignore',
  });
  ledger = new Ledger(join(dir, 'ledger.sqlite'));
  payments = buildPaymentService({ ledger, apiKey: 'worker-tracing-payments-key' });
  const paymentsUrl = await payments.listen({ host: '127.0.0.1', port: 0 });

  const observability = startWorkerObservability({ spanProcessors: [spans.processor] });
  tracing = observability.tracing;
  const workerConfig = loadWorkerConfig({
    TEMPORAL_ADDRESS: server.address,
    PAYMENTS_URL: paymentsUrl,
    PAYMENTS_API_KEY: 'worker-tracing-payments-key',
    // The worker's prebuilt bundle (this test runs from the sources, where no bundle is).
    WORKFLOW_BUNDLE_PATH: resolve(__dirname, '../dist', WORKFLOW_BUNDLE),
  });
  workerConnection = await NativeConnection.connect(workerConfig.connection.connectionOptions);
  worker = await createWorker(workerConfig, workerConnection, observability.workerOptions);
  running = worker.run();

  config = loadAppConfig({
    SESSION_SECRET: 'a-test-secret-that-is-long-enough-for-iron',
    TEMPORAL_ADDRESS: server.address,
    ORDER_RATE_PROMPT_DELAY: '1 second',
    ORDER_RATING_WINDOW: '1 second',
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await payments?.close();
  ledger?.close();
  await tracing?.shutdown();
  await server?.stop();
});

async function call(handler: (request: Request) => Promise<Response>, path: string, input: unknown, cookie: string) {
  const response = await handler(
    new Request(`http://app.test/api/trpc/${path}`, {
      method: 'POST',
      body: JSON.stringify(input),
      headers: { 'content-type': 'application/json', cookie },
    }),
  );
  expect(response.status).toBe(200);
  return response.json() as Promise<{ result: { data: unknown } }>;
}

/** The span tree under `root`, one line per span, indented by depth, children in start order: for people. */
function tree(all: ReadableSpan[], root: ReadableSpan, depth = 0): string[] {
  const children = all
    .filter((span) => span.parentSpanId === root.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const service = String(root.resource.attributes['service.name'] ?? '');
  return [`${'  '.repeat(depth)}${root.name} [${service}]`, ...children.flatMap((c) => tree(all, c, depth + 1))];
}

async function placeAndDeliver(orderId: string, productId: string): Promise<void> {
  const customer = await customerCookie(newCustomerId(), config);
  const created = await call(
    menuApiHandler(config),
    'orders.createOrder',
    {
      orderId,
      items: [{ productId, quantity: 1 }],
      deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
      paymentMethod: 'tok_visa',
    },
    customer.setCookie.split(';')[0] ?? '',
  );
  expect(created.result.data).toMatchObject({ outcome: 'paid' });
  // Who the driver is matters not to tracing: the driver app's accounts (tested in packages/accounts and e2e) are
  // stood in for by the one signed-in driver they would name.
  const driver = driverApiHandler(config, () => Promise.resolve({ id: 'd-dana', name: 'Dana' }));
  await call(driver, 'deliveries.pickUp', { orderId }, '');
  await call(driver, 'deliveries.deliver', { orderId }, '');
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  await client.workflow.getHandle(orderWorkflowId(orderId)).result();
  await client.connection.close();
}

// Two orders at once on one worker: their workflows share the worker's OpenTelemetry modules and one context
// storage (packages/telemetry/src/workflow-shared.ts), and each trace must still hold only its own order's spans.
it('traces each order from the checkout API call through the workflow and each activity to the payment service', async () => {
  const orders = [`traced-${Date.now()}-a`, `traced-${Date.now()}-b`];
  await Promise.all(orders.map((orderId, index) => placeAndDeliver(orderId, index === 0 ? 'ramen' : 'poke')));

  // The workflow's span ends with the workflow and leaves the sandbox through the sink, after its last task.
  const finished = await eventually(async () => {
    const all = spans.exporter.getFinishedSpans();
    return all.filter((span) => span.name === 'RunWorkflow:order').length === orders.length ? all : undefined;
  });
  const children = (name: string, parent: ReadableSpan) =>
    finished.filter((span) => span.name === name && span.parentSpanId === parent.spanContext().spanId);
  const only = (name: string, parent: ReadableSpan) => {
    const found = children(name, parent);
    if (found.length !== 1) {
      throw new Error(`${found.length} spans "${name}" under "${parent.name}", expected one:\n${names(finished)}`);
    }
    return found[0]!;
  };

  const checkouts = finished.filter((span) => span.name === 'trpc orders.createOrder');
  expect(checkouts).toHaveLength(orders.length);
  const seen: string[] = [];
  for (const api of checkouts) {
    // API call → update-with-start → workflow → StartActivity → RunActivity → fetch → the payment service's span.
    const start = only('UpdateWithStartWorkflow:waitForPayment', api);
    const run = only('RunWorkflow:order', start);
    const scheduleCharge = only('StartActivity:chargeCustomer', run);
    const charge = only('RunActivity:chargeCustomer', scheduleCharge);
    const post = finished.filter(
      (span) => span.kind === SpanKind.CLIENT && span.parentSpanId === charge.spanContext().spanId,
    );
    expect(post).toHaveLength(1);
    const service = only('POST /v1/charges', post[0]!);
    expect(service.kind).toBe(SpanKind.SERVER);
    expect(service.attributes).toMatchObject({ 'http.response.status_code': 201 });
    seen.push(String(service.attributes['order.id']));
    // The update the checkout waits on, and the rest of the order, are in the same trace — and nothing else is.
    only('HandleUpdate:waitForPayment', start);
    expect(children('StartActivity:sendPushNotification', run).length).toBeGreaterThan(0);
    const traceId = api.spanContext().traceId;
    const inTrace = finished.filter((span) => span.spanContext().traceId === traceId);
    expect(new Set(inTrace.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(inTrace.filter((span) => span.name === 'RunWorkflow:order')).toEqual([run]);
    expect(inTrace.filter((span) => span.name === 'POST /v1/charges')).toEqual([service]);
    console.log(`The span tree of one checkout:\n${tree(finished, api).join('\n')}`);
  }
  // Each trace reached its own order's charge.
  expect(seen.sort()).toEqual([...orders].sort());
  // Each driver action is its own API call and trace, whose update handler runs in the workflow.
  const pickUps = finished.filter((span) => span.name === 'trpc deliveries.pickUp');
  expect(pickUps).toHaveLength(orders.length);
  for (const pickUp of pickUps) only('HandleUpdate:pickUp', only('StartWorkflowUpdate:pickUp', pickUp));
});

function names(all: ReadableSpan[]): string {
  return all.map((span) => `  ${span.name}`).join('\n');
}
