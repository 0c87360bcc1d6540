#!/usr/bin/env node
// The entry point behind `npm run dev`, `npm test`, `npm run build`, `npm start` and `npm run bench`. A fresh machine has only Node and npm, so
// this file uses nothing but Node: it installs the pinned pnpm into a cache outside the repository, installs the
// workspace, provisions Temporal's own binaries through @durable-delivery/temporal-server (a cached build, so only
// the first run pays for it), and hands over to Turborepo.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const [, pnpmVersion] = rootPackage.packageManager.split('@');
const cacheDir =
  process.env.DURABLE_DELIVERY_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'durable-delivery');

// What `pnpm dev` and `pnpm start` run side by side, with prefixed logs; Ctrl-C stops them all.
const STACK = [
  '--filter=@durable-delivery/dev-server',
  '--filter=@durable-delivery/worker',
  '--filter=@durable-delivery/payments',
  '--filter=@durable-delivery/notifications',
  '--filter=@durable-delivery/menu',
  '--filter=@durable-delivery/driver',
];

const commands = {
  // The Temporal dev server (Web UI on 8233), the worker, the payment (4010) and notification (4020) services, the
  // menu (3000) and the driver portal (3001). The worker and the apps wait for the server; the apps run `next dev`.
  dev: () => provisionTemporal() || pnpm(['turbo', 'run', 'dev', ...STACK], localAppEnv('development')),
  build: () => pnpm(['turbo', 'run', 'build', ...args]),
  // The same stack from the production builds (`next start`), built first if needed.
  start: () => provisionTemporal() || pnpm(['turbo', 'run', 'start', ...STACK], localAppEnv('production')),
  test: () => provisionTemporal() || ensureChromium() || runTests(),
  chaos: () =>
    provisionTemporal() ||
    pnpm(['turbo', 'run', 'build']) ||
    pnpm(['--filter', '@durable-delivery/chaos', 'run', 'chaos', ...args]),
  // The pages part runs Lighthouse in Debian's Chromium, as the end-to-end tests do.
  bench: () =>
    provisionTemporal() ||
    ensureChromium() ||
    pnpm(['turbo', 'run', 'build']) ||
    pnpm(['--filter', '@durable-delivery/bench', 'run', 'bench', ...args]),
};

const [command, ...args] = process.argv.slice(2);
if (!command || !(command in commands)) {
  console.error(`usage: node tooling/bootstrap/run.mjs <${Object.keys(commands).join('|')}>`);
  process.exit(2);
}

checkNode();
ensurePnpm();
// Turborepo would otherwise try to send usage telemetry; this machine (and many CI runners) is offline.
process.env.TURBO_TELEMETRY_DISABLED = '1';
const installStatus = pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
if (installStatus !== 0) process.exit(installStatus);
process.exit(commands[command]());

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Durable Delivery needs Node ${rootPackage.engines.node}; this is Node ${process.versions.node}.`);
    process.exit(1);
  }
}

function ensurePnpm() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() === pnpmVersion) return;
  const prefix = join(cacheDir, 'tools', `pnpm-${pnpmVersion}`);
  const bin = join(prefix, 'node_modules', '.bin');
  if (!existsSync(join(bin, 'pnpm'))) {
    console.log(`Installing pnpm ${pnpmVersion} into ${prefix} (once)…`);
    mkdirSync(prefix, { recursive: true });
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-fund', '--no-audit', `pnpm@${pnpmVersion}`],
      {
        stdio: 'inherit',
      },
    );
    if (npm.status !== 0) {
      console.error(`Could not install pnpm ${pnpmVersion} from the npm registry (npm exited ${npm.status}).`);
      process.exit(1);
    }
  }
  process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
}

// Builds the Temporal CLI and the time-skipping test server on first use (minutes, once; cached outside the repo),
// before anything that needs them starts a timer of its own.
function provisionTemporal() {
  return (
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/temporal-server']) ||
    run('node', ['tooling/temporal-server/dist/cli.js', 'provision'])
  );
}

/**
 * The apps' secrets for a run on this machine, from the environment when set. Otherwise the session secret is made
 * once, at random, into .data/ (ignored by git; never a value written in the repository), so sessions survive a
 * restart; the driver passcode falls back to the development one that README.md names.
 */
function localAppEnv(mode) {
  const env = { ...process.env };
  if (!env.SESSION_SECRET) {
    const file = join(root, '.data', 'session-secret');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    }
    env.SESSION_SECRET = readFileSync(file, 'utf8').trim();
  }
  // The worker charges and notifies through the services the same command starts; the menu relays notifications.
  env.PAYMENTS_URL ??= 'http://127.0.0.1:4010';
  env.NOTIFICATIONS_URL ??= 'http://127.0.0.1:4020';
  if (mode === 'production' && !env.DRIVER_PASSCODE) {
    // The same value as DEVELOPMENT_DRIVER_PASSCODE in packages/api/src/server/config.ts.
    env.DRIVER_PASSCODE = 'drive-safely';
    console.warn('DRIVER_PASSCODE is not set: drivers sign in with the development passcode "drive-safely".');
  }
  return env;
}

/**
 * The end-to-end tests drive Debian's Chromium (never a browser downloaded by a test tool). Installed with apt-get
 * when missing: directly as root (CI containers), through passwordless sudo otherwise.
 */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return 0;
  if (process.env.CHROMIUM_PATH) {
    console.error(`CHROMIUM_PATH is ${path}, which does not exist.`);
    return 1;
  }
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    console.error('The end-to-end tests need Chromium: run `sudo apt-get install chromium` (or set CHROMIUM_PATH).');
    return 1;
  }
  console.log("Installing Debian's chromium for the end-to-end tests (once)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (aptArgs) => {
    const [command, ...rest] = [...sudo, 'apt-get', ...aptArgs];
    return run(command, rest, env);
  };
  const status = apt(['update', '-qq']) || apt(['install', '-y', '-qq', 'chromium']);
  if (status !== 0 || !existsSync(path)) {
    console.error(`Could not install chromium with apt-get (exit ${status}).`);
    return status || 1;
  }
  return 0;
}

function run(command, commandArgs, env = process.env) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpm(pnpmArgs, env = process.env) {
  const result = spawnSync('pnpm', pnpmArgs, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// Every check CI cares about, then one closing line that counts the tests jest ran in every package.
function runTests() {
  const reportDir = mkdtempSync(join(tmpdir(), 'durable-delivery-tests-'));
  const env = { ...process.env, DURABLE_DELIVERY_TEST_REPORT_DIR: reportDir };
  const status = pnpm(
    ['turbo', 'run', 'build', 'format:check', 'lint', 'typecheck', 'test', '--concurrency=2', ...args],
    env,
  );
  let passed = 0;
  let failed = 0;
  for (const file of readdirSync(reportDir)) {
    const counts = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    passed += counts.passed;
    failed += counts.failed;
  }
  rmSync(reportDir, { recursive: true, force: true });
  console.log(`\n${passed} passed, ${failed} failed`);
  if (status === 0 && passed === 0) {
    console.error('No test ran: that is a failure, not a pass.');
    return 1;
  }
  return status;
}
