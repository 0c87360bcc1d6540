#!/usr/bin/env node
// The entry point behind `npm run dev`, `npm test`, `npm run build`, `npm start`, `npm run bench`, `npm run setup`,
// `npm run test:fast`, `npm run test:scaffold`, `npm run test:e2e`, `npm run test:chaos`, `npm run stack:postgres`,
// `npm run temporal:dev`, `npm run replay`, `npm run drivers` and `npm run create`. A fresh machine has only Node and npm, so
// this file uses nothing but Node: it installs the pinned pnpm into a cache outside the repository, installs the
// workspace, provisions Temporal's own binaries through @durable-delivery/temporal-server (a cached build, so only
// the first run pays for it), and hands over to Turborepo.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '../jest/summary.js';
import { accountsStore, localAppEnv } from './app-env.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The local ports, from the one file every process reads (see tooling/ports).
const ports = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(root, 'tooling/ports/ports.json'), 'utf8'))).map(([name, { port }]) => [
    name,
    port,
  ]),
);
const [, pnpmVersion] = rootPackage.packageManager.split('@');
const cacheDir =
  process.env.DURABLE_DELIVERY_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'durable-delivery');

// What `pnpm dev` and `pnpm start` run side by side, with prefixed logs; Ctrl-C stops them all. With TEMPORAL_ADDRESS
// set, the app runs on that server (`pnpm stack:postgres`'s, a cluster, Temporal Cloud) and no dev server starts.
const STACK = [
  ...(process.env.TEMPORAL_ADDRESS ? [] : ['--filter=@durable-delivery/dev-server']),
  '--filter=@durable-delivery/worker',
  '--filter=@durable-delivery/payments',
  '--filter=@durable-delivery/notifications',
  '--filter=@durable-delivery/codec-server',
  '--filter=@durable-delivery/menu',
  '--filter=@durable-delivery/driver',
];

