import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const WORKER_MAIN = resolve(__dirname, '../dist/main.js');

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every JSON log line the worker printed so far. */
  readonly logs: Record<string, unknown>[];
  /** Everything it printed that was not a JSON log line (start-up errors go there). */
  readonly text: string[];
  readonly exited: Promise<number | null>;
  /** Resolves when a log line matches; rejects if the process exits first. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
}

/**
 * Runs the built worker (`node dist/main.js`) as its own process, the way it is deployed. Its metrics and health
 * endpoints take free ports unless the test names them, so workers running side by side never collide.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      WORKER_LOG_LEVEL: 'INFO',
      WORKER_METRICS_ADDRESS: '127.0.0.1:0',
      WORKER_HEALTH_ADDRESS: '127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const text: string[] = [];
  const waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
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
    });
  }
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return {
    child,
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
