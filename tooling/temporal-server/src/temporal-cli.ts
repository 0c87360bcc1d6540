import { goModuleVersion, goToolSpec } from './go-module';
import { type BinaryResolution, type ResolveOptions, resolveBinary } from './resolve';

/**
 * v1.5.1 (pinned in go/go.mod) is the newest Temporal CLI whose go.mod has no `replace` directive, which a build of it
 * as another module's dependency would not apply. Go modules come through the Go module proxy, which is reachable
 * where GitHub release downloads are not.
 */
export const TEMPORAL_CLI_VERSION = goModuleVersion('github.com/temporalio/cli');

const spec = goToolSpec({
  title: `Temporal CLI v${TEMPORAL_CLI_VERSION}`,
  envVar: 'TEMPORAL_CLI_PATH',
  pathName: 'temporal',
  cacheName: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  binaryName: 'temporal',
  goPackage: 'github.com/temporalio/cli/cmd/temporal',
  // Else it says 0.0.0-DEV, as `go install` of the tag did.
  versionVariable: { name: 'github.com/temporalio/cli/temporalcli.Version', version: TEMPORAL_CLI_VERSION },
  duration: '~5 min',
  fixes: [
    `install Go (https://go.dev/dl/) and run again: the CLI is then built once (~5 min) and cached`,
    'set TEMPORAL_CLI_PATH to a `temporal` binary, or put one on PATH',
    'be online, so that the Temporal SDK can download the CLI itself',
  ],
});

/**
 * Finds the `temporal` CLI (dev server and Web UI), in this order: $TEMPORAL_CLI_PATH; `temporal` on PATH; the
 * cached build in {@link cacheDir}; a fresh build with Go. Failing all of those it returns `{ kind: 'sdk-download' }`
 * (or throws, when `allowSdkDownload` is false).
 */
export function resolveTemporalCli(options?: ResolveOptions): Promise<BinaryResolution> {
  return resolveBinary(spec, options);
}
