import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TemplateManifest } from '../src/manifest';

export const packageDir = resolve(__dirname, '..');
export const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: packageDir, encoding: 'utf8' }).trim();

/**
 * The environment of a person's shell: without what pnpm, Turborepo and jest set for this package's own run (a
 * nested pnpm would read npm_config_* as its settings, NODE_PATH would resolve the copy's modules from this
 * repository's store, the copy's jest would report into this run's counts) and
 * without this repository's node_modules/.bin on PATH, so the copy uses only what it installs itself.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(npm_|pnpm_|jest_|node_path$|init_cwd$|durable_delivery_test_report_dir$)/i.test(key) &&
        !(key.startsWith('TURBO_') && key !== 'TURBO_TELEMETRY_DISABLED'),
    ),
  );
  env.PATH = (env.PATH ?? '')
    .split(':')
    .filter((entry) => !entry.startsWith(repo))
    .join(':');
  return { ...env, ...extra };
}

/** The pnpm this run uses (the one running the test script when there is one). */
export function pnpmCommand(): { command: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  return execPath?.includes('pnpm') ? { command: process.execPath, args: [execPath] } : { command: 'pnpm', args: [] };
}

/** What test/global-setup.ts did: the packed tarball, and the project npx made from it. */
export interface ScaffoldRun {
  readonly work: string;
  readonly tarball: string;
  readonly manifest: TemplateManifest;
  readonly projectName: string;
  readonly project: string;
  readonly scope: string;
  readonly ports: Record<string, number>;
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timings: Record<string, number>;
}

export function scaffoldRun(): ScaffoldRun {
  const file = process.env.CREATE_DURABLE_DELIVERY_RUN;
  if (!file) throw new Error('CREATE_DURABLE_DELIVERY_RUN is not set: run these tests through jest (global set-up)');
  return JSON.parse(readFileSync(file, 'utf8')) as ScaffoldRun;
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs a command to its end with output captured (stdout and stderr interleaved); no stdin, as in CI. */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv({ CI: 'true' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code, signal, output }));
  });
}

/** `npx create-durable-delivery …` from the packed tarball (npx keeps it installed after the first run). */
export function npxCreate(run: ScaffoldRun, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) {
  return runToEnd('npx', ['--yes', '--package', run.tarball, 'create-durable-delivery', ...args], {
    cwd,
    env: env ?? cleanEnv({ CI: 'true' }),
  });
}
