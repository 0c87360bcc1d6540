import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadPayloadEncryption, randomEncryptionKeys, type PayloadEncryption } from '@durable-delivery/codec';
import {
  TEMPORAL_SERVER_TITLES,
  startProjectTemporal,
  type ProjectTemporal,
  type Postgres,
  type TemporalServerKind,
} from '@durable-delivery/temporal-cluster';
import { freePort } from '@durable-delivery/temporal-server';
import { Client, Connection } from '@temporalio/client';
import { createDriver, prepareAccounts, type DriverLogin } from './drivers';
import { startStackPostgres, type StackDatabases } from './postgres';
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
  /**
   * Replicas of the apps and the notification service (with them in parts), each its own process and port; default
   * one each. Replica 0 keeps the plain name ('menu', 'notifications'), the others are named 'menu-1',
   * 'notifications-1', … Wiring: app replica i streams from notification replica i mod n, and every worker posts to
   * the last one, so with two the events of a customer of menu replica 0 always cross from one replica to the other.
   * More than one notification service wants `postgres` (one inbox for all).
   */
  readonly replicas?: { readonly menu?: number; readonly driver?: number; readonly notifications?: number };
  /**
   * One private PostgreSQL for the data replicas share (see StackDatabases): the driver accounts, the apps' rate
   * limits (RATE_LIMIT_STORE=postgres) and the notifications' inbox, instead of SQLite files and memory.
   */
  readonly postgres?: boolean;
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
  /** The notification replica it posts to (NOTIFICATIONS_URL), if the stack runs one. */
  readonly notificationsUrl?: string;
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
  /** The notification replica its live streams come from (NOTIFICATIONS_URL), if the stack runs one. */
  readonly notificationsUrl?: string;
}