const commands = {
  // Only what every command does first: the pinned pnpm and the workspace's dependencies (create-durable-delivery
  // runs it in a new copy).
  setup: () => 0,
  // The Temporal dev server (Web UI on 8233, decoding through the codec server on 4040), the worker, the payment
  // (4010) and notification (4020) services, the menu (3000) and the driver portal (3001). The worker and the apps
  // wait for the server; the apps run `next dev`.
  dev: () => startStack('dev', localAppEnv('development', { root, ports })),
  build: () => pnpm(['turbo', 'run', 'build', ...args]),
  // The same stack from the production builds (`next-serve`), built first if needed.
  start: () => {
    const env = localAppEnv('production', { root, ports });
    return env ? startStack('start', env) : 1;
  },
  // The tests run on the dev server and on the full server on PostgreSQL; the compose file is checked with
  // docker-compose; the end-to-end tests drive Chromium; the metrics test scrapes with a real Prometheus.
  // On a new machine Temporal's Go builds (warmUpGoBuilds) go on beside the workspace's own builds, which need none
  // of them; the tests need them all.
  test: async () =>
    ensureDebianPackages(['chromium', 'postgresql', 'docker-compose']) ||
    // Only the server: not the exporters Debian recommends with it.
    ensureDebianPackages(['prometheus'], ['--no-install-recommends']) ||
    pnpm(['turbo', 'run', 'build', '--concurrency=2'], { ...process.env, DURABLE_DELIVERY_TYPECHECK_APART: '1' }) ||
    (await goWarmUp?.server, provisionTemporal() || provisionTemporalServer()) ||
    runTests(['format:check', 'lint', 'typecheck', 'test', '--concurrency=2'], { first: '@durable-delivery/e2e' }),
  // Minutes, not ten: formatting, lint, type checks and each package's `test:fast` (unit and time-skipping workflow
  // tests), with no browser, no Temporal server stack and no chaos; the apps' production builds are not made.
  'test:fast': () =>
    provisionTemporal() || runTests(['format:check', 'lint', 'typecheck', 'test:fast', '--concurrency=2']),
  // create-durable-delivery packed, run through npx, and the new copy's own `test:fast` (see its README).
  'test:scaffold': () =>
    provisionTemporal() ||
    pnpm(['turbo', 'run', 'build', '--filter=create-durable-delivery']) ||
    pnpm(['--filter', 'create-durable-delivery', 'run', 'test:scaffold', ...args]),
  chaos: () =>
    provisionTemporal() ||
    (onPostgres() && (provisionTemporalServer() || ensureDebianPackages(['postgresql']))) ||
    pnpm(['turbo', 'run', 'build']) ||
    pnpm(['--filter', '@durable-delivery/chaos', 'run', 'chaos', ...args]),
  // The pages part runs Lighthouse in Debian's Chromium, as the end-to-end tests do.
  bench: () =>
    provisionTemporal() ||
    (onPostgres() && (provisionTemporalServer() || ensureDebianPackages(['postgresql']))) ||
    ensureDebianPackages(['chromium']) ||
    pnpm(['turbo', 'run', 'build']) ||
    pnpm(['--filter', '@durable-delivery/bench', 'run', 'bench', ...args]),
  // Only the end-to-end tests (e2e/), on the production builds that `npm run build` made.
  'test:e2e': () =>
    provisionTemporal() ||
    ensureDebianPackages(['chromium']) ||
    pnpm(['--filter', '@durable-delivery/e2e', 'run', 'test', ...args]),
  // The Temporal dev server alone, with this project's ports, SQLite file and search attributes.
  'temporal:dev': () =>
    provisionTemporal() ||
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/dev-server']) ||
    pnpm(['--filter', '@durable-delivery/dev-server', 'run', 'dev']),
  // A workflow's history from the server the worker is configured for, replayed on the current code (see
  // docs/operations.md): `npm run replay -- <order id | workflow id>`.
  replay: () =>
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/worker']) ||
    run('node', ['apps/worker/dist/replay.js', ...args]),
  // The operators' command for driver accounts (packages/accounts): `npm run drivers -- add dana --name "Dana"`, and
  // disable, enable, reset-password, sign-out, list. On the project's SQLite file unless ACCOUNTS_DATABASE_URL is set.
  drivers: () =>
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/accounts', '--output-logs=errors-only']) ||
    run('node', [DRIVERS_CLI, ...args], { ...process.env, ...accountsStore(root) }),
  // A new project from this repository's working tree, as the published create-durable-delivery would make it:
  // `npm run create -- ../my-app` (the package's prepack puts the tracked files in, then its CLI runs from here).
  // Relative folders are taken from where npm was run.
  create: () =>
    scaffoldHere() ||
    pnpm(['turbo', 'run', 'build', '--filter=create-durable-delivery']) ||
    pnpm(['--filter', 'create-durable-delivery', 'run', 'prepack']) ||
    run('node', [join(root, 'tooling/create-durable-delivery/dist/cli.js'), ...args], process.env, {
      cwd: process.env.INIT_CWD || root,
    }),
  // The full Temporal server on a private PostgreSQL cluster, in the foreground (see tooling/temporal-cluster).
  'stack:postgres': () =>
    provisionTemporalServer() ||
    ensureDebianPackages(['postgresql']) ||
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/temporal-cluster']) ||
    pnpm(['--filter', '@durable-delivery/temporal-cluster', 'run', 'start']),
};

const DRIVERS_CLI = join(root, 'packages/accounts/dist/cli.js');

/** A copy made by create-durable-delivery carries no scaffold (it leaves itself out): say so instead of failing. */
function scaffoldHere() {
  if (existsSync(join(root, 'tooling/create-durable-delivery/package.json'))) return 0;
  console.error(
    'This project has no tooling/create-durable-delivery (a copy made by it leaves the scaffold out): ' +
      'run `npm run create` in the Durable Delivery repository, or the published `npx create-durable-delivery`.',
  );
  return 1;
}

/** Whether `--server` asks for the PostgreSQL-backed server (`--server postgres`, `--server=dev,postgres`). */
function onPostgres() {
  return args.some(
    (arg, index) => /^--server=.*postgres/.test(arg) || (args[index - 1] === '--server' && /postgres/.test(arg)),
  );
}

const [command, ...args] = process.argv.slice(2);
if (!command || !(command in commands)) {
  console.error(`usage: node tooling/bootstrap/run.mjs <${Object.keys(commands).join('|')}>`);
  process.exit(2);
}

