import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { allSearchAttributes } from '@durable-delivery/workflows';
import {
  answersAsTemporal,
  defaultLog,
  eventually,
  isPortInUse,
  registerSearchAttributes,
  resolveTemporalServer,
  runTool,
  startServerProcess,
  type ServerProcess,
  type TemporalServerBinaries,
} from '@durable-delivery/temporal-server';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { startPostgres, type Postgres } from './postgres';

const REPO = resolve(__dirname, '../../..');
/** The set-up both stacks share with docker-compose.yml (see deploy/temporal). */
export const SETUP_SCHEMA_SCRIPT = join(REPO, 'deploy/temporal/setup-schema.sh');
export const DYNAMIC_CONFIG_FILE = join(REPO, 'deploy/temporal/dynamicconfig.yaml');

/** Every port one Temporal server process listens on: each service's gRPC and membership (ringpop) port. */
export interface ClusterPorts {
  readonly frontend: number;
  readonly frontendHttp: number;
  readonly frontendMembership: number;
  readonly history: number;
  readonly historyMembership: number;
  readonly matching: number;
  readonly matchingMembership: number;
  readonly worker: number;
  readonly workerMembership: number;
}

/** Fixed ports around a frontend port, in the layout of Temporal's defaults (7233 → 7234, 7235, 7239, 6933…). */
export function portsAround(frontend: number): ClusterPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
  };
}

/**
 * Free ports for tests running side by side. Not the OS's pick: PostgreSQL's cluster_membership table keeps
 * membership ports in a smallint, so they must be below 32768, where Linux hands out none (its ephemeral range
 * starts there). So: random ports from 20000-32767 that nothing listens on.
 */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const taken = new Set<number>();
  const pick = async () => {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 12_768);
      if (taken.has(port) || (await isPortInUse('127.0.0.1', port))) continue;
      taken.add(port);
      return port;
    }
  };
  return {
    frontend: await pick(),
    frontendHttp: await pick(),
    frontendMembership: await pick(),
    history: await pick(),
    historyMembership: await pick(),
    matching: await pick(),
    matchingMembership: await pick(),
    worker: await pick(),
    workerMembership: await pick(),
  };
}

export interface TemporalClusterOptions {
  /** Holds the PostgreSQL cluster (pgdata/) and its password: reused when it holds them, created otherwise. */
  readonly stateDir: string;
  readonly postgresPort: number;
  readonly ports: ClusterPorts;
  /** Registered at start (with the order's search attributes) when missing; default 'default'. */
  readonly namespace?: string;
  /** Serve the server's Prometheus metrics here, e.g. 127.0.0.1:9333; default none. */
  readonly metricsAddress?: string;
  /** The server's own log level; default warn. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Progress lines and the servers' output (see stdio); default stderr. */
  readonly log?: (line: string) => void;
  /** 'pipe' (default) sends the servers' output to `log`; 'ignore' keeps it for error messages only. */
  readonly stdio?: 'pipe' | 'ignore';
}

export interface TemporalCluster {
  /** gRPC address of the frontend, for TEMPORAL_ADDRESS. */
  readonly address: string;
  readonly namespace: string;
  readonly postgresPort: number;
  /** The Temporal server process (undefined while it restarts). */
  serverPid(): number | undefined;
  /** Resolves with the exit code when the current Temporal server process ends (for a stack that must not outlive it). */
  serverExited(): Promise<number | null>;
  postgresPid(): number | undefined;
  /** Stops the Temporal server (SIGTERM) and starts it again on the same databases: a deploy, or a crash recovered. */
  restartServer(): Promise<void>;
  /** The Temporal server, then PostgreSQL. */
  stop(): Promise<void>;
}

const USER = 'temporal';
const DATABASE = 'temporal';
const VISIBILITY_DATABASE = 'temporal_visibility';
/** Temporal's default period (system.namespaceCacheRefreshInterval) plus a margin. */
const NAMESPACE_CACHE_REFRESH_MS = 2_500;
/** How long closed orders stay in the cluster: a week for operators to look back on. */
const RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * Starts the full Temporal server (not the dev server) on a private PostgreSQL cluster, the topology a self-hosted
 * deployment runs: PostgreSQL first, then both databases created and migrated by temporal-sql-tool, then the server
 * from its own config template, then the namespace and the order's search attributes registered if missing.
 * Everything listens on loopback only. Resolves once workflows can start.
 */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const log = options.log ?? defaultLog;
  const namespace = options.namespace ?? 'default';
  const { ports, stateDir } = options;
  const address = `127.0.0.1:${ports.frontend}`;
  if (await isPortInUse('127.0.0.1', ports.frontend)) {
    const what = (await answersAsTemporal(address))
      ? 'a Temporal server (still running from before?)'
      : 'another program';
    throw new Error(`Cannot start a Temporal server on ${address}: the port is already in use by ${what}.`);
  }
  const binaries = await resolveTemporalServer({ log });
  await mkdir(stateDir, { recursive: true });
  const password = await clusterPassword(stateDir);

  let postgres: Postgres | undefined;
  let server: ServerProcess | undefined;
  const settings = { ...options, log, namespace, address, password };
  const stop = async () => {
    await server?.stop();
    server = undefined;
    await postgres?.stop();
    postgres = undefined;
  };
  try {
    postgres = await startPostgres({
      dataDir: join(stateDir, 'pgdata'),
      port: options.postgresPort,
      user: USER,
      password,
      log,
      stdio: options.stdio,
    });
    await runTool('sh', [SETUP_SCHEMA_SCRIPT], {
      cwd: stateDir,
      env: {
        PATH: process.env.PATH ?? '',
        SQL_TOOL: binaries.sqlTool,
        SQL_HOST: '127.0.0.1',
        SQL_PORT: String(options.postgresPort),
        SQL_USER: USER,
        SQL_PASSWORD: password,
        DBNAME: DATABASE,
        VISIBILITY_DBNAME: VISIBILITY_DATABASE,
      },
      label: 'setting up the Temporal schema in PostgreSQL',
      log,
    });
    server = await startServer(binaries, settings);
    await registerProjectNamespace(address, namespace);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    namespace,
    postgresPort: options.postgresPort,
    serverPid: () => server?.pid,
    serverExited: () => server?.exited ?? Promise.resolve(null),
    postgresPid: () => postgres?.pid,
    async restartServer() {
      await server?.stop();
      server = undefined;
      server = await startServer(binaries, settings);
    },
    stop,
  };
}

