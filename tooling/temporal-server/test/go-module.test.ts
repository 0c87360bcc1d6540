import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { GO_MODULE_DIR, goModuleVersion } from '../src/go-module';
import { TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../src';

const go = (args: string[]) =>
  promisify(execFile)('go', args, {
    cwd: GO_MODULE_DIR,
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=readonly' },
    maxBuffer: 16 * 1024 * 1024,
  });

/** `module version` per line of a go.mod's requirements, as a map. */
function requirements(goMod: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of goMod.matchAll(/^\s*(?:require\s+)?([a-z0-9][^\s]*\.[^\s]+) (v\S+)/gm)) {
    found.set(match[1]!, match[2]!);
  }
  return found;
}

describe('the Go module Temporal binaries are built from', () => {
  it('pins the releases the package names, and names a module it does not require', () => {
    expect([TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION]).toEqual(['1.5.1', '1.29.1', '2.42.1']);
    expect(() => goModuleVersion('example.com/not-there')).toThrow(/requires no example\.com\/not-there/);
  });

  // The CLI built here is the one `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` makes only if every
  // module it requires is selected at its own version: the other tools may add modules, never raise one.
  it("selects every module the CLI requires at the CLI's own version", async () => {
    const { stdout: download } = await go(['mod', 'download', '-json', 'github.com/temporalio/cli']);
    const cliGoMod = readFileSync((JSON.parse(download) as { GoMod: string }).GoMod, 'utf8');
    const { stdout: list } = await go(['list', '-m', '-f', '{{.Path}} {{.Version}}', 'all']);
    const selected = new Map(list.split('\n').map((line) => line.split(' ') as [string, string]));
    const wanted = requirements(cliGoMod);
    expect(wanted.size).toBeGreaterThan(100);
    const raised = [...wanted].filter(([path, version]) => selected.get(path) !== version);
    expect(raised).toEqual([]);
  });

  it('lists the four binaries as its tools', () => {
    const goMod = readFileSync(`${GO_MODULE_DIR}/go.mod`, 'utf8');
    const tools = /^tool \(\n([^)]*)\)/m.exec(goMod)?.[1]?.trim().split(/\s+/);
    expect(tools).toEqual([
      'github.com/temporalio/cli/cmd/temporal',
      'github.com/temporalio/ui-server/v2/cmd/server',
      'go.temporal.io/server/cmd/server',
      'go.temporal.io/server/cmd/tools/sql',
    ]);
  });
});
