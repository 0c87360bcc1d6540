import { join } from 'node:path';
import { goModuleVersion, goToolSpec } from './go-module';
import { type BinaryResolution, type ResolveOptions, resolveBinary } from './resolve';

/**
 * The full Temporal server — the one a self-hosted cluster runs, not the dev server — and its schema tool, at the
 * release the Temporal CLI's dev server embeds, so that both servers here speak the same version. Both are built from
 * go/go.mod, with the CLI's dependency versions.
 */
export const TEMPORAL_SERVER_VERSION = goModuleVersion('go.temporal.io/server');

/** What a server build holds: the binary, and the env-driven config template the official image renders. */
export interface TemporalServerBinaries {
  /** `temporal-server`. */
  readonly server: string;
  /** `temporal-sql-tool`: creates the databases and applies the schema embedded in it. */
  readonly sqlTool: string;
  /**
   * The directory holding `docker.yaml`, the server's own config template (rendered from environment variables:
   * DB, POSTGRES_SEEDS, FRONTEND_GRPC_PORT, …) — the same file the temporalio/server image uses.
   */
  readonly configDir: string;
}

const serverSpec = goToolSpec({
  title: `Temporal server v${TEMPORAL_SERVER_VERSION}`,
  envVar: 'TEMPORAL_SERVER_PATH',
  cacheName: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
  binaryName: 'temporal-server',
  goPackage: 'go.temporal.io/server/cmd/server',
  fromModule: { module: 'go.temporal.io/server', files: { 'config/docker.yaml': 'config/docker.yaml' } },
});

const sqlToolSpec = goToolSpec({
  title: `Temporal SQL tool v${TEMPORAL_SERVER_VERSION}`,
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  cacheName: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
  binaryName: 'temporal-sql-tool',
  goPackage: 'go.temporal.io/server/cmd/tools/sql',
});

/**
 * Finds or builds `temporal-server` and `temporal-sql-tool` (in this order: $TEMPORAL_SERVER_PATH /
 * $TEMPORAL_SQL_TOOL_PATH; the cache; a Go build). There is no download to fall back on: without Go or a cached
 * build this throws, saying what to do. With $TEMPORAL_SERVER_PATH, the config template is looked for in a `config`
 * directory beside that binary.
 */
export async function resolveTemporalServer(options: Omit<ResolveOptions, 'allowSdkDownload'> = {}) {
  const server = pathOf(await resolveBinary(serverSpec, { ...options, allowSdkDownload: false }));
  const sqlTool = pathOf(await resolveBinary(sqlToolSpec, { ...options, allowSdkDownload: false }));
  return { server, sqlTool, configDir: join(server, '..', 'config') } satisfies TemporalServerBinaries;
}

function pathOf(resolution: BinaryResolution): string {
  // allowSdkDownload: false makes resolveBinary throw rather than return 'sdk-download'.
  if (resolution.kind !== 'path') throw new Error('unreachable: no SDK download for the Temporal server');
  return resolution.path;
}
