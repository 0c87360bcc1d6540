import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as lockfile from 'proper-lockfile';

/**
 * Where built binaries live: outside the repository, so `git clean` and fresh clones keep them, and shared by every
 * checkout on the machine. Same rule as tooling/bootstrap/run.mjs.
 */
export function cacheDir(): string {
  return (
    process.env.DURABLE_DELIVERY_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'durable-delivery')
  );
}

/** True when `path` is a regular file this process may execute. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH, like `which`. */
export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "2m05s": for progress lines. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * Runs `fn` while holding a lock named `name` in the cache dir, so that two processes provisioning on a fresh machine
 * (`pnpm dev` next to `pnpm test`, or several jest workers) build once: the second waits, then finds the result.
 *
 * proper-lockfile keeps a held lock fresh by touching it every `update` ms, and treats one untouched for `stale` ms as
 * abandoned. So a build of any length keeps its lock, while a lock left by a killed process frees up within a minute.
 * We poll ourselves rather than use its `retries`, to say what we are waiting for.
 */
export async function withCacheLock<T>(name: string, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  const options: lockfile.LockOptions = {
    lockfilePath: join(dir, `${name}.lock`),
    realpath: false,
    stale: 60_000,
    update: 10_000,
    // The default throws from a timer and kills the process. Losing the lock (only if this process stalls for a
    // minute) is no disaster: installs are atomic renames, so the cache never holds a half-built binary.
    onCompromised: (err) => log(`lock ${name} was lost (${err.message}); carrying on`),
  };
  const release = await acquire(name, options, log);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

async function acquire(name: string, options: lockfile.LockOptions, log: (line: string) => void) {
  const started = Date.now();
  let lastLog = 0;
  for (;;) {
    try {
      return await lockfile.lock(join(cacheDir(), name), options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    }
    if (Date.now() - lastLog >= 20_000) {
      lastLog = Date.now();
      log(`another process is provisioning ${name}; waiting for it (${formatDuration(lastLog - started)} so far)`);
    }
    await sleep(1_000);
  }
}
