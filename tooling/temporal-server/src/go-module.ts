import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STRIPPED, runTool } from './run-tool';
import type { BinarySpec } from './resolve';

/**
 * The Go module Temporal's binaries are built from (tooling/temporal-server/go). Its go.mod pins their releases
 * and one set of dependency versions for all four, the CLI's own; built one by one with `go install …@version`, each
 * resolved its own set and Go compiled the server and everything under it twice (about four minutes more on two cores).
 */
export const GO_MODULE_DIR = join(__dirname, '..', 'go');

/** The version go.mod requires of a Go module, e.g. `goModuleVersion('go.temporal.io/server')` → "1.29.1". */
export function goModuleVersion(modulePath: string): string {
  const goMod = readFileSync(join(GO_MODULE_DIR, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const version = new RegExp(`^\\s*${escaped} v(\\S+)`, 'm').exec(goMod)?.[1];
  if (!version) throw new Error(`${join(GO_MODULE_DIR, 'go.mod')} requires no ${modulePath}.`);
  return version;
}

/** A binary built from one of the module's `tool` packages, cached under `cacheName`. */
export function goToolSpec(options: {
  /** "Temporal server v1.29.1", for messages. */
  title: string;
  envVar: string;
  pathName?: string;
  cacheName: string;
  binaryName: string;
  /** The package, as go.mod's `tool` line names it: "go.temporal.io/server/cmd/server". */
  goPackage: string;
  /** More files to put beside the binary, from a module's source (found in the Go module cache). */
  fromModule?: { module: string; files: Record<string, string> };
  /** A Go string variable to set to the release at link time, as the release builds do (`temporal --version`). */
  versionVariable?: { name: string; version: string };
  /** "~5 min": how long a first build takes. */
  duration?: string;
  fixes?: string[];
}): BinarySpec {
  const { title, binaryName } = options;
  return {
    title,
    envVar: options.envVar,
    pathName: options.pathName,
    cacheName: options.cacheName,
    binaryName,
    tools: ['go'],
    async build({ tools, workDir, cacheEntry, log }) {
      log(`building ${title} with Go (${options.duration ?? 'minutes the first time'}, once; cached in ${cacheEntry})`);
      // CGO_ENABLED=0 as in Temporal's release builds: the server's SQL drivers (pgx, lib/pq, modernc SQLite) are pure
      // Go, so no C compiler is needed. GOTMPDIR: a killed build leaves Go's scratch files in the partial directory,
      // which the next build sweeps, not in /tmp. GOWORK=off and -mod=readonly: only this go.mod and go.sum decide.
      const env = { ...process.env, GOTMPDIR: workDir, CGO_ENABLED: '0', GOWORK: 'off', GOFLAGS: '-mod=readonly' };
      const version = options.versionVariable;
      const ldflags = version ? `${STRIPPED} -X ${version.name}=${version.version}` : STRIPPED;
      await runTool(tools.go!, ['build', ldflags, '-o', join(workDir, binaryName), options.goPackage], {
        cwd: GO_MODULE_DIR,
        env,
        label: `building ${title}`,
        log,
      });
      if (!options.fromModule) return;
      const { stdout } = await promisify(execFile)(tools.go!, ['mod', 'download', '-json', options.fromModule.module], {
        cwd: GO_MODULE_DIR,
        env,
      });
      const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
      for (const [target, source] of Object.entries(options.fromModule.files)) {
        await mkdir(join(workDir, target, '..'), { recursive: true });
        await copyFile(join(moduleDir, source), join(workDir, target));
      }
    },
    fixes: options.fixes ?? [
      `install Go (https://go.dev/dl/) and run again: it is then built once (a few minutes) and cached`,
      `set ${options.envVar} to a ${binaryName} binary of that release`,
    ],
  };
}