/** One replica of the notification service. */
export interface StackNotifications {
  /** 'notifications', 'notifications-1', … */
  readonly name: string;
  /** http://127.0.0.1:<port> */
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
  /** The driver app's accounts store (a SQLite file in `dir`, or databases.accounts): for createDriver elsewhere. */
  readonly accountsDatabaseUrl: string;
  /** With `postgres`: the shared databases' postgres:// URLs. */
  readonly databases?: StackDatabases;
  /**
   * With `postgres`: stops the shared PostgreSQL (a fast shutdown) and starts it again on the same port with the
   * same data, for a test of what the processes do while it is away.
   */
  readonly sharedPostgres?: { stop(): Promise<void>; start(): Promise<void> };
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
  /** The notification replicas, in order (urls.notifications is the first). */
  readonly notifications: readonly StackNotifications[];
  /** An app server by name ('menu', 'menu-1', 'driver', or one of moreApps); throws if it was not started. */
  app(name: string): StackApp;
  /** A service by name ('notifications-1' for a replica); throws if it was not started. */
  service(name: ServiceName | `notifications-${number}`): StackProcess;
  /**
   * A request to the payment or notification service of the stack (the first replica), with its API key; `path`
   * like `/v1/ledger`.
   */
  callService(name: 'payments' | 'notifications', path: string, init?: RequestInit): Promise<Response>;
  /** Another worker process on this stack, with variables on top; `wait: false` returns as soon as it is spawned. */
  startWorker(options?: { env?: Env; wait?: boolean }): Promise<StackWorker>;
  /** A client of the stack's server, with its encryption; closed by stop(). */
  connect(): Promise<{ connection: Connection; client: Client }>;
  /** Stops everything it started, apps first, the server last; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts the stack as production runs it, on free loopback ports: a Temporal server of the kind asked for (and, with
 * `postgres`, the PostgreSQL the replicas share), then the codec server and the payment and notification services,
 * the worker(s) once those answer, and `next-serve` on the production builds of the apps once a worker polls; each
 * replica a process of its own that can be killed and started again on its port (StackProcess). Secrets (encryption key, session secret, accounts secret, codec
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
  const services = new Map<string, StackProcess>();
  const notifications: StackNotifications[] = [];
  const workers: StackWorker[] = [];
  const apps = new Map<string, StackApp>();
  let temporal: ProjectTemporal | undefined;
  let postgres: Postgres | undefined;
  let restartPostgres: (() => Promise<Postgres>) | undefined;
  let databases: StackDatabases | undefined;
  let accountsDatabaseUrl = join(dir, 'accounts', 'accounts.db');
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
        ['PostgreSQL', () => postgres?.stop()],
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
    const notificationsUrl = notifications.at(-1)?.url;
    const worker = {
      notificationsUrl,
      process: newProcess(`worker-${workers.length}`, {
        args: [...(options.workerNodeArgs ?? []), workerMain()],
        env: {
          ...temporal.env,
          PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
          ...(urls.payments ? { PAYMENTS_URL: urls.payments } : {}),
          ...(notificationsUrl ? { NOTIFICATIONS_URL: notificationsUrl } : {}),
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

    if (options.postgres) {
      progress('starting PostgreSQL for the shared data');
      ({ postgres, databases, restart: restartPostgres } = await startStackPostgres(dir, logOf('postgres')));
      accountsDatabaseUrl = databases.accounts;
    }

    // `name` is the process's (a replica's: 'notifications-1'), `kind` the service it runs.
    const service = (kind: ServiceName, name: string, port: number, env: Env) => {
      const child = newProcess(name, {
        args: [join(REPO, `apps/${kind}/dist/main.js`)],
        env: { ...env, ...options.env?.[kind] },
        ready: { url: `http://127.0.0.1:${port}/healthz` },
      });
      services.set(name, child);
      return child;
    };
    const starting: Promise<unknown>[] = [];
    if (codecPort !== undefined) {
      starting.push(
        service('codec-server', 'codec-server', codecPort, {
          PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
          CODEC_SERVER_PORT: String(codecPort),
          CODEC_SERVER_TOKEN: codecServerToken,
          ...(urls.temporalUi ? { CODEC_SERVER_CORS_ORIGINS: urls.temporalUi } : {}),
          // Plain http on loopback: a secure cookie would never come back.
          CODEC_SERVER_COOKIE_SECURE: 'false',
        }).start(),
      );
    }
    // Both services read <PREFIX>_PORT, <PREFIX>_DB and <PREFIX>_API_KEY.
    const serviceEnv = (name: 'payments' | 'notifications', port: number, database: string): Env => {
      const prefix = name.toUpperCase();
      return {
        [`${prefix}_PORT`]: String(port),
        [`${prefix}_DB`]: join(dir, database),
        [`${prefix}_API_KEY`]: apiKeys[name],
        METRICS_TOKEN: metricsToken,
      };
    };
    if (parts.has('payments')) {
      const port = await freePort();
      urls.payments = `http://127.0.0.1:${port}`;
      starting.push(service('payments', 'payments', port, serviceEnv('payments', port, 'ledger.sqlite')).start());
    }
    if (parts.has('notifications')) {
      // Ports and names first, in order: the workers and apps are wired to replicas by their place in the list.
      for (let index = 0; index < (options.replicas?.notifications ?? 1); index++) {
        const port = await freePort();
        const name = replicaName('notifications', index);
        const env = {
          ...serviceEnv('notifications', port, index === 0 ? 'inbox.sqlite' : `inbox-${index}.sqlite`),
          ...(databases ? { NOTIFICATIONS_DATABASE_URL: databases.notifications } : {}),
        };
        notifications.push({
          name,
          url: `http://127.0.0.1:${port}`,
          process: service('notifications', name, port, env),
        });
      }
      urls.notifications = notifications[0]?.url;
      starting.push(...notifications.map((replica) => replica.process.start()));
    }
    const serviceNames = (['codec-server', 'payments', 'notifications'] as const).filter((name) => parts.has(name));
    if (serviceNames.length) progress(`starting ${serviceNames.join(', ')}`);
    await settleAll(starting);

    if (parts.has('worker')) {
      const count = options.workers ?? 1;
      progress(`starting ${count === 1 ? 'the worker' : `${count} workers`}: node ${workerMain()}`);
      await settleAll(Array.from({ length: count }, () => startWorker()));
    }

    const appList: { name: string; app: AppName; env: Env; notificationsUrl?: string }[] = [
      ...(['menu', 'driver'] as const)
        .filter((app) => parts.has(app))
        .flatMap((app) =>
          Array.from({ length: options.replicas?.[app] ?? 1 }, (_, index) => ({
            name: replicaName(app, index),
            app,
            env: {},
            notificationsUrl: notifications[index % notifications.length]?.url,
          })),
        ),
      ...(options.moreApps ?? []).map((app) => ({ ...app, notificationsUrl: urls.notifications })),
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
        ...(urls.notifications ? { NOTIFICATIONS_API_KEY: apiKeys.notifications } : {}),
        METRICS_TOKEN: metricsToken,
        // Every client of a stack is 127.0.0.1: each still has its own per-client limits, but the address's budget
        // is many clients' (RATE_LIMIT_* can be set per run or per app on top).
        RATE_LIMIT_PER_ADDRESS: '1000',
        ...(databases ? { RATE_LIMIT_STORE: 'postgres', RATE_LIMIT_DATABASE_URL: databases.rateLimits } : {}),
        ...options.env?.apps,
      };
      await settleAll(
        appList.map(async ({ name, app, env, notificationsUrl }) => {
          const port = await freePort();
          const url = `http://127.0.0.1:${port}`;
          // The two names a loopback server is reached at (tests open the apps on localhost, a secure context).
          const origins = { PORT: String(port), APP_ORIGINS: `${url},http://localhost:${port}` };
          const child = newProcess(name, {
            args: [serverBin(app), '--port', String(port), '--hostname', '127.0.0.1'],
            cwd: join(REPO, 'apps', app),
            env: {
              ...origins,
              ...(notificationsUrl ? { NOTIFICATIONS_URL: notificationsUrl } : {}),
              ...appEnv,
              ...options.env?.[app],
              ...env,
            },
            ready: { url: `${url}/` },
          });
          apps.set(name, { name, app, port, url, process: child, notificationsUrl });
          await child.start();
        }),
      );
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const server = temporal;
  const restart = restartPostgres;
  return {
    dir,
    temporal: server,
    encryptionKeys,
    encryption,
    accountsDatabaseUrl,
    databases,
    sharedPostgres: restart && {
      async stop() {
        const running = postgres;
        postgres = undefined;
        await running?.stop();
      },
      async start() {
        postgres ??= await restart();
      },
    },
    createDriver: (username, name) => createDriver(accountsDatabaseUrl, username, name),
    codecServerToken,
    apiKeys,
    metricsToken,
    urls,
    workers,
    apps,
    notifications,
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

/** Replica 0 keeps the plain name ('menu'), so a one-replica stack is named as before; then 'menu-1', … */
export function replicaName(name: string, index: number): string {
  return index === 0 ? name : `${name}-${index}`;
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
