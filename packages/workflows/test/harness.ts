import type { OrderActivities } from '@durable-delivery/activities';
import { createTimeSkippingEnv, registerSearchAttributes, terminateWhenIdle } from '@durable-delivery/temporal-server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalWorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import { ORDER_TOTAL_CENTS, sampleOrder } from './sample-order';
import { allSearchAttributes, getStatusQuery, orderStartOptions, type OrderInput, type OrderWorkflow } from '../src';

let nextId = 0;

/** A fresh, valid order; each test gets its own id. */
export function anOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  nextId += 1;
  return sampleOrder(`test-${process.pid}-${Date.now()}-${nextId}`, overrides);
}

export { ORDER_TOTAL_CENTS };

export type FakeActivities = {
  [K in keyof OrderActivities]: jest.Mock<ReturnType<OrderActivities[K]>, Parameters<OrderActivities[K]>>;
};

/**
 * Typed fakes that behave like a healthy payment and push service, a customer with no pass and no reward, and a
 * loyalty program that counts points, unless a test says otherwise.
 */
export function fakeActivities(): FakeActivities {
  let charges = 0;
  let points = 0;
  return {
    chargeCustomer: jest.fn(async (input) => ({ chargeId: `ch_${++charges}`, amountCents: input.amountCents })),
    refundOrder: jest.fn(async (input) => ({ refundId: 're_1', refundedCents: input.amountCents })),
    sendPushNotification: jest.fn(async (_input) => undefined),
    applyCheckoutPerks: jest.fn(async (_input) => ({ deliveryFeeWaivedCents: 0, discountCents: 0 })),
    returnReward: jest.fn(async (_input) => ({ returned: true })),
    earnPoints: jest.fn(async (input) => {
      const pointsEarned = Math.floor(input.amountCents / 100);
      points += pointsEarned;
      return { pointsEarned, points, level: 'member' };
    }),
    chargeSubscription: jest.fn(async (input) => ({
      chargeId: `ch_pass_${input.period}_${input.attempt}`,
      amountCents: input.amountCents,
    })),
    refundSubscriptionCharge: jest.fn(async (input) => ({ refundId: 're_pass', refundedCents: input.amountCents })),
  };
}

export function declined(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'PaymentDeclined', message, nonRetryable: true });
}

/**
 * A promise a test resolves when it chooses: holds an activity "in flight". An activity that calls `started()`
 * resolves `inFlight`, for a test that must act only once the activity runs.
 */
export function gate(): { promise: Promise<void>; open: () => void; started: () => void; inFlight: Promise<void> } {
  let open!: () => void;
  let started!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  return { promise, open, started, inFlight };
}

/** Expected failures (declines, retries, timeouts) are what the tests and recordings are about: real errors only. */
function installQuietRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}

/**
 * One time-skipping Temporal test server (with the project's search attributes) and one workflow bundle per test
 * file; one worker, on its own task queue, per test. scripts/record-histories.ts records its fixtures on it too.
 */
export class OrderTestHarness {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly bundlePath: string,
  ) {}

  /** `bundlePath`: default, the bundle jest's global set-up made (ORDER_WORKFLOW_BUNDLE). */
  static async create(bundlePath = process.env.ORDER_WORKFLOW_BUNDLE): Promise<OrderTestHarness> {
    installQuietRuntime();
    if (!bundlePath)
      throw new Error('ORDER_WORKFLOW_BUNDLE is not set: run these tests through jest (see test/global-setup.js)');
    const env = await createTimeSkippingEnv();
    await registerSearchAttributes(env.connection, env.namespace ?? 'default', allSearchAttributes);
    return new OrderTestHarness(env, bundlePath);
  }

  get namespace(): string {
    return this.env.namespace ?? 'default';
  }

  /** A worker on the harness's bundle, with the activity interceptors and span sink the real worker has. */
  createWorker(options: {
    taskQueue: string;
    activities: Partial<OrderActivities>;
    identity?: string;
  }): Promise<Worker> {
    return Worker.create({
      connection: this.env.nativeConnection,
      namespace: this.namespace,
      workflowBundle: { codePath: this.bundlePath },
      ...options,
      ...temporalWorkerTelemetry(),
    });
  }

  async teardown(): Promise<void> {
    await this.env?.teardown();
  }

  get client() {
    return this.env.client;
  }

  /**
   * Runs `body` while a worker serves a fresh task queue with the given activities. Workflows the test leaves
   * running are terminated afterwards: the test server does not skip time while any workflow has a task pending,
   * and a workflow whose worker is gone would hold the clock for every later test.
   */
  async withWorker<T>(
    activities: Partial<OrderActivities> | ((taskQueue: string) => Partial<OrderActivities>),
    body: (ctx: WorkerContext) => Promise<T>,
  ): Promise<T> {
    const taskQueue = `orders-test-${++nextId}`;
    const worker = await this.createWorker({
      taskQueue,
      // A function gets the task queue first: real activities that start workflows need it.
      activities: typeof activities === 'function' ? activities(taskQueue) : activities,
    });
    const started = new Set<string>();
    const client = this.client;
    const ctx: WorkerContext = {
      taskQueue,
      track: (workflowId) => void started.add(workflowId),
      start: (input = anOrder()) => ctx.startRaw({ ...orderStartOptions(input) }),
      startRaw: async (options) => {
        started.add(options.workflowId);
        return client.workflow.start<OrderWorkflow>('order', { ...options, taskQueue });
      },
    };
    return worker.runUntil(async () => {
      try {
        return await body(ctx);
      } finally {
        await Promise.all([...started].map((workflowId) => stopWorkflow(client.workflow.getHandle(workflowId))));
      }
    });
  }
}

/**
 * Lets an order's background notifications finish, then terminates the workflow (an order, or a loyalty or pass
 * workflow that would run forever) once no task of it is in flight: the test server holds its clock while a task is
 * in flight and does not release it when the workflow is terminated under it.
 */
async function stopWorkflow(handle: WorkflowHandle<OrderWorkflow>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const status = await handle.query(getStatusQuery).catch(() => undefined);
    if (!status || status.notifications.every((n) => n.sentAt !== undefined || n.failed)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await terminateWhenIdle(handle);
}

export interface WorkerContext {
  readonly taskQueue: string;
  /** Starts an order the way the API does (orderStartOptions), on this test's task queue. */
  start(input?: OrderInput): Promise<WorkflowHandleWithFirstExecutionRunId<OrderWorkflow>>;
  /** Starts an order with exactly these options (e.g. without search attributes, as from the CLI). */
  startRaw(
    options: Omit<WorkflowStartOptions<OrderWorkflow>, 'taskQueue'>,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<OrderWorkflow>>;
  /** Marks a workflow started some other way (update-with-start) for clean-up. */
  track(workflowId: string): void;
}

/** The failure a rejected update or workflow carries: its type and the message a person would read. */
export async function failureOf(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure) return { type: cause.type ?? undefined, message: cause.message };
    throw error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
