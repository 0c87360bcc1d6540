import { join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { createActivities, SimulatedNotifications, SimulatedPayments } from '@durable-delivery/activities';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { freePort, type DevServer } from '@durable-delivery/temporal-server';
import { ORDER_TASK_QUEUE, temporalLoyalty, temporalPasses } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createContext, type Context, type Customer, type Driver } from '../src';
import type { createOrderInputSchema } from '../src/schemas';
import type { z } from 'zod';

/** One real dev server (loopback, free port, its own database file) and one in-process worker per test file. */
export class ApiHarness {
  private constructor(
    private readonly server: DevServer,
    private readonly connection: Connection,
    private readonly workerConnection: NativeConnection,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    readonly client: Client,
    readonly payments: SimulatedPayments,
  ) {}

  static async start(): Promise<ApiHarness> {
    // Declines and rejected updates are what these tests are about: keep the output to real errors.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    const codePath = process.env.ORDER_WORKFLOW_BUNDLE;
    if (!codePath) throw new Error('ORDER_WORKFLOW_BUNDLE is not set: run these tests through jest');
    const dbFilename = join(tempDir('api-it-'), 'dev.sqlite');
    const server = await startProjectDevServer({ port: await freePort(), headless: true, dbFilename, stdio: 'ignore' });
    const connection = await Connection.connect({ address: server.address });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    const payments = new SimulatedPayments();
    const client = new Client({ connection });
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue: ORDER_TASK_QUEUE,
      workflowBundle: { codePath },
      // As the worker app wires them: the loyalty and pass ports are the customers' workflows on this server.
      activities: createActivities({
        payments,
        notifications: new SimulatedNotifications(),
        loyalty: temporalLoyalty(client),
        passes: temporalPasses(client),
      }),
      ...temporalWorkerTelemetry(),
    });
    const running = worker.run();
    return new ApiHarness(server, connection, workerConnection, worker, running, client, payments);
  }

  /** The dev server's host:port, for code under test that connects by itself (the app handlers). */
  get address(): string {
    return this.server.address;
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.workerConnection.close();
    await this.connection.close();
    await this.server.stop();
  }

  context(identity: { customer?: Customer; driver?: Driver } = {}): Context {
    // Real time on a real server: the pick-up and delivery steps get room, the rating tail stays short.
    return createContext({ temporal: this.client, orderWindows: TEST_WINDOWS, ...identity });
  }

  /** Successful charges of one order in the simulated provider's ledger. */
  chargesOf(orderId: string): number {
    return this.payments.ledger().filter((entry) => entry.type === 'charge' && entry.orderId === orderId).length;
  }
}

/** The windows the harness's app configuration gives new orders (milliseconds, as an app's config parses them). */
export const TEST_WINDOWS = { pickup: 5 * 60_000, delivery: 5 * 60_000, ratePrompt: 1_000, rating: 60_000 };

let nextId = 0;

/** A unique id per call, for orders, customers and drivers alike. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${++nextId}`;
}

/** The order form as the menu app sends it. */
export function anOrderForm(
  overrides: Partial<z.input<typeof createOrderInputSchema>> = {},
): z.input<typeof createOrderInputSchema> {
  return {
    orderId: uniqueId('order'),
    items: [{ productId: 'poke', quantity: 2 }],
    deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
    paymentMethod: 'tok_visa',
    ...overrides,
  };
}

/** The error a call rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the call to reject, but it resolved');
}

/**
 * A call through tRPC's fetch adapter, as the apps mount it: the body is exactly what a browser would receive,
 * error formatter included. Returns the parsed JSON body.
 */
export async function overHttp(
  router: AnyTRPCRouter,
  context: Context,
  call: { path: string; input: unknown; type: 'query' | 'mutation' },
): Promise<{ status: number; body: unknown; text: string }> {
  const url = new URL(`http://api.test/trpc/${call.path}`);
  const init: RequestInit =
    call.type === 'query'
      ? { method: 'GET' }
      : { method: 'POST', body: JSON.stringify(call.input), headers: { 'content-type': 'application/json' } };
  if (call.type === 'query') url.searchParams.set('input', JSON.stringify(call.input));
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request(url, init),
    router,
    createContext: () => context,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown, text };
}
