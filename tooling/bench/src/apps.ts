/**
 * The apps part of `pnpm bench`: the whole stack as production runs it (a Temporal server of the kind asked for, the
 * worker process, both Next.js apps on `next-serve`), measured through the apps' real HTTP endpoints:
 * - the driver list (deliveries.waiting, one visibility query per call) at growing numbers of open orders (paid,
 *   waiting for a driver), which are created fast through the Temporal client as set-up, not measured;
 * - createOrder, then pickUp on those orders, each sent open-loop at a fixed rate, with each order's own charge
 *   time (from its status transitions) to compare createOrder against.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { TEMPORAL_SERVER_VERSION } from '@durable-delivery/temporal-server';
import { orderWorkflowId, waitForPaymentUpdate, type OrderWorkflow } from '@durable-delivery/workflows';
import {
  chargeTime,
  createOrder,
  newCustomer,
  pickUp,
  signInDriver,
  waitingOrders,
  type CreateOrderBody,
  type Timed,
} from './app-api';
import type { StackApp } from '@durable-delivery/stack';
import { startAppStack, type AppsResources } from './app-stack';
import { evaluateAppsTargets, type AppsReport, type ListLevelResult, type RateResult } from './apps-report';
import { OPEN_ORDER_WINDOWS as WINDOWS, SETUP_CONCURRENCY, createOpenOrders, waitUntilListed } from './open-orders';
import { cpuMs, treeCpuMs } from './proc';
import { fixed, latencyStats } from './report';
import { onSchedule, sentPerSecond } from './schedule';

export interface AppsOptions {
  readonly server: TemporalServerKind;
  /** Ascending levels of open orders to measure the driver list at. */
  readonly openOrders: readonly number[];
  /** createOrder requests, then as many pickUp requests, at RATE_PER_SECOND. */
  readonly rateRequests: number;
  readonly timeoutSeconds: number;
}

export type { AppsResources };

const LIST_LIMIT = 20;
const LIST_WARMUP_CALLS = 2;
const LIST_CALLS = 20;
const RATE_PER_SECOND = 20;
const APP_WARMUP_ORDERS = 5;
const CUSTOMERS = 5;
const DRIVERS = 4;
const PRODUCTS = ['burrata', 'poke', 'margherita', 'ramen', 'tacos', 'tiramisu'] as const;
const DELIVERY_ADDRESS = { street: '1 Main St', city: 'Springfield', postalCode: '12345' } as const;

/** How the reports describe each server's set-up. */
export const SERVER_SETTINGS: Record<TemporalServerKind, string> = {
  dev: 'temporal server start-dev, SQLite file, headless, loopback',
  postgres: `temporal-server ${TEMPORAL_SERVER_VERSION} (all services in one process) on a private PostgreSQL cluster, loopback`,
};

const seconds = (since: number) => (performance.now() - since) / 1000;

export function orderBody(orderId: string, index: number): CreateOrderBody {
  return {
    orderId,
    items: [{ productId: PRODUCTS[index % PRODUCTS.length] ?? 'poke', quantity: 1 + (index % 2) }],
    deliveryAddress: DELIVERY_ADDRESS,
    paymentMethod: 'tok_visa',
  };
}

