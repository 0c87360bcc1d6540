import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadPayloadEncryption, randomEncryptionKeys, type PayloadEncryption } from '@durable-delivery/codec';
import {
  TEMPORAL_SERVER_TITLES,
  startProjectTemporal,
  type ProjectTemporal,
  type TemporalServerKind,
} from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { Client, Connection } from '@temporalio/client';
import { createDriver, prepareAccounts, type DriverLogin } from './drivers';
import { StackProcess, type Env, type ProcessOptions } from './process';

const REPO = resolve(__dirname, '../../..');

/** The processes a stack may run besides the Temporal server, in the order they start. */
export const STACK_PARTS = ['codec-server', 'payments', 'notifications', 'worker', 'menu', 'driver'] as const;
export type StackPart = (typeof STACK_PARTS)[number];
export type AppName = 'menu' | 'driver';
type ServiceName = 'codec-server' | 'payments' | 'notifications';

export interface StackOptions {
  /** Names the run: its temporary directory, and the id of its encryption key ('e2e', 'bench', 'chaos'). */
  readonly label: string;
  /** Which processes to start; default all of them. The Temporal server always starts. */
  readonly parts?: readonly StackPart[];
  readonly temporal?: {
    /** Default 'dev', the file-backed dev server; 'postgres', the full server on PostgreSQL. */
    readonly kind?: TemporalServerKind;
    readonly namespace?: string;
    /** The dev server's Web UI, decoding through the codec server when that runs too. */
    readonly ui?: boolean;
  };
  /** How many worker processes (with 'worker' in parts); default 1. */
  readonly workers?: number;
  /** Node's own flags for the workers, before the script (e.g. --cpu-prof). */
  readonly workerNodeArgs?: readonly string[];
  /** Variables on top of what the stack sets: faults, windows, log levels. `apps` goes to both apps. */
  readonly env?: Partial<Record<'worker' | 'apps' | AppName | ServiceName, Env>>;
  /** More servers of an app's production build, each with its own variables (e.g. a menu with a short window). */
  readonly moreApps?: readonly { readonly name: string; readonly app: AppName; readonly env: Env }[];
  /** Every process's lines go here, each after its name (`[worker-0] …`); default: kept in memory only. */
  readonly logFile?: string;
  /** What is starting, for a progress line. */
  readonly progress?: (line: string) => void;
  /** A process that exits while nobody asked it to: the caller's cue to fail the run. */
  readonly onExit?: (process: StackProcess, code: number | null) => void;
  /** Aborts waiting for readiness. */
  readonly signal?: AbortSignal;
}

export interface StackWorker {
  readonly process: StackProcess;
  /** host:port of the SDK's own Prometheus endpoint (loopback, no token): scrapers use healthUrl's /metrics. */
  readonly metricsAddress: string;
  /** http://host:port of its /healthz, /readyz and /metrics (the last with the stack's metricsToken). */
  readonly healthUrl: string;
}

export interface StackApp {
  readonly name: string;
  readonly app: AppName;
  readonly port: number;
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly process: StackProcess;
}

