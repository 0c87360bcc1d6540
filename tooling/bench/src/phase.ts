/**
 * One measured run: N orders of one scenario at a fixed concurrency, then a wait until every workflow of the run
 * has closed, so no run's leftovers load the next one.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { cpuMs, treeCpuMs, type RssSampler } from './proc';
import { latencyStats, type LatencyStats } from './report';
import { benchCustomerId, type Scenario, type ScenarioName } from './scenarios';

export interface PhaseContext {
  readonly client: Client;
  /** The Temporal server's processes (and PostgreSQL's, on that server). */
  readonly serverPids: readonly number[];
  readonly workerPid: number | undefined;
  readonly workerRss: RssSampler | undefined;
  /** Set on timeout or Ctrl-C: lanes stop taking new orders. */
  readonly signal: AbortSignal;
}

export interface PhaseResult {
  readonly workflow: ScenarioName;
  readonly concurrency: number;
  readonly orders: number;
  readonly delivered: number;
  readonly errors: readonly string[];
  /** Orders delivered per second: first checkout sent → last deliver answered. */
  readonly ordersPerSecond: number;
  /** Checkout sent → deliver answered, per order. */
  readonly latencyMs: LatencyStats;
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

export async function runPhase(
  context: PhaseContext,
  scenario: Scenario,
  options: { orders: number; concurrency: number; idPrefix: string },
): Promise<PhaseResult> {
  const { client, signal } = context;
  const { orders, concurrency, idPrefix } = options;
  const before = cpuSnapshot(context);
  if (scenario.name === 'order') context.workerRss?.takePeak();

  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const startedAt = Date.now();
  const started = performance.now();
  let lastDelivered = started;
  const lane = async (laneIndex: number): Promise<void> => {
    const customerId = benchCustomerId(laneIndex);
    while (next < orders && !signal.aborted) {
      const orderId = `${idPrefix}${next++}`;
      const sent = performance.now();
      try {
        // On timeout or Ctrl-C, the abort cancels the requests in flight, so the lanes end at once.
        await client.withAbortSignal(signal, () => scenario.run(client, orderId, customerId));
        lastDelivered = performance.now();
        latencies.push(lastDelivered - sent);
      } catch (error) {
        if (signal.aborted) break;
        errors.push(`${orderId}: ${error instanceof Error ? error.message : String(error)}`);
        // A stuck order would wait out its pickup window and hold up the drain below.
        await client.workflow
          .getHandle(scenario.workflowId(orderId))
          .terminate('bench: a step failed')
          .catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, orders) }, (_, index) => lane(index)));
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