checkNode();
// Before anything else on a new machine: see warmUpGoBuilds.
const goWarmUp =
  command === 'dev' || command === 'start'
    ? warmUpGoBuilds(false)
    : command === 'test'
      ? warmUpGoBuilds(true)
      : undefined;
ensurePnpm();
// Turborepo and Next.js would otherwise send usage telemetry (and Next.js prints a notice about it at every build):
// nothing this project runs calls home.
process.env.TURBO_TELEMETRY_DISABLED = '1';
process.env.NEXT_TELEMETRY_DISABLED = '1';
const installStatus = pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
if (installStatus !== 0) process.exit(installStatus);
process.exit(await commands[command]());

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

/**
 * `npm run dev` and `npm start`: on a new machine, building the Temporal CLI with Go takes minutes, so it runs beside
 * the workspace's own builds instead of before them (only the CLI: the time-skipping test server is for tests). Then
 * Turborepo starts every process; its builds are cached by then. Each step says what it does and how long it takes.
 */
async function startStack(task, env) {
  const started = Date.now();
  const step = (text) => console.log(`\n▶ ${text} (${Math.round((Date.now() - started) / 1000)} s so far)`);
  step('Building the Temporal tooling');
  const tooling = pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/temporal-server']);
  if (tooling !== 0) return tooling;
  if (goWarmUp) {
    step('Waiting for the Go builds of the Temporal CLI and its Web UI server started before the install');
    await goWarmUp.tools;
  }
  step(
    'Finding the Temporal CLI and its Web UI server (on a new machine: linking the builds above, seconds) beside the' +
      ' workspace builds' +
      (task === 'start' ? ' (and the production builds of both apps)' : ''),
  );
  // `npm run dev` serves the apps with `next dev`, which compiles on request: their own production builds are skipped.
  const builds = STACK.map((filter) => (task === 'dev' && /\/(menu|driver)$/.test(filter) ? `${filter}^...` : filter));
  const [cli, workspace] = await Promise.all([
    process.env.TEMPORAL_ADDRESS ? 0 : runAsync('node', ['tooling/temporal-server/dist/cli.js', 'provision', 'cli']),
    runAsync('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only', ...builds]),
  ]);
  if (cli !== 0 || workspace !== 0) return cli || workspace;
  const accounts = driverAccountsFor(task, env);
  if (accounts !== 0) return accounts;
  step('Starting the stack; the menu answers once its first page has compiled');
  return pnpm(['turbo', 'run', task, ...STACK], env);
}

/**
 * On a new machine the Go builds of Temporal's own binaries (the CLI about five minutes on two cores; the UI server,
 * the full server and its SQL tool, which share its dependencies in tooling/temporal-server/go, little more) are most
 * of the wait, and the workspace's install (two to three) comes before the package that runs them. So their
 * downloads and compiling start here, beside the install, into Go's own module and build caches, from the same
 * module and with the same settings tooling/temporal-server builds with (src/go-module.ts); those builds, after the
 * install, then find every package compiled and only link. Nothing is cached by this step itself: building several
 * packages at once compiles them and links none. `tools` settles once the CLI and the Web UI server are compiled;
 * `server` once the full server and its SQL tool are too (only with `withServer`: `npm test`, whose workspace builds
 * run beside it). Each is skipped when its build is already cached, given, or not needed, or there is no Go; a build
 * that fails here only leaves its work to the real one.
 */
