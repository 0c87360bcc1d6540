import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { codecServerUi, startProjectDevServer } from '@durable-delivery/dev-server';
import { freePort, type DevServer } from '@durable-delivery/temporal-server';
import { freeClusterPorts, startTemporalCluster } from './cluster';

/**
 * The two Temporal servers this project runs on: the dev server (one process, SQLite), and the full server on
 * PostgreSQL, the topology of a self-hosted cluster.
 */
export const TEMPORAL_SERVER_KINDS = ['dev', 'postgres'] as const;
export type TemporalServerKind = (typeof TEMPORAL_SERVER_KINDS)[number];

/** How reports name each kind. */
export const TEMPORAL_SERVER_TITLES: Record<TemporalServerKind, string> = {
  dev: 'file-backed Temporal dev server',
  postgres: 'Temporal server on PostgreSQL',
};

/** What `--server` and TEST_TEMPORAL_SERVER accept, checked. */
export function parseServerKind(raw: string | undefined, name = 'TEST_TEMPORAL_SERVER'): TemporalServerKind {
  if (raw === undefined || raw === '') return 'dev';
  if ((TEMPORAL_SERVER_KINDS as readonly string[]).includes(raw)) return raw as TemporalServerKind;
  throw new Error(`${name} must be one of ${TEMPORAL_SERVER_KINDS.join(', ')}, got "${raw}"`);
}

/** A project Temporal server of either kind, as tests, the chaos suite and the bench use it. */
export interface ProjectTemporal {
  readonly kind: TemporalServerKind;
  readonly address: string;
  readonly namespace: string;
  /**
   * All a worker or app needs to use this server: Temporal's own environment configuration. Nothing else tells
   * them which kind of server it is.
   */
  readonly env: { readonly TEMPORAL_ADDRESS: string; readonly TEMPORAL_NAMESPACE: string };
  /** The server's processes, for CPU accounting: the Temporal server (and PostgreSQL's postmaster). */
  serverPids(): number[];
  /** Stops the Temporal server and starts it again on the same data: a deploy, or a crash recovered. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProjectTemporalOptions {
  readonly kind: TemporalServerKind;
  /** A directory for the server's data (a SQLite file, or a PostgreSQL cluster): a temporary one in tests. */
  readonly dir: string;
  /** Created with the order's search attributes; default 'default'. */
  readonly namespace?: string;
  readonly stdio?: 'pipe' | 'ignore';
  readonly log?: (line: string) => void;
  /** The dev server's Web UI on this port, decoding payloads through a codec server (dev only; default headless). */
  readonly ui?: { readonly port: number; readonly codecEndpoint?: string };
}

/** Starts a headless server of `kind` on free loopback ports, with the order's search attributes registered. */
export async function startProjectTemporal(options: ProjectTemporalOptions): Promise<ProjectTemporal> {
  const namespace = options.namespace ?? 'default';
  const stdio = options.stdio ?? 'ignore';
  const quiet = options.log ?? (() => undefined);
  const common = (address: string) => ({
    kind: options.kind,
    address,
    namespace,
    env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
  });

  if (options.kind === 'dev') {
    const port = await freePort();
    const dbFilename = join(options.dir, 'dev.sqlite');
    const { ui } = options;
    const start = () =>
      startProjectDevServer({
        port,
        dbFilename,
        namespace,
        stdio,
        log: quiet,
        ...(ui
          ? { uiPort: ui.port, ...(ui.codecEndpoint ? { uiCodec: codecServerUi(ui.codecEndpoint) } : {}) }
          : { headless: true }),
      });
    let server: DevServer = await start();
    return {
      ...common(server.address),
      // The Temporal server's; the Web UI, when there is one, is a process of its own and not counted.
      serverPids: () => (server.pid === undefined ? [] : [server.pid]),
      async restart() {
        await server.stop();
        server = await start();
      },
      stop: () => server.stop(),
    };
  }

  if (options.ui) throw new Error('the Web UI comes with the dev server only');
  // As root, PostgreSQL runs as an unprivileged user, who must be let through (mkdtemp makes private directories).
  await chmod(options.dir, 0o711);
  const cluster = await startTemporalCluster({
    stateDir: join(options.dir, 'temporal-postgres'),
    postgresPort: await freePort(),
    ports: await freeClusterPorts(),
    namespace,
    stdio,
    log: quiet,
  });
  return {
    ...common(cluster.address),
    serverPids: () => [cluster.serverPid(), cluster.postgresPid()].filter((pid) => pid !== undefined),
    restart: () => cluster.restartServer(),
    stop: () => cluster.stop(),
  };
}
