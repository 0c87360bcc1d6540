import { STRIPPED, runTool } from './run-tool';
import { type BinaryResolution, type BinarySpec, type ResolveOptions, resolveBinary } from './resolve';

/**
 * v1.5.1 is the newest Temporal CLI that `go install …@version` can build: from v1.6.0 on, the CLI's go.mod has a
 * `replace` directive, which `go install` refuses. Go modules come through the Go module proxy, which is reachable
 * where GitHub release downloads are not.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

const spec: BinarySpec = {
  title: `Temporal CLI v${TEMPORAL_CLI_VERSION}`,
  envVar: 'TEMPORAL_CLI_PATH',
  pathName: 'temporal',
  cacheName: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  binaryName: 'temporal',
  tools: ['go'],
  async build({ tools, workDir, cacheEntry, log }) {
    log(`building Temporal CLI v${TEMPORAL_CLI_VERSION} with Go (~3 min, once; cached in ${cacheEntry})`);
    await runTool(tools.go!, ['install', STRIPPED, `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      // Outside any module or go.work, so only the CLI's own go.mod decides the dependency versions.
      cwd: workDir,
      // CGO_ENABLED=0 as in Temporal's release builds (its SQLite is pure Go), so no C compiler is needed. GOTMPDIR:
      // a killed build leaves Go's scratch files in the partial directory, which the next build sweeps, not in /tmp.
      env: { ...process.env, GOBIN: workDir, GOTMPDIR: workDir, CGO_ENABLED: '0' },
      label: `building Temporal CLI v${TEMPORAL_CLI_VERSION}`,
      log,
    });
  },
  fixes: [
    `install Go (https://go.dev/dl/) and run again: the CLI is then built once (~3 min) and cached`,
    'set TEMPORAL_CLI_PATH to a `temporal` binary, or put one on PATH',
    'be online, so that the Temporal SDK can download the CLI itself',
  ],
};

/**
 * Finds the `temporal` CLI (dev server and Web UI), in this order: $TEMPORAL_CLI_PATH; `temporal` on PATH; the
 * cached build in {@link cacheDir}; a fresh build with Go. Failing all of those it returns `{ kind: 'sdk-download' }`
 * (or throws, when `allowSdkDownload` is false).
 */
export function resolveTemporalCli(options?: ResolveOptions): Promise<BinaryResolution> {
  return resolveBinary(spec, options);
}