function warmUpGoBuilds(withServer) {
  const goModuleDir = join(root, 'tooling/temporal-server/go');
  const goMod = readFileSync(join(goModuleDir, 'go.mod'), 'utf8');
  const versionOf = (modulePath) =>
    new RegExp(`^\\s*${modulePath.replaceAll('.', '\\.')} v(\\S+)`, 'm').exec(goMod)?.[1];
  const cli = versionOf('github.com/temporalio/cli');
  const ui = versionOf('github.com/temporalio/ui-server/v2');
  const server = versionOf('go.temporal.io/server');
  if (!cli || !ui || !server || !onPath('go')) return undefined;
  const cached = (cacheName, binary) => existsSync(join(cacheDir, cacheName, binary));
  const tools = [
    !process.env.TEMPORAL_CLI_PATH &&
      !process.env.TEMPORAL_ADDRESS &&
      !onPath('temporal') &&
      !cached(`temporal-cli-${cli}`, 'temporal') &&
      'github.com/temporalio/cli/cmd/temporal',
    !process.env.TEMPORAL_UI_SERVER_PATH &&
      !cached(`temporal-ui-server-${ui}`, 'temporal-ui-server') &&
      'github.com/temporalio/ui-server/v2/cmd/server',
  ].filter(Boolean);
  const serverTools =
    withServer && !process.env.TEMPORAL_SERVER_PATH && !cached(`temporal-server-${server}`, 'temporal-server')
      ? ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql']
      : [];
  if (tools.length + serverTools.length === 0) return undefined;
  console.log("▶ Building Temporal's binaries with Go beside the install (once per machine, minutes)");
  const children = new Set();
  // A command that ends early (a failed install or build) leaves no Go build running behind it.
  process.on('exit', () => children.forEach((child) => child.kill()));
  const compile = (packages) =>
    new Promise((resolveDone) => {
      if (packages.length === 0) return resolveDone();
      const scratch = mkdtempSync(join(tmpdir(), 'durable-delivery-go-warm-up-'));
      // Two packages or more: compiled, not linked. One alone would be linked into the module's folder.
      const output = packages.length === 1 ? ['-o', scratch] : [];
      const child = spawn('go', ['build', '-ldflags=-s -w', ...output, ...packages], {
        cwd: goModuleDir,
        env: { ...process.env, GOTMPDIR: scratch, CGO_ENABLED: '0', GOWORK: 'off', GOFLAGS: '-mod=readonly' },
        stdio: 'ignore',
      });
      children.add(child);
      const done = () => {
        children.delete(child);
        rmSync(scratch, { recursive: true, force: true });
        resolveDone();
      };
      child.on('exit', done);
      child.on('error', done);
    });
  const toolsDone = compile(tools);
  return { tools: toolsDone, server: toolsDone.then(() => compile(serverTools)) };
}

/**
 * `npm run dev` adds the development drivers README names (dana, eli) when they are missing; `npm start` never does,
 * and says how to add a driver when there is none.
 */
function driverAccountsFor(task, env) {
  if (task === 'dev') {
    console.log('Development driver accounts (see README.md): dana / dana-drives-dev, eli / eli-drives-dev!');
    return run('node', [DRIVERS_CLI, 'seed-development'], env);
  }
  const listed = spawnSync('node', [DRIVERS_CLI, 'list', '--json'], { cwd: root, env, encoding: 'utf8' });
  if (listed.status !== 0) {
    process.stderr.write(listed.stderr);
    return listed.status ?? 1;
  }
  if (JSON.parse(listed.stdout).length === 0) {
    console.warn('No driver accounts yet: add one with `npm run drivers -- add <username> --name "<name>"`.');
  }
  return 0;
}

function runAsync(command, commandArgs, env = process.env) {
  return new Promise((resolveStatus, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolveStatus(code ?? (signal ? 1 : 0)));
  });
}

// Builds the Temporal CLI and the time-skipping test server on first use (minutes, once; cached outside the repo),
// before anything that needs them starts a timer of its own.
function provisionTemporal() {
  return (
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/temporal-server']) ||
    run('node', ['tooling/temporal-server/dist/cli.js', 'provision'])
  );
}

// The same for the full Temporal server and its SQL tool (about ten minutes the first time on two cores).
function provisionTemporalServer() {
  return (
    pnpm(['turbo', 'run', 'build', '--filter=@durable-delivery/temporal-server']) ||
    run('node', ['tooling/temporal-server/dist/cli.js', 'provision-server'])
  );
}

/**
 * Debian packages some commands need, each installed with apt-get when missing: Chromium for the end-to-end tests
 * (never a browser downloaded by a test tool), PostgreSQL for the PostgreSQL-backed Temporal server, docker-compose to
 * check docker-compose.yml (no Docker engine needed), Prometheus for the metrics test. Directly as root (CI containers), through passwordless sudo
 * otherwise. Installing `postgresql` creates Debian's own cluster; this project never uses it (it runs its own, on
 * its own port).
 */
