/**
 * One measured run: N orders of one scenario, either in a closed loop (a fixed number of customers, each ordering
 * again as soon as their order is delivered: throughput at that concurrency) or in an open loop (orders arriving at a
 * fixed rate whatever the answers: what each waits for at that load), then a wait until every workflow of the run
 * has closed, so no run's leftovers load the next one.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { cpuMs, treeCpuMs, type RssSampler } from './proc';
import { latencyStats, type LatencyStats } from './report';
import { benchCustomerId, STEPS, type Scenario, type ScenarioName, type StepTimes } from './scenarios';
import { onSchedule, sentPerSecond } from './schedule';

export interface PhaseContext {
  readonly client: Client;
  /** The Temporal server's processes (and PostgreSQL's, on that server). */
  readonly serverPids: readonly number[];
  readonly workerPid: number | undefined;
  readonly workerRss: RssSampler | undefined;
  /** Set on timeout or Ctrl-C: lanes stop taking new orders. */
  readonly signal: AbortSignal;
}

/** How orders arrive: `concurrency` customers in a closed loop, or `perSecond` open-loop among `customers`. */
export type Arrivals =
  | { readonly kind: 'closed'; readonly concurrency: number }
  | { readonly kind: 'open'; readonly perSecond: number; readonly customers: number };

export interface PhaseResult {
  readonly workflow: ScenarioName;
  /** Closed loop: the customers ordering at once. Open loop: the most orders that were in flight at once. */
  readonly concurrency: number;
  readonly orders: number;
  readonly delivered: number;
  readonly errors: readonly string[];
  /** Orders delivered per second: first checkout sent → last deliver answered. */
  readonly ordersPerSecond: number;
  /** Checkout sent → deliver answered, per order. */
  readonly latencyMs: LatencyStats;
  /**
   * Each request's own answer time, per delivered order: checkout (sent → paid, what the customer waits for), pickUp
   * and deliver (what the driver waits for).
   */
  readonly stepLatencyMs?: Readonly<Record<keyof StepTimes, LatencyStats>>;
  /** Open loop only: the rate asked for and the rate sent, and how late the bench sent at worst. */
  readonly openLoop?: {
    readonly targetPerSecond: number;
    readonly sentPerSecond: number;
    readonly maxSendLagMs: number;
    readonly customers: number;
  };
  /** Orders per second until the last workflow of the run closed (its tail after delivery included). */
  readonly closedOrdersPerSecond: number | undefined;
  /** Closed workflows by status; everything should be Completed. */
  readonly closed: Readonly<Record<string, number>>;
  readonly stillRunning: number;
  /** Mean history events and bytes per workflow: what the server persisted for each order. */
  readonly eventsPerOrder: number | undefined;
  readonly historyBytesPerOrder: number | undefined;
  /** CPU per order from the first checkout until the last workflow closed; the ceiling's worker runs in the bench. */
  readonly cpuMsPerOrder: { readonly server?: number; readonly worker?: number; readonly benchProcess: number };
  /** The real worker process's peak RSS during the run (order runs only). */
  readonly workerRssPeakMiB?: number;
}

const DRAIN_TIMEOUT_MS = 180_000;

/**
 * The open-loop run's settings: 'half' of the full order's rate at the lowest concurrency, a fixed rate in orders
 * per second, or 0 for none; at most `orders` orders, and no more than `seconds` of arrivals at that rate.
 */
export interface OpenLoopSettings {
  readonly rate: 'half' | number;
  readonly orders: number;
  readonly seconds: number;
}

/**
 * What the open-loop run does, from the closed-loop results: the rate (half the full order's orders/s at the lowest
 * concurrency, a realistic load rather than the most the machine takes), how many orders (bounded by count and by
 * time), and that concurrency's customers taking turns (their loyalty workflows exist already). Undefined for none.
 */
export function openLoopPlan(
  settings: OpenLoopSettings,
  results: readonly { readonly concurrency: number; readonly order: Pick<PhaseResult, 'ordersPerSecond'> }[],
): { arrivals: Extract<Arrivals, { kind: 'open' }>; orders: number; rateBasis: string } | undefined {
  if (settings.rate === 0) return undefined;
  const lowest = [...results].sort((a, b) => a.concurrency - b.concurrency)[0];
  if (!lowest) return undefined;
  const perSecond = settings.rate === 'half' ? lowest.order.ordersPerSecond / 2 : settings.rate;
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return undefined;
  return {
    arrivals: { kind: 'open', perSecond, customers: lowest.concurrency },
    orders: Math.max(1, Math.min(settings.orders, Math.round(perSecond * settings.seconds))),
    rateBasis:
      settings.rate === 'half'
        ? `half of ${lowest.order.ordersPerSecond.toFixed(2)} orders/s at concurrency ${lowest.concurrency}`
        : 'set by --open-loop-rate',
  };
}