/** A random password made once per cluster, kept beside it (never in the repository). */
async function clusterPassword(stateDir: string): Promise<string> {
  const file = join(stateDir, 'password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * The server renders its own config template (config/docker.yaml, the one the temporalio/server image uses) from
 * these variables — the same names docker-compose.yml sets. Its environment holds nothing else, so no TEMPORAL_*
 * setting of the caller's leaks in.
 */
async function startServer(
  binaries: TemporalServerBinaries,
  settings: TemporalClusterOptions & { log: (line: string) => void; address: string; password: string },
): Promise<ServerProcess> {
  const { ports, log } = settings;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    LOG_LEVEL: settings.logLevel ?? 'warn',
    DB: 'postgres12',
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(settings.postgresPort),
    VISIBILITY_DB_PORT: String(settings.postgresPort),
    POSTGRES_USER: USER,
    POSTGRES_PWD: settings.password,
    DBNAME: DATABASE,
    VISIBILITY_DBNAME: VISIBILITY_DATABASE,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    ...(settings.metricsAddress ? { PROMETHEUS_ENDPOINT: settings.metricsAddress } : {}),
  };
  const server = startServerProcess(
    binaries.server,
    ['--root', join(binaries.configDir, '..'), '--config', 'config', '--env', 'docker', 'start'],
    { env, cwd: settings.stateDir, stdio: settings.stdio ?? 'pipe', log, stopGraceMs: 20_000 },
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    const exitCode = server.exitCode();
    if (exitCode !== undefined) {
      throw new Error(
        `The Temporal server (${binaries.server}) exited with ${exitCode ?? 'a signal'} before it was ready. ` +
          `Last output:\n${server.tail()}`,
      );
    }
    if (await answersAsTemporal(settings.address)) return server;
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`The Temporal server did not answer on ${settings.address} within 120 s:\n${server.tail()}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

/**
 * The namespace and the order's search attributes, registered when missing. Each service of the server learns of
 * them through its own namespace cache, refreshed every NAMESPACE_CACHE_REFRESH_MS: so this waits until the frontend
 * accepts a query on every attribute (the check a workflow start meets), then one refresh more for the others
 * (history validates what workflows upsert).
 */
async function registerProjectNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const service = connection.workflowService;
    const described = () =>
      service.describeNamespace({ namespace }).then(
        () => true,
        () => false,
      );
    let changed = false;
    if (!(await described())) {
      changed = true;
      await service
        .registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(RETENTION_SECONDS) },
        })
        .catch((error: { code?: number }) => {
          // ALREADY_EXISTS: another process registered it between our two calls.
          if (error.code !== 6) throw error;
        });
    }
    const missing = async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      return allSearchAttributes.filter((key) => !(key.name in (customAttributes ?? {})));
    };
    let toAdd: Awaited<ReturnType<typeof missing>> = [];
    await until(
      () =>
        missing().then(
          (keys) => ((toAdd = keys), true),
          () => false,
        ),
      `namespace ${namespace} to reach the server's cache`,
    );
    if (toAdd.length > 0) {
      changed = true;
      await registerSearchAttributes(connection, namespace, toAdd);
    }
    const query = allSearchAttributes.map((key) => `${key.name} IS NOT NULL`).join(' OR ');
    await until(
      () =>
        service.countWorkflowExecutions({ namespace, query }).then(
          () => true,
          () => false,
        ),
      `the search attributes of ${namespace} to reach the server's cache`,
    );
    if (changed) await new Promise((done) => setTimeout(done, NAMESPACE_CACHE_REFRESH_MS));
  } finally {
    await connection.close();
  }
}

/** Bounded: a minute, in quarter seconds. */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  await eventually(async () => ((await probe()) ? true : undefined), 240, 250).catch((error: Error) => {
    throw new Error(`gave up waiting for ${what}: ${error.message}`);
  });
}