export interface Stack {
  /** Its data (the server's database, the services' SQLite files); removed by stop(). */
  readonly dir: string;
  readonly temporal: ProjectTemporal;
  /** PAYLOAD_ENCRYPTION_KEYS, made for the run; every process of the stack encrypts with it. */
  readonly encryptionKeys: string;
  readonly encryption: PayloadEncryption;
  /** The driver app's accounts store (a SQLite file in `dir`): for createDriver from another process. */
  readonly accountsDatabaseUrl: string;
  /** A driver account the driver app signs in (a new password when the username exists). */
  createDriver(username: string, name?: string): Promise<DriverLogin>;
  /** The token operators sign in to the codec server with. */
  readonly codecServerToken: string;
  /** The services' API keys (PAYMENTS_API_KEY, NOTIFICATIONS_API_KEY), made for the run: callers present them. */
  readonly apiKeys: { readonly payments: string; readonly notifications: string };
  /** METRICS_TOKEN, made for the run: every /metrics and /api/metrics of the stack answers only a scrape with it. */
  readonly metricsToken: string;
  readonly urls: {
    readonly temporalUi?: string;
    readonly codecServer?: string;
    readonly payments?: string;
    readonly notifications?: string;
  };
  readonly workers: readonly StackWorker[];
  readonly apps: ReadonlyMap<string, StackApp>;
  /** An app server by name ('menu', 'driver', or one of moreApps); throws if it was not started. */
  app(name: string): StackApp;
  /** A service by name; throws if it was not started. */
  service(name: ServiceName): StackProcess;
  /** A request to the payment or notification service of the stack, with its API key; `path` like `/v1/ledger`. */
  callService(name: 'payments' | 'notifications', path: string, init?: RequestInit): Promise<Response>;
  /** Another worker process on this stack, with variables on top; `wait: false` returns as soon as it is spawned. */
  startWorker(options?: { env?: Env; wait?: boolean }): Promise<StackWorker>;
  /** A client of the stack's server, with its encryption; closed by stop(). */
  connect(): Promise<{ connection: Connection; client: Client }>;
  /** Stops everything it started, apps first, the server last; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts the stack as production runs it, on free loopback ports: a Temporal server of the kind asked for, then the
 * codec server and the payment and notification services, the worker(s) once those answer, and `next-serve` on the
 * production builds of the apps once a worker polls. Secrets (encryption key, session secret, accounts secret, codec
 * token, the services' API keys, the metrics token) are made for the run; driver accounts by createDriver. If
 * anything fails to start, what did start is stopped before the error is thrown.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const parts = new Set<StackPart>(options.parts ?? STACK_PARTS);
  const progress = options.progress ?? (() => undefined);
  const logStream = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const logOf = (name: string) => (line: string) => logStream?.write(`[${name}] ${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), `durable-delivery-${options.label}-`));
  const encryptionKeys = randomEncryptionKeys(options.label);
  const encryption = loadPayloadEncryption({ PAYLOAD_ENCRYPTION_KEYS: encryptionKeys });
  const accountsDatabaseUrl = join(dir, 'accounts', 'accounts.db');
  const codecServerToken = randomBytes(32).toString('base64url');
  const apiKeys = {
    payments: randomBytes(32).toString('base64url'),
    notifications: randomBytes(32).toString('base64url'),
  };
  const metricsToken = randomBytes(32).toString('base64url');
  // What every caller of the services presents (the worker, the menu's relay), the key of each service it calls.
  const serviceKeys = (): Env => ({
    ...(urls.payments ? { PAYMENTS_API_KEY: apiKeys.payments } : {}),
    ...(urls.notifications ? { NOTIFICATIONS_API_KEY: apiKeys.notifications } : {}),
  });
  const urls: { temporalUi?: string; codecServer?: string; payments?: string; notifications?: string } = {};
  const services = new Map<ServiceName, StackProcess>();
  const workers: StackWorker[] = [];
  const apps = new Map<string, StackApp>();
  let temporal: ProjectTemporal | undefined;
  let connected: Promise<{ connection: Connection; client: Client }> | undefined;
  let stopped: Promise<void> | undefined;

  const newProcess = (name: string, settings: Pick<ProcessOptions, 'args' | 'cwd' | 'env' | 'ready'>) => {
    const child: StackProcess = new StackProcess({
      name,
      log: logOf(name),
      signal: options.signal,
      onUnexpectedExit: (code) => options.onExit?.(child, code),
      ...settings,
    });
    return child;
  };

  const stop = () =>
    (stopped ??= (async () => {
      const steps: [string, () => unknown][] = [
        ['apps', () => Promise.all([...apps.values()].map((app) => app.process.stop()))],
        ['workers', () => Promise.all(workers.map((worker) => worker.process.stop()))],
        ['client', async () => (connected ? (await connected).connection.close() : undefined)],
        ['services', () => Promise.all([...services.values()].map((service) => service.stop()))],
        ['Temporal server', () => temporal?.stop()],
        ['data', () => rmSync(dir, { recursive: true, force: true })],
      ];
      // Every step runs, whatever the one before did: a process left behind would hold its port.
      const errors: Error[] = [];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (error) {
          errors.push(new Error(`stopping the ${name} failed: ${String(error)}`, { cause: error }));
        }
      }
      logStream?.end();
      if (errors.length) throw new AggregateError(errors, 'stopping the stack failed');
    })());

  const startWorker = async ({ env = {}, wait = true }: { env?: Env; wait?: boolean } = {}) => {
    if (!temporal) throw new Error('the Temporal server is not running');
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const healthUrl = `http://127.0.0.1:${healthPort}`;
    const worker = {
      process: newProcess(`worker-${workers.length}`, {
        args: [...(options.workerNodeArgs ?? []), workerMain()],
        env: {
          ...temporal.env,
          PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
          ...(urls.payments ? { PAYMENTS_URL: urls.payments } : {}),
          ...(urls.notifications ? { NOTIFICATIONS_URL: urls.notifications } : {}),
          ...serviceKeys(),
          METRICS_TOKEN: metricsToken,
          WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
          WORKER_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
          ...options.env?.worker,
          ...env,
        },
        // Ready once the server sees it polling (its /readyz), not merely once it listens.
        ready: wait ? { url: `${healthUrl}/readyz`, status: 'ok' } : undefined,
      }),
      metricsAddress: `127.0.0.1:${metricsPort}`,
      healthUrl,
    };
    workers.push(worker);
    await worker.process.start();
    return worker;
  };

  try {
    const kind = options.temporal?.kind ?? 'dev';
    // The UI and the codec server each need the other's address up front: the UI to call it, the codec server to
    // let that origin (and only that one) through CORS.
    const uiPort = options.temporal?.ui ? await freePort() : undefined;
    const codecPort = parts.has('codec-server') ? await freePort() : undefined;
    if (uiPort !== undefined) urls.temporalUi = `http://127.0.0.1:${uiPort}`;
    if (codecPort !== undefined) urls.codecServer = `http://127.0.0.1:${codecPort}`;
    progress(`starting the ${TEMPORAL_SERVER_TITLES[kind]}`);
    temporal = await startProjectTemporal({
      kind,
      dir,
      namespace: options.temporal?.namespace,
      stdio: logStream ? 'pipe' : 'ignore',
      log: logOf('temporal'),
      ui: uiPort !== undefined ? { port: uiPort, codecEndpoint: urls.codecServer } : undefined,
    });

    const service = async (name: ServiceName, port: number, env: Env) => {
      const child = newProcess(name, {
        args: [join(REPO, `apps/${name}/dist/main.js`)],
        env: { ...env, ...options.env?.[name] },
        ready: { url: `http://127.0.0.1:${port}/healthz` },
      });
      services.set(name, child);
      await child.start();
      return `http://127.0.0.1:${port}`;
    };
    const starting: Promise<unknown>[] = [];
    if (codecPort !== undefined) {
      starting.push(
        service('codec-server', codecPort, {
          PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
          CODEC_SERVER_PORT: String(codecPort),
          CODEC_SERVER_TOKEN: codecServerToken,
          ...(urls.temporalUi ? { CODEC_SERVER_CORS_ORIGINS: urls.temporalUi } : {}),
          // Plain http on loopback: a secure cookie would never come back.
          CODEC_SERVER_COOKIE_SECURE: 'false',
        }),
      );
    }
    // Both services read <PREFIX>_PORT, <PREFIX>_DB and <PREFIX>_API_KEY.
    for (const [name, database] of [
      ['payments', 'ledger.sqlite'],
      ['notifications', 'inbox.sqlite'],
    ] as const) {
      if (!parts.has(name)) continue;
      const prefix = name.toUpperCase();
      starting.push(
        freePort().then(async (port) => {
          urls[name] = await service(name, port, {
            [`${prefix}_PORT`]: String(port),
            [`${prefix}_DB`]: join(dir, database),
            [`${prefix}_API_KEY`]: apiKeys[name],
            METRICS_TOKEN: metricsToken,
          });
        }),
      );
    }
    const serviceNames = (['codec-server', 'payments', 'notifications'] as const).filter((name) => parts.has(name));
    if (serviceNames.length) progress(`starting ${serviceNames.join(', ')}`);
    await settleAll(starting);

    if (parts.has('worker')) {
      const count = options.workers ?? 1;
      progress(`starting ${count === 1 ? 'the worker' : `${count} workers`}: node ${workerMain()}`);
      await settleAll(Array.from({ length: count }, () => startWorker()));
    }

    const appList = [
      ...(['menu', 'driver'] as const).filter((app) => parts.has(app)).map((app) => ({ name: app, app, env: {} })),
      ...(options.moreApps ?? []),
    ];
    if (appList.some(({ app }) => app === 'driver')) await prepareAccounts(accountsDatabaseUrl);
    if (appList.length) {
      progress(`starting ${appList.map((app) => app.name).join(', ')} (next-serve)`);
      const appEnv = {
        ...temporal.env,
        PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        SESSION_SECRET: randomBytes(32).toString('base64'),
        ACCOUNTS_DATABASE_URL: accountsDatabaseUrl,
        ACCOUNTS_SECRET: randomBytes(32).toString('base64'),
        ...(urls.notifications
          ? { NOTIFICATIONS_URL: urls.notifications, NOTIFICATIONS_API_KEY: apiKeys.notifications }
          : {}),
        METRICS_TOKEN: metricsToken,
        // Every client of a stack is 127.0.0.1: each still has its own per-client limits, but the address's budget
        // is many clients' (RATE_LIMIT_* can be set per run or per app on top).
        RATE_LIMIT_PER_ADDRESS: '1000',
        ...options.env?.apps,
      };
      await settleAll(
        appList.map(async ({ name, app, env }) => {
          const port = await freePort();
          const url = `http://127.0.0.1:${port}`;
          // The two names a loopback server is reached at (tests open the apps on localhost, a secure context).
          const origins = { PORT: String(port), APP_ORIGINS: `${url},http://localhost:${port}` };
          const child = newProcess(name, {
            args: [serverBin(app), '--port', String(port), '--hostname', '127.0.0.1'],
            cwd: join(REPO, 'apps', app),
            env: { ...origins, ...appEnv, ...options.env?.[app], ...env },
            ready: { url: `${url}/` },
          });
          apps.set(name, { name, app, port, url, process: child });
          await child.start();
        }),
      );
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const server = temporal;
  return {
    dir,
    temporal: server,
    encryptionKeys,
    encryption,
    accountsDatabaseUrl,
    createDriver: (username, name) => createDriver(accountsDatabaseUrl, username, name),
    codecServerToken,
    apiKeys,
    metricsToken,
    urls,
    workers,
    apps,
    app(name) {
      const app = apps.get(name);
      if (!app) throw new Error(`the stack runs no app "${name}"`);
      return app;
    },
    service(name) {
      const child = services.get(name);
      if (!child) throw new Error(`the stack runs no ${name}`);
      return child;
    },
    callService(name, path, init = {}) {
      const url = urls[name];
      if (!url) throw new Error(`the stack runs no ${name}`);
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${apiKeys[name]}`);
      return fetch(new URL(path, url), { ...init, headers });
    },
    startWorker,
    connect() {
      connected ??= Connection.connect({ address: server.address }).then((connection) => ({
        connection,
        client: new Client({ connection, namespace: server.namespace, dataConverter: encryption.dataConverter }),
      }));
      return connected;
    },
    stop,
  };
}

/** Like Promise.all, but waits for every start to end before throwing: stop() must not race a start still going. */
async function settleAll(starts: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The built worker; it must have been built first (`pnpm turbo run build`). */
export function workerMain(): string {
  const main = join(REPO, 'apps/worker/dist/main.js');
  if (!existsSync(join(dirname(main), 'workflow-bundle.js'))) {
    throw new Error('The worker is not built: run `pnpm turbo run build --filter=@durable-delivery/worker...`.');
  }
  return main;
}

/** The apps' production server (`next-serve`: Next's handler behind the front gate), resolved from the app; fails
 * early if the app has no production build. */
function serverBin(app: AppName): string {
  const appDir = join(REPO, 'apps', app);
  if (!existsSync(join(appDir, '.next', 'BUILD_ID'))) {
    throw new Error(`apps/${app} has no production build (.next): run \`pnpm turbo run build\`.`);
  }
  const pkg = require.resolve('@durable-delivery/next-config/package.json', { paths: [appDir] });
  return join(dirname(pkg), 'next-serve.mjs');
}