function debianPackages() {
  return {
    chromium: binaryAt('CHROMIUM_PATH', '/usr/bin/chromium', 'The end-to-end tests need Chromium'),
    postgresql: {
      // Where tooling/temporal-cluster looks (POSTGRES_BIN_DIR, PATH, Debian's /usr/lib/postgresql/<version>/bin).
      present: () =>
        (process.env.POSTGRES_BIN_DIR && existsSync(join(process.env.POSTGRES_BIN_DIR, 'initdb'))) ||
        onPath('initdb') ||
        (existsSync('/usr/lib/postgresql') &&
          readdirSync('/usr/lib/postgresql').some((version) =>
            existsSync(join('/usr/lib/postgresql', version, 'bin', 'initdb')),
          )),
      why: 'The PostgreSQL-backed Temporal server needs PostgreSQL (or set POSTGRES_BIN_DIR)',
    },
    'docker-compose': {
      present: () => onPath('docker-compose'),
      why: 'Checking docker-compose.yml needs docker-compose',
    },
    prometheus: binaryAt(
      'PROMETHEUS_PATH',
      '/usr/bin/prometheus',
      'The metrics test scrapes the running stack with a real Prometheus',
    ),
  };
}

/** A package known by one binary: at `$pathVar` when that is set (and then it must exist), else at `defaultPath`. */
function binaryAt(pathVar, defaultPath, why) {
  return {
    present: () => existsSync(process.env[pathVar] ?? defaultPath),
    check: () => {
      if (process.env[pathVar] && !existsSync(process.env[pathVar])) {
        return `${pathVar} is ${process.env[pathVar]}, which does not exist.`;
      }
    },
    why: `${why} (or set ${pathVar})`,
  };
}

/** `installArgs` go to apt-get install, e.g. --no-install-recommends. */
function ensureDebianPackages(names, installArgs = []) {
  const packages = debianPackages();
  for (const name of names) {
    const problem = packages[name].check?.();
    if (problem) {
      console.error(problem);
      return 1;
    }
  }
  const missing = names.filter((name) => !packages[name].present());
  if (missing.length === 0) return 0;
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    for (const name of missing) console.error(`${packages[name].why}: run \`sudo apt-get install ${name}\`.`);
    return 1;
  }
  console.log(`Installing Debian's ${missing.join(', ')} (once)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (aptArgs) => {
    const [command, ...rest] = [...sudo, 'apt-get', ...aptArgs];
    return run(command, rest, env);
  };
  const status = apt(['update', '-qq']) || apt(['install', '-y', '-qq', ...installArgs, ...missing]);
  const stillMissing = missing.filter((name) => !packages[name].present());
  if (status !== 0 || stillMissing.length > 0) {
    console.error(`Could not install ${stillMissing.join(', ') || missing.join(', ')} with apt-get (exit ${status}).`);
    return status || 1;
  }
  return 0;
}

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

function run(command, commandArgs, env = process.env, { cwd = root } = {}) {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpm(pnpmArgs, env = process.env) {
  const result = spawnSync('pnpm', pnpmArgs, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// The given Turborepo tasks, then one closing line that counts the tests jest ran in every package (see
// tooling/jest/summary.js: a run whose tasks failed never closes on a passing count).
//
// `first` (npm test's end-to-end suite, its longest task by far) runs in a Turborepo run of its own from the start,
// beside the rest. In one run every other task is ready before it, so it started last and ran its quarter hour alone
// on a two-core machine. Both runs take `--only`: the builds are made before, and a second run replaying them could
// rewrite files the first run's servers are reading. A command line with its own arguments (a --filter) runs as one.
async function runTests(tasks, { first } = {}) {
  const reportDir = mkdtempSync(join(tmpdir(), 'durable-delivery-tests-'));
  const env = { ...process.env, DURABLE_DELIVERY_TEST_REPORT_DIR: reportDir };
  const turbo = (extra) => runAsync('pnpm', ['turbo', 'run', ...tasks, ...extra], env);
  const statuses = await Promise.all(
    first && args.length === 0
      ? [turbo(['--only', `--filter=${first}`]), turbo(['--only', `--filter=!${first}`])]
      : [turbo(args)],
  );
  const { lines, status } = summarize(reportDir, statuses.find((taskStatus) => taskStatus !== 0) ?? 0);
  rmSync(reportDir, { recursive: true, force: true });
  console.log(`\n${lines.join('\n')}`);
  return status;
}
