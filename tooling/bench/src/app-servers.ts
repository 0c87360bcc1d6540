/**
 * The two Next.js apps as production runs them: `next start` on their production builds (`.next`, made by
 * `pnpm bench`'s build), each on a free loopback port, the way the e2e harness starts them (e2e/harness/stack.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = resolve(__dirname, '../../..');
const STOP_GRACE_MS = 15_000;
const KEPT_LINES = 40;

export type AppName = 'menu' | 'driver';

export interface AppServer {
  readonly name: AppName;
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly lastLines: () => readonly string[];
  /** SIGTERM to the app's process group, SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** The `next` CLI the app was built with, resolved from the app; fails early if the app has no production build. */
function nextBin(app: AppName): string {
  const appDir = join(REPO_ROOT, 'apps', app);
  if (!existsSync(join(appDir, '.next', 'BUILD_ID'))) {
    throw new Error(`apps/${app} has no production build (.next): run \`pnpm turbo run build\` (or \`pnpm bench\`).`);
  }
  const pkg = require.resolve('next/package.json', { paths: [appDir] });
  return join(dirname(pkg), 'dist/bin/next');
}

export function startApp(app: AppName, port: number, env: Record<string, string>): AppServer {
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin(app), 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: join(REPO_ROOT, 'apps', app),
      // A clean environment, as for the worker: what the app needs is passed explicitly.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it also stops anything `next start` may have started itself.
      detached: true,
    },
  );
  const { pid } = child;
  if (pid === undefined) throw new Error(`could not start the ${app} app (${process.execPath})`);

  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    });
  }
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  // If the bench dies, the app must not live on.
  const killOnExit = () => signalGroup('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  return {
    name: app,
    url: `http://127.0.0.1:${port}`,
    pid,
    exited,
    lastLines: () => [...lines],
    async stop() {
      if (exitCode !== undefined) {
        // The app itself is gone; make sure nothing it started outlives it.
        signalGroup('SIGKILL');
        return;
      }
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
    },
  };
}

/** Resolves once the app answers HTTP at its root (any status); fails if it exits first or takes too long. */
export async function waitForHttp(app: AppServer, signal: AbortSignal, timeoutMs = 120_000): Promise<void> {
  let exitCode: number | null | undefined;
  void app.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new Error('aborted');
    if (exitCode !== undefined) {
      throw new Error(`the ${app.name} app exited (code ${exitCode}) before answering:\n${app.lastLines().join('\n')}`);
    }
    try {
      const response = await fetch(`${app.url}/`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`the ${app.name} app did not answer at ${app.url} within ${timeoutMs} ms`);
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
    }
  }
}
