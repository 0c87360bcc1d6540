import { execFile } from 'node:child_process';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STRIPPED, runTool } from './run-tool';
import { type BinaryResolution, type BinarySpec, type ResolveOptions, resolveBinary } from './resolve';

/**
 * The full Temporal server — the one a self-hosted cluster runs, not the dev server — and its schema tool, at the
 * release the Temporal CLI's dev server embeds, so that both servers here speak the same version. Both build with
 * `go install` from the Go module proxy.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

const MODULE = 'go.temporal.io/server';

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

/** A binary that `go install <module>/<packagePath>@v<version>` builds, cached like the CLI. */
export function goInstallSpec(options: {
  title: string;
  /** Go module and version; default the Temporal server's. */
  module?: string;
  version?: string;
  envVar: string;
  cacheName: string;
  binaryName: string;
  packagePath: string;
  /** More files to put beside the binary, from the module's source (found in the Go module cache). */
  fromModule?: Record<string, string>;
}): BinarySpec {
  const { title, packagePath, binaryName } = options;
  const goModule = options.module ?? MODULE;
  const version = options.version ?? TEMPORAL_SERVER_VERSION;
  return {
    title,
    envVar: options.envVar,
    cacheName: options.cacheName,
    binaryName,
    tools: ['go'],
    async build({ tools, workDir, cacheEntry, log }) {
      log(`building ${title} with Go (minutes the first time, once; cached in ${cacheEntry})`);
      const env = { ...process.env, GOBIN: workDir, GOTMPDIR: workDir, CGO_ENABLED: '0' };
      // Outside any module, as for the CLI: only the module's own go.mod decides the dependency versions. The
      // server's pure-Go drivers (pgx, lib/pq, modernc SQLite) need no C compiler.
      await runTool(tools.go!, ['install', STRIPPED, `${goModule}/${packagePath}@v${version}`], {
        cwd: workDir,
        env,
        label: `building ${title}`,
        log,
      });
      // `go install` names the binary after its package directory (`server`, `sql`).
      const built = packagePath.split('/').pop()!;
      if (built !== binaryName) await rename(join(workDir, built), join(workDir, binaryName));
      const files = Object.entries(options.fromModule ?? {});
      if (files.length === 0) return;
      const { stdout } = await promisify(execFile)(tools.go!, ['mod', 'download', '-json', `${goModule}@v${version}`], {
        cwd: workDir,
        env,
      });
      const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
      for (const [target, source] of files) {
        await mkdir(join(workDir, target, '..'), { recursive: true });
        await copyFile(join(moduleDir, source), join(workDir, target));
      }
    },
    fixes: [
      `install Go (https://go.dev/dl/) and run again: it is then built once (a few minutes) and cached`,
      `set ${options.envVar} to a ${binaryName} ${version} binary`,
    ],
  };
}

const serverSpec = goInstallSpec({
  title: `Temporal server v${TEMPORAL_SERVER_VERSION}`,
  envVar: 'TEMPORAL_SERVER_PATH',
  cacheName: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
  binaryName: 'temporal-server',
  packagePath: 'cmd/server',
  fromModule: { 'config/docker.yaml': 'config/docker.yaml' },
});

const sqlToolSpec = goInstallSpec({
  title: `Temporal SQL tool v${TEMPORAL_SERVER_VERSION}`,
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  cacheName: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
  binaryName: 'temporal-sql-tool',
  packagePath: 'cmd/tools/sql',
});

/**
 * Finds or builds `temporal-server` and `temporal-sql-tool` (in this order: $TEMPORAL_SERVER_PATH /
 * $TEMPORAL_SQL_TOOL_PATH; the cache; `go install`). There is no download to fall back on: without Go or a cached
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
