/**
 * The real worker as the bench runs it (`node apps/worker/dist/main.js`, started by @durable-delivery/stack) in its
 * own process, so its memory and CPU can be read apart from the bench's.
 */
import type { StackOptions } from '@durable-delivery/stack';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** What the bench's stacks start the worker with, on top of what the stack sets (server, key, free ports). */
export function benchWorkerOptions(): Pick<StackOptions, 'workerNodeArgs'> & {
  env: { worker: Record<string, string> };
} {
  return {
    // Node's own flags for the worker, before its script: BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
    // profiles it under load (each thread writes a profile when it exits), which NODE_OPTIONS refuses to do.
    workerNodeArgs: process.env.BENCH_WORKER_NODE_ARGS?.split(/\s+/).filter((arg) => arg !== '') ?? [],
    env: {
      // The stack's environment is clean: nothing from the caller's shell (a TEMPORAL_PROFILE, fault rates) changes
      // what is measured. Without service URLs the worker uses its in-process simulators, faults off.
      worker: {
        // At INFO the worker writes several lines per order; that is I/O a benchmark should not measure.
        WORKER_LOG_LEVEL: 'WARN',
        PAYMENTS_ERROR_RATE: '0',
        PAYMENTS_LATENCY_MS: '0',
        NOTIFICATIONS_ERROR_RATE: '0',
        NOTIFICATIONS_LATENCY_MS: '0',
        // Options Node takes from the environment, e.g. BENCH_WORKER_NODE_OPTIONS='--max-old-space-size=512'.
        ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
      },
    },
  };
}

/**
 * Resolves once a worker polls both the workflow and the activity side of `taskQueue`: how the worker part times a
 * cold start, and how the workflow part knows its in-process ceiling worker polls.
 */
export async function waitForPollers(
  connection: Connection,
  taskQueue: string,
  worker?: { readonly exited: Promise<unknown>; lastLines(): readonly string[] },
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
