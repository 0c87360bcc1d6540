import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import {
  type BinaryResolution,
  TemporalBinaryNotFoundError,
  resolveTemporalCli,
  resolveTestServer,
  startDevServer,
} from '../src';
import { isolateEnv } from './env';

isolateEnv();

const quiet = () => undefined;
const realPath = process.env.PATH ?? '';

/** A machine with nothing: an empty cache, and a PATH holding only `tools` (names of real programs to keep). */
function bareMachine(tools: string[] = []): string {
  const cache = tempDir('temporal-server-test-');
  const bin = tempDir('temporal-server-test-');
  for (const tool of tools) symlinkSync(which(tool), join(bin, tool));
  process.env.DURABLE_DELIVERY_CACHE = cache;
  process.env.PATH = bin;
  delete process.env.TEMPORAL_CLI_PATH;
  delete process.env.TEMPORAL_TEST_SERVER_PATH;
  return cache;
}

function which(tool: string): string {
  for (const dir of realPath.split(delimiter)) {
    const candidate = join(dir, tool);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`this test needs \`${tool}\` on PATH`);
}

function pathOf(resolution: BinaryResolution): string {
  if (resolution.kind !== 'path') throw new Error(`expected a path, got ${resolution.kind}`);
  return resolution.path;
}

describe('resolveTemporalCli', () => {
  let realCli: string;
  beforeAll(async () => {
    // On a fresh machine this builds the CLI with Go, once (minutes).
    realCli = pathOf(await resolveTemporalCli());
  }, 20 * 60_000);

  it('honours TEMPORAL_CLI_PATH', async () => {
    bareMachine();
    process.env.TEMPORAL_CLI_PATH = realCli;
    expect(await resolveTemporalCli({ log: quiet, allowSdkDownload: false })).toEqual({
      kind: 'path',
      path: realCli,
      source: 'env',
    });
  });

  it('rejects a TEMPORAL_CLI_PATH that is missing or not executable, naming the variable', async () => {
    const dir = bareMachine();
    process.env.TEMPORAL_CLI_PATH = join(dir, 'no-such-temporal');
    await expect(resolveTemporalCli({ log: quiet })).rejects.toThrow(
      /TEMPORAL_CLI_PATH is set to ".*no-such-temporal"/,
    );

    const notExecutable = join(dir, 'temporal.txt');
    writeFileSync(notExecutable, 'not a program');
    process.env.TEMPORAL_CLI_PATH = notExecutable;
    await expect(resolveTemporalCli({ log: quiet })).rejects.toThrow(/TEMPORAL_CLI_PATH .*not an executable file/);
  });

  it('reuses the cached build without Go', async () => {
    const cache = bareMachine(); // no `go`, no `temporal` on PATH
    const cached = join(cache, 'temporal-cli-1.5.1', 'temporal');
    mkdirSync(join(cache, 'temporal-cli-1.5.1'));
    symlinkSync(realCli, cached);
    expect(await resolveTemporalCli({ log: quiet, allowSdkDownload: false })).toEqual({
      kind: 'path',
      path: cached,
      source: 'cache',
    });
  });

  it('reuses the real cache on a second call, with Go gone from PATH', async () => {
    delete process.env.TEMPORAL_CLI_PATH;
    process.env.PATH = tempDir('temporal-server-test-');
    expect(pathOf(await resolveTemporalCli({ log: quiet, allowSdkDownload: false }))).toBe(realCli);
  });

  it('prefers `temporal` on PATH to the cache', async () => {
    bareMachine();
    symlinkSync(realCli, join(process.env.PATH!, 'temporal'));
    expect(await resolveTemporalCli({ log: quiet })).toMatchObject({ kind: 'path', source: 'path' });
  });

  it('leaves the download to the SDK when nothing else works, and says why when that is not allowed', async () => {
    const cache = bareMachine();
    expect(await resolveTemporalCli({ log: quiet })).toMatchObject({ kind: 'sdk-download' });

    const error = await resolveTemporalCli({ log: quiet, allowSdkDownload: false }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TemporalBinaryNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('Cannot find the Temporal CLI v1.5.1');
    expect(message).toContain('TEMPORAL_CLI_PATH is not set');
    expect(message).toContain('no `temporal` on PATH');
    expect(message).toContain(`no cached build at ${join(cache, 'temporal-cli-1.5.1', 'temporal')}`);
    expect(message).toContain('`go` not found on PATH');
    expect(message).toContain('install Go');
  });

  it('does not build when asked only to look', async () => {
    bareMachine(['go']);
    expect(await resolveTemporalCli({ log: quiet, build: false })).toMatchObject({ kind: 'sdk-download' });
    await expect(resolveTemporalCli({ log: quiet, build: false, allowSdkDownload: false })).rejects.toThrow(
      /not built yet/,
    );
  });

  it('makes startDevServer fail with the same explanation', async () => {
    bareMachine();
    await expect(startDevServer({ port: 1, log: quiet, allowSdkDownload: false })).rejects.toThrow(
      /Cannot find the Temporal CLI[\s\S]*`go` not found on PATH/,
    );
  });
});

describe('resolveTestServer', () => {
  it('names the missing build tools', async () => {
    bareMachine();
    const error = await resolveTestServer({ log: quiet, allowSdkDownload: false }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TemporalBinaryNotFoundError);
    expect((error as Error).message).toContain('TEMPORAL_TEST_SERVER_PATH is not set');
    expect((error as Error).message).toContain('`java` and `mvn` not found on PATH');
    expect((error as Error).message).toContain('install Java 17+ and Maven');

    bareMachine(['java']);
    await expect(resolveTestServer({ log: quiet, allowSdkDownload: false })).rejects.toThrow(
      /cannot build it: `mvn` not found on PATH/,
    );
  });

  it(
    'resolves the server with Maven into an empty cache, once, however many ask at once',
    async () => {
      const cache = tempDir('temporal-server-test-');
      process.env.DURABLE_DELIVERY_CACHE = cache;
      delete process.env.TEMPORAL_TEST_SERVER_PATH;
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const results = await Promise.all([resolveTestServer({ log }), resolveTestServer({ log })]);
      const path = join(cache, 'temporal-test-server-1.32.0', 'temporal-test-server');
      expect(results).toEqual(
        expect.arrayContaining([
          { kind: 'path', path, source: 'built' },
          { kind: 'path', path, source: 'cache' },
        ]),
      );
      expect(lines.filter((line) => line.startsWith('resolving Temporal test server 1.32.0 with Maven'))).toHaveLength(
        1,
      );
    },
    10 * 60_000,
  );
});
