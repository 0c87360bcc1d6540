import { StackProcess, workerMain } from '@durable-delivery/stack';

export interface WorkerProcess {
  /** The process itself (@durable-delivery/stack): pid, signal(), kill(), stop(). */
  readonly process: StackProcess;
  /** Every JSON log line the worker printed so far. */
  readonly logs: Record<string, unknown>[];
  /** Everything it printed that was not a JSON log line (start-up errors go there). */
  readonly text: string[];
  readonly exited: Promise<number | null>;
  /** Resolves when a log line matches; rejects if the process exits first. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
}

/**
 * Runs the built worker (`node dist/main.js`) as its own process, the way it is deployed, and reads its JSON logs.
 * Its metrics and health endpoints take free ports unless the test names them, so workers running side by side never
 * collide. The test waits for what it needs itself (a log line, a probe), so the process is not waited for here.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const logs: Record<string, unknown>[] = [];
  const text: string[] = [];
  const waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const child = new StackProcess({
    name: 'worker',
    args: [workerMain()],
    env: {
      WORKER_LOG_LEVEL: 'INFO',
      WORKER_METRICS_ADDRESS: '127.0.0.1:0',
      WORKER_HEALTH_ADDRESS: '127.0.0.1:0',
      ...env,
    },
    log: (line) => {
      let entry: Record<string, unknown> | undefined;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        text.push(line);
        return;
      }
      logs.push(entry);
      for (const waiter of waiters.filter((w) => w.message === entry.message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    },
  });
  // Without a readiness check, start() only spawns.
  void child.start();
  const { exited } = child;
  return {
    process: child,
    logs,
    text,
    exited,
    waitForLog(message) {
      const seen = logs.find((entry) => entry.message === message);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveLog, reject) => {
        waiters.push({ message, resolve: resolveLog });
        void exited.then((code) =>
          reject(new Error(`worker exited (${code}) before logging "${message}":\n${text.join('\n')}`)),
        );
      });
    },
  };
}