export async function runPhase(
  context: PhaseContext,
  scenario: Scenario,
  options: { orders: number; arrivals: Arrivals; idPrefix: string },
): Promise<PhaseResult> {
  const { client, signal } = context;
  const { orders, arrivals, idPrefix } = options;
  const before = cpuSnapshot(context);
  if (scenario.name === 'order') context.workerRss?.takePeak();

  const latencies: number[] = [];
  const steps: StepTimes[] = [];
  const errors: string[] = [];
  const startedAt = Date.now();
  const started = performance.now();
  let lastDelivered = started;
  /** One order, start to delivered; a failure is recorded, and its workflow stopped, not thrown. */
  const placeOrder = async (index: number, customerId: string): Promise<void> => {
    const orderId = `${idPrefix}${index}`;
    const sent = performance.now();
    try {
      // On timeout or Ctrl-C, the abort cancels the requests in flight, so the run ends at once. checkout() bounds
      // its wait with an abort signal of its own, which takes the place of this one: the run stops waiting for it
      // here, and closing the stack ends the request.
      const times = await untilAborted(
        signal,
        client.withAbortSignal(signal, () => scenario.run(client, orderId, customerId)),
      );
      lastDelivered = performance.now();
      latencies.push(lastDelivered - sent);
      steps.push(times);
    } catch (error) {
      if (signal.aborted) return;
      errors.push(`${orderId}: ${error instanceof Error ? error.message : String(error)}`);
      // A stuck order would wait out its pickup window and hold up the drain below.
      await client.workflow
        .getHandle(scenario.workflowId(orderId))
        .terminate('bench: a step failed')
        .catch(() => undefined);
    }
  };

  let concurrency: number;
  let openLoop: PhaseResult['openLoop'];
  if (arrivals.kind === 'closed') {
    concurrency = arrivals.concurrency;
    let next = 0;
    const lane = async (laneIndex: number): Promise<void> => {
      const customerId = benchCustomerId(laneIndex);
      while (next < orders && !signal.aborted) await placeOrder(next++, customerId);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, orders) }, (_, index) => lane(index)));
  } else {
    // Customers take turns, so at this rate one customer's orders rarely overlap (their loyalty workflow takes the
    // points of one order at a time), as in the closed loop.
    const scheduled = await onSchedule(
      orders,
      1000 / arrivals.perSecond,
      () => !signal.aborted,
      (index) => placeOrder(index, benchCustomerId(index % arrivals.customers)),
    );
    concurrency = scheduled.maxInFlight;
    openLoop = {
      targetPerSecond: arrivals.perSecond,
      sentPerSecond: sentPerSecond(scheduled.sendTimes),
      maxSendLagMs: scheduled.maxSendLagMs,
      customers: arrivals.customers,
    };
  }
  if (signal.aborted) throw new Error('aborted');
  const elapsedMs = lastDelivered - started;
  const workerRssPeakMiB = scenario.name === 'order' ? context.workerRss?.takePeak() : undefined;

  // Every workflow of this run has a workflow id starting with this; the whole server is ours, so visibility can
  // tell when they are all closed. One count query per 100 ms for the whole run, never a query per order.
  const runQuery = `WorkflowId STARTS_WITH '${scenario.workflowId(idPrefix)}'`;
  const stillRunning = await drain(client, `${runQuery} AND ExecutionStatus = 'Running'`, signal);
  if (signal.aborted) throw new Error('aborted');
  const after = cpuSnapshot(context);

  const closed: Record<string, number> = {};
  let lastClose = 0;
  let events = 0;
  let bytes = 0;
  let listed = 0;
  for await (const info of client.workflow.list({ query: runQuery })) {
    listed++;
    closed[info.status.name] = (closed[info.status.name] ?? 0) + 1;
    lastClose = Math.max(lastClose, info.closeTime?.getTime() ?? 0);
    events += info.historyLength;
    bytes += info.historySize ?? 0;
  }

  const perOrder = (ms: number | undefined) => (ms === undefined ? undefined : ms / orders);
  return {
    workflow: scenario.name,
    concurrency,
    orders,
    delivered: latencies.length,
    errors,
    ordersPerSecond: latencies.length / (elapsedMs / 1000),
    latencyMs: latencyStats(latencies),
    stepLatencyMs: Object.fromEntries(
      STEPS.map((step) => [step, latencyStats(steps.map((times) => times[step]))]),
    ) as Record<keyof StepTimes, LatencyStats>,
    ...(openLoop ? { openLoop } : {}),
    closedOrdersPerSecond: lastClose > startedAt ? latencies.length / ((lastClose - startedAt) / 1000) : undefined,
    closed,
    stillRunning,
    eventsPerOrder: listed > 0 ? events / listed : undefined,
    historyBytesPerOrder: listed > 0 && bytes > 0 ? bytes / listed : undefined,
    cpuMsPerOrder: {
      server: perOrder(difference(after.server, before.server)),
      worker: scenario.name === 'order' ? perOrder(difference(after.worker, before.worker)) : undefined,
      benchProcess: (after.bench - before.bench) / orders,
    },
    ...(workerRssPeakMiB !== undefined ? { workerRssPeakMiB } : {}),
  };
}

/** `work`'s outcome, or a rejection as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits until `query` counts no workflow; returns how many were still running if it gave up. */
async function drain(client: Client, query: string, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === 0 || Date.now() > deadline || signal.aborted) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function cpuSnapshot(context: PhaseContext) {
  const usage = process.cpuUsage();
  return {
    server: treeCpuMs(context.serverPids),
    worker: context.workerPid === undefined ? undefined : cpuMs(context.workerPid),
    bench: (usage.user + usage.system) / 1000,
  };
}

function difference(after: number | undefined, before: number | undefined): number | undefined {
  return after === undefined || before === undefined ? undefined : after - before;
}