/** `fail` ends the run at once: for a worker or app that dies mid-run. */
export async function appsBench(
  options: AppsOptions,
  resources: AppsResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<AppsReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· apps: ${line}`);

  const { client, serverPids, serverVersion, orderWorker, menu, driver, createDriver } = await startAppStack(
    options.server,
    resources,
    signal,
    fail,
    progress,
  );

  const customers: string[] = [];
  for (let index = 0; index < CUSTOMERS; index++) customers.push(await newCustomer(menu.url, signal));
  const drivers: string[] = [];
  for (let index = 1; index <= DRIVERS; index++) {
    drivers.push(await signInDriver(driver.url, await createDriver(`bench-driver-${index}`), signal));
  }
  const customerOf = (index: number) => customers[index % customers.length] ?? '';
  const driverOf = (index: number) => drivers[index % drivers.length] ?? '';
  progress(`${customers.length} customers and ${drivers.length} drivers signed in`);

  const runId = `a${Date.now().toString(36)}`;
  const list: ListLevelResult[] = [];
  let open = 0;
  for (const level of options.openOrders) {
    const toCreate = level - open;
    progress(
      `creating ${toCreate} open orders (to ${level}) through the Temporal client, ${SETUP_CONCURRENCY} in flight`,
    );
    const setupStarted = performance.now();
    await createOpenOrders(client, runId, open, level, signal, progress);
    const setupSeconds = seconds(setupStarted);
    open = level;
    const visibilityStarted = performance.now();
    await waitUntilListed(client, level, signal);
    const visibilityWaitSeconds = seconds(visibilityStarted);

    const measured = await measureList(
      driver.url,
      driverOf(0),
      level,
      { server: serverPids, driverApp: driver.process.pid },
      signal,
    );
    list.push({
      openOrders: level,
      setup: { orders: toCreate, seconds: setupSeconds, ordersPerSecond: toCreate / setupSeconds },
      visibilityWaitSeconds,
      warmupCalls: LIST_WARMUP_CALLS,
      calls: LIST_CALLS,
      ...measured,
    });
    progress(
      `${level} open orders: driver list p50 ${measured.latencyMs.p50?.toFixed(1) ?? '-'} ms, ` +
        `p99 ${measured.latencyMs.p99?.toFixed(1) ?? '-'} ms`,
    );
  }

  // The menu app's first createOrder opens its Temporal connection, the driver app's first pickUp compiles its
  // route: a few sequential calls of each first, not measured.
  progress(`warm-up: ${APP_WARMUP_ORDERS} createOrder and pickUp calls`);
  for (let index = 0; index < APP_WARMUP_ORDERS; index++) {
    const warm = await createOrder(menu.url, customerOf(index), orderBody(`${runId}-warm-${index}`, index), signal);
    await pickUp(driver.url, driverOf(index), warm.value.orderId, signal);
  }

  const intervalMs = 1000 / RATE_PER_SECOND;
  const pids = (app: StackApp) => ({ server: serverPids, worker: orderWorker.pid, app: app.process.pid });
  progress(`createOrder: ${options.rateRequests} requests at ${RATE_PER_SECOND}/s`);
  const created = await openLoop(options.rateRequests, intervalMs, pids(menu), signal, (index) =>
    createOrder(menu.url, customerOf(index), orderBody(`${runId}-rate-${index}`, index), signal),
  );
  progress(`createOrder: p50 ${fixed(created.latencyMs.p50, 0)} ms, p99 ${fixed(created.latencyMs.p99, 0)} ms`);
  // An order answered 'charging' (its charge outlasted the checkout's wait) is not measured again: its charge time is
  // read once it is paid, and pickUp is sent only to paid orders, so the pickUp rate measures pickUp alone.
  const stillCharging = created.results.filter((result) => result.value.chargeMs === undefined);
  if (stillCharging.length > 0) {
    progress(`${stillCharging.length} orders answered 'charging': waiting until they are paid (not measured)`);
  }
  const settledChargeMs = await settleCharges(
    client,
    stillCharging.map((result) => result.value.orderId),
    signal,
  );
  progress(`pickUp: ${options.rateRequests} requests at ${RATE_PER_SECOND}/s`);
  const pickedUp = await openLoop(options.rateRequests, intervalMs, pids(driver), signal, (index) =>
    pickUp(driver.url, driverOf(index), created.results[index]?.value.orderId ?? '', signal),
  );
  progress(`pickUp: p50 ${fixed(pickedUp.latencyMs.p50, 0)} ms, p99 ${fixed(pickedUp.latencyMs.p99, 0)} ms`);

  const { results: _created, ...createOrderRate } = created;
  const { results: _pickedUp, ...pickUpRate } = pickedUp;
  const answeredPaid = created.results.flatMap(({ ms, value: { chargeMs } }) =>
    chargeMs === undefined ? [] : [{ ms, chargeMs }],
  );
  const createOrderResult = {
    ...createOrderRate,
    answeredCharging: stillCharging.length,
    chargeMs: latencyStats([...answeredPaid.map((result) => result.chargeMs), ...settledChargeMs]),
    overheadMs: latencyStats(answeredPaid.map((result) => result.ms - result.chargeMs)),
  };
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    temporalServer: serverVersion ?? undefined,
    serverKind: options.server,
    settings: {
      openOrders: options.openOrders,
      listLimit: LIST_LIMIT,
      listWarmupCalls: LIST_WARMUP_CALLS,
      listCalls: LIST_CALLS,
      setupConcurrency: SETUP_CONCURRENCY,
      rateRequests: options.rateRequests,
      ratePerSecond: RATE_PER_SECOND,
      appWarmupOrders: APP_WARMUP_ORDERS,
      customers: CUSTOMERS,
      drivers: DRIVERS,
      windows: WINDOWS,
      timeoutSeconds: options.timeoutSeconds,
      server: SERVER_SETTINGS[options.server],
      orderWorker: 'node apps/worker/dist/main.js (WORKER_LOG_LEVEL=WARN, payment and notification faults off)',
      apps: 'next-serve (production builds) on 127.0.0.1, NODE_ENV=production, COOKIE_SECURE=false',
      workerOutputLines: orderWorker.lineCount(),
    },
    list,
    createOrder: createOrderResult,
    pickUp: pickUpRate,
    targets: evaluateAppsTargets(list, createOrderResult),
  };
}

/**
 * Waits (through the Temporal client, not measured) until each order is paid, and returns each one's charge time. The
 * waitForPayment update answers once the charge settles; a declined charge fails the run, as a declined createOrder
 * would have.
 */
async function settleCharges(client: Client, orderIds: readonly string[], signal: AbortSignal): Promise<number[]> {
  return Promise.all(
    orderIds.map(async (orderId) => {
      const handle = client.workflow.getHandle<OrderWorkflow>(orderWorkflowId(orderId));
      const settlement = await client.withAbortSignal(signal, () => handle.executeUpdate(waitForPaymentUpdate));
      if (settlement.outcome !== 'paid')
        throw new Error(`order ${orderId} answered 'charging', then ${settlement.outcome}`);
      const chargeMs = chargeTime(settlement.status);
      if (chargeMs === undefined) throw new Error(`order ${orderId} is paid without 'charging' and 'paid' transitions`);
      return chargeMs;
    }),
  );
}

/** Warm-up calls, then sequential measured calls of the driver list; every page must be full and all 'paid'. */
async function measureList(
  driverUrl: string,
  driverCookie: string,
  openOrders: number,
  pids: { server: readonly number[]; driverApp: number },
  signal: AbortSignal,
): Promise<Pick<ListLevelResult, 'rowsPerCall' | 'latencyMs' | 'cpuMsPerCall'>> {
  const expectedRows = Math.min(LIST_LIMIT, openOrders);
  const call = async () => {
    const answer = await waitingOrders(driverUrl, driverCookie, LIST_LIMIT, signal);
    if (answer.value.orders !== expectedRows || !answer.value.allPaid) {
      throw new Error(
        `deliveries.waiting at ${openOrders} open orders answered ${answer.value.orders} rows` +
          `${answer.value.allPaid ? '' : ' (not all paid)'}, expected ${expectedRows} paid ones`,
      );
    }
    return answer.ms;
  };
  for (let index = 0; index < LIST_WARMUP_CALLS; index++) await call();
  const cpu = () => ({
    server: treeCpuMs(pids.server),
    driverApp: cpuMs(pids.driverApp),
  });
  const before = cpu();
  const samples: number[] = [];
  for (let index = 0; index < LIST_CALLS; index++) samples.push(await call());
  const after = cpu();
  const perCall = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : (a - b) / LIST_CALLS;
  return {
    rowsPerCall: expectedRows,
    latencyMs: latencyStats(samples),
    cpuMsPerCall: {
      server: perCall(after.server, before.server),
      driverApp: perCall(after.driverApp, before.driverApp),
    },
  };
}

/**
 * Sends `count` requests on a fixed schedule, one every `intervalMs`, without waiting for earlier answers (an open
 * loop, see ./schedule.ts). The first failure stops the schedule and fails the run. CPU is read from the first
 * request sent until the last answer, for the server, the worker, the app called and the bench.
 */
async function openLoop<T>(
  count: number,
  intervalMs: number,
  pids: { server: readonly number[]; worker: number; app: number },
  signal: AbortSignal,
  send: (index: number) => Promise<Timed<T>>,
): Promise<RateResult & { readonly results: readonly Timed<T>[] }> {
  let failure: Error | undefined;
  const cpuBefore = cpuSnapshot(pids);
  const started = performance.now();
  const scheduled = await onSchedule(
    count,
    intervalMs,
    () => failure === undefined && !signal.aborted,
    (index) => {
      const request = send(index);
      request.catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(errorMessage(error));
      });
      return request;
    },
  );
  const cpuAfter = cpuSnapshot(pids);
  if (failure) throw failure;
  if (signal.aborted) throw new Error('aborted');
  const results = scheduled.outcomes.map((outcome) => {
    if (outcome.status === 'rejected') throw new Error('a request failed');
    return outcome.value;
  });
  const first = scheduled.sendTimes[0] ?? started;
  const perRequest = (after: number | undefined, before: number | undefined) =>
    after === undefined || before === undefined ? undefined : (after - before) / count;
  return {
    results,
    requests: results.length,
    targetPerSecond: 1000 / intervalMs,
    sentPerSecond: sentPerSecond(scheduled.sendTimes),
    answeredPerSecond: (results.length * 1000) / (scheduled.endedAt - first),
    maxSendLagMs: scheduled.maxSendLagMs,
    latencyMs: latencyStats(results.map((result) => result.ms)),
    samplesMs: results.map((result) => Math.round(result.ms * 10) / 10),
    cpuMsPerRequest: {
      server: perRequest(cpuAfter.server, cpuBefore.server),
      worker: perRequest(cpuAfter.worker, cpuBefore.worker),
      app: perRequest(cpuAfter.app, cpuBefore.app),
      bench: (cpuAfter.bench - cpuBefore.bench) / count,
    },
  };
}

function cpuSnapshot(pids: { server: readonly number[]; worker: number; app: number }) {
  const usage = process.cpuUsage();
  return {
    server: treeCpuMs(pids.server),
    worker: cpuMs(pids.worker),
    app: cpuMs(pids.app),
    bench: (usage.user + usage.system) / 1000,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
