/**
 * The real worker, run as deployed (`node apps/worker/dist/main.js`) in its own process, so its memory and CPU
 * can be read apart from the bench's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const STOP_GRACE_MS = 15_000;
const KEPT_LINES = 40;

export interface WorkerProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** Lines the worker printed: at WARN, anything here is worth a look. */
  readonly lineCount: () => number;
  readonly lastLines: () => readonly string[];
  /** SIGTERM (the worker drains and exits), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Where the built worker is; it must have been built first (`pnpm bench` builds everything). */
export function workerMainPath(): string {
  let main: string;
  try {
    main = require.resolve('@durable-delivery/worker');
  } catch {
    main = '';
  }
  if (!main || !existsSync(join(dirname(main), 'workflow-bundle.js'))) {
    throw new Error(
      'The worker is not built: run `pnpm turbo run build --filter=@durable-delivery/bench...` (or `pnpm bench`).',
    );
  }
  return main;
}

/**
 * `encryptionKeys`: PAYLOAD_ENCRYPTION_KEYS, so the order worker encrypts every payload as in production; `extraEnv`
 * on top (e.g. a task queue of its own).
 */
export function spawnWorker(
  address: string,
  encryptionKeys: string,
  extraEnv: Record<string, string> = {},
): WorkerProcess {
  // Node's own flags for the worker, before its script: BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
  // profiles it under load (each thread writes a profile when it exits), which NODE_OPTIONS refuses to do.
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(/\s+/).filter((arg) => arg !== '') ?? [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, workerMainPath()], {
    // A clean environment: nothing from the caller's shell (a TEMPORAL_PROFILE, fault rates) changes what is measured.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
      // At INFO the worker writes several lines per order; that is I/O a benchmark should not measure.
      WORKER_LOG_LEVEL: 'WARN',
      PAYMENTS_ERROR_RATE: '0',
      PAYMENTS_LATENCY_MS: '0',
      NOTIFICATIONS_ERROR_RATE: '0',
      NOTIFICATIONS_LATENCY_MS: '0',
      // Any free port for the metrics and health endpoints: nothing else on the machine is disturbed (or disturbs).
      WORKER_METRICS_ADDRESS: '127.0.0.1:0',
      WORKER_HEALTH_ADDRESS: '127.0.0.1:0',
      // Options Node takes from the environment, e.g. BENCH_WORKER_NODE_OPTIONS='--max-old-space-size=512'.
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start the worker (${process.execPath})`);

  const lines: string[] = [];
  let lineCount = 0;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lineCount++;
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // If the bench dies, the worker must not live on polling a server that is gone.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    pid: child.pid,
    exited,
    lineCount: () => lineCount,
    lastLines: () => [...lines],
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Resolves once a worker polls both the workflow and the activity side of `taskQueue`. At WARN the worker prints
 * nothing when it starts, so the server is asked who is polling.
 */
export async function waitForPollers(
  connection: Connection,
  taskQueue: string,
  worker?: WorkerProcess,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<void> {
  const { TaskQueueType } = temporal.api.enums.v1;
  let exited = false;
  void worker?.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (worker && exited) {
      throw new Error(`the worker exited before it polled "${taskQueue}":\n${worker.lastLines().join('\n')}`);
    }
    const polled = await Promise.all(
      [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType,
        });
        return (pollers?.length ?? 0) > 0;
      }),
    );
    if (polled.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`no worker polled "${taskQueue}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
