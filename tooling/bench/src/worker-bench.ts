/**
 * The worker part of `pnpm bench`: what one worker process costs to keep and to start, measured on the real worker
 * (`node apps/worker/dist/main.js`, the prebuilt workflow bundle, payloads encrypted) against its own Temporal server:
 * - cold start, from spawning the process until the server sees it polling both the workflow and the activity side
 *   of a task queue of its own (a fresh queue per start: the server remembers earlier pollers for minutes);
 * - resident memory idle, then as open orders (paid, waiting for a driver: each one a workflow in the worker's
 *   cache) grow to the target level.
 */
import { performance } from 'node:perf_hooks';
import type { Stack } from '@durable-delivery/stack';
import { type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { ORDER_TASK_QUEUE } from '@durable-delivery/workflows';
import { SERVER_SETTINGS } from './apps';
import { createOpenOrders } from './open-orders';
import { rssMiB } from './proc';
import { startBenchStack } from './app-stack';
import { waitForPollers } from './worker-process';

export const WORKER_TARGETS = {
  idleMiB: 300,
  perOpenOrderMiB: 0.25,
  coldStartMs: 1000,
} as const;

export interface WorkerOptions {
  readonly server: TemporalServerKind;
  /** Open orders the memory curve goes up to, in `memorySteps` equal steps. */
  readonly openOrders: number;
  readonly memorySteps: number;
  readonly coldStarts: number;
}

export interface WorkerResources {
  stack?: Stack;
}

export interface MemorySample {
  readonly openOrders: number;
  readonly rssMiB: number;
}

export interface WorkerReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly temporalServer?: string;
  readonly settings: Record<string, unknown>;
  readonly coldStartMs: readonly number[];
  readonly memory: {
    readonly idleMiB: number;
    readonly samples: readonly MemorySample[];
    /** (RSS at the top level − idle RSS) / open orders at the top level. */
    readonly perOpenOrderMiB: number;
  };
  readonly targets: {
    readonly idle: { readonly targetMiB: number; readonly actualMiB: number; readonly met: boolean };
    readonly perOpenOrder: { readonly targetMiB: number; readonly actualMiB: number; readonly met: boolean };
    readonly coldStart: { readonly targetMs: number; readonly medianMs: number; readonly met: boolean };
  };
}

/** Readings a second apart settle what a single one would catch mid-collection. */
const SETTLE_MS = 3_000;
const COLD_START_POLL_MS = 10;

const sleep = (ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms));

export async function workerBench(
  options: WorkerOptions,
  resources: WorkerResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<WorkerReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· worker: ${line}`);

  // Its own server and no other process: each worker below is started on it by the stack, which stops them all.
  const { stack, connection, client, serverVersion } = await startBenchStack(
    { server: options.server, label: 'bench-worker', parts: [] },
    resources,
    { signal, fail, progress },
  );
  const runId = `w${Date.now().toString(36)}`;

  const coldStartMs: number[] = [];
  for (let index = 1; index <= options.coldStarts && !signal.aborted; index++) {
    const taskQueue = `cold-start-${runId}-${index}`;
    const spawnedAt = performance.now();
    // Not waited for by the stack: the time to first poll is what is measured, at COLD_START_POLL_MS.
    const { process: worker } = await stack.startWorker({ env: { TEMPORAL_TASK_QUEUE: taskQueue }, wait: false });
    await waitForPollers(connection, taskQueue, worker, 60_000, COLD_START_POLL_MS);
    coldStartMs.push(performance.now() - spawnedAt);
    await worker.stop();
    progress(`cold start ${index}/${options.coldStarts}: ${coldStartMs.at(-1)?.toFixed(0)} ms to first poll`);
  }

  progress(`memory: starting the worker on "${ORDER_TASK_QUEUE}"`);
  const { process: worker } = await stack.startWorker();
  const idleMiB = await settledRss(worker.pid);
  progress(`memory: idle ${idleMiB.toFixed(0)} MiB`);
  const samples: MemorySample[] = [{ openOrders: 0, rssMiB: idleMiB }];
  let open = 0;
  for (let step = 1; step <= options.memorySteps; step++) {
    const level = Math.round((options.openOrders * step) / options.memorySteps);
    await createOpenOrders(client, runId, open, level, signal, progress);
    open = level;
    const rss = await settledRss(worker.pid);
    samples.push({ openOrders: level, rssMiB: rss });
    progress(`memory: ${level} open orders, ${rss.toFixed(0)} MiB`);
  }
  const top = samples.at(-1) ?? { openOrders: 0, rssMiB: idleMiB };
  const perOpenOrderMiB = top.openOrders > 0 ? (top.rssMiB - idleMiB) / top.openOrders : 0;
  const medianMs = median(coldStartMs);
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    temporalServer: serverVersion,
    settings: {
      openOrders: options.openOrders,
      memorySteps: options.memorySteps,
      coldStarts: options.coldStarts,
      server: SERVER_SETTINGS[options.server],
      worker: 'node apps/worker/dist/main.js (prebuilt workflow bundle, WORKER_LOG_LEVEL=WARN)',
      coldStart: `spawn → the server lists the worker as a workflow and activity poller (checked every ${COLD_START_POLL_MS} ms)`,
      memory: `RSS from /proc, the highest of three readings ${SETTLE_MS / 3} ms apart after each step`,
    },
    coldStartMs,
    memory: { idleMiB, samples, perOpenOrderMiB },
    targets: {
      idle: { targetMiB: WORKER_TARGETS.idleMiB, actualMiB: idleMiB, met: idleMiB <= WORKER_TARGETS.idleMiB },
      perOpenOrder: {
        targetMiB: WORKER_TARGETS.perOpenOrderMiB,
        actualMiB: perOpenOrderMiB,
        met: perOpenOrderMiB <= WORKER_TARGETS.perOpenOrderMiB,
      },
      coldStart: { targetMs: WORKER_TARGETS.coldStartMs, medianMs, met: medianMs <= WORKER_TARGETS.coldStartMs },
    },
  };
}

/** The highest of three readings over SETTLE_MS: what the process holds, not a moment between collections. */
async function settledRss(pid: number): Promise<number> {
  let highest = 0;
  for (let reading = 0; reading < 3; reading++) {
    await sleep(SETTLE_MS / 3);
    highest = Math.max(highest, rssMiB(pid) ?? 0);
  }
  return highest;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function formatWorkerReport(report: WorkerReport): string {
  const { targets } = report;
  const mark = (met: boolean) => (met ? 'met' : 'MISSED');
  return [
    '',
    `worker: cold start to first poll ${report.coldStartMs.map((ms) => ms.toFixed(0)).join(', ')} ms ` +
      `(median ${targets.coldStart.medianMs.toFixed(0)} ms; target ≤ ${targets.coldStart.targetMs} ms: ${mark(targets.coldStart.met)})`,
    `worker: RSS idle ${targets.idle.actualMiB.toFixed(0)} MiB (target ≤ ${targets.idle.targetMiB}: ${mark(targets.idle.met)}); ` +
      report.memory.samples.map((s) => `${s.openOrders} open: ${s.rssMiB.toFixed(0)}`).join(', ') +
      ` MiB; ${targets.perOpenOrder.actualMiB.toFixed(3)} MiB per open order (target ≤ ${targets.perOpenOrder.targetMiB}: ${mark(targets.perOpenOrder.met)})`,
  ].join('\n');
}
