import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
// A static import, though only some paths need the SDK's native core: a compiled import() fails in jest (no
// --experimental-vm-modules), and other packages' tests load this one.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sleep } from './cache';
import { isPortInUse } from './ports';
import { startServerProcess } from './process';
import { defaultLog } from './resolve';
import { resolveTemporalCli } from './temporal-cli';
import {
  needsUiServer,
  resolveTemporalUiServer,
  startUiServer,
  type UiCodecSettings,
  type UiServer,
} from './ui-server';

/**
 * The server's database (every order's history) is its owner's only: a folder made for it is made 0700 (nobody else
 * can even open a file in it; an existing one, maybe /tmp, is left as it is), and the database, -wal and -shm files
 * are set to 0600 before the server starts (files an older version left open) and again once it answers (the ones it
 * just created; SQLite makes later -wal and -shm files with the database file's mode). The file itself cannot be
 * made in advance: the CLI takes an existing file for an initialised database. (The services do the same in
 * @durable-delivery/service-kit's openDatabase.)
 */
async function ownerOnlyDatabase(filename: string, { folder }: { folder: boolean }): Promise<void> {
  if (folder) await mkdir(dirname(filename), { recursive: true, mode: 0o700 });
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    if (await stat(file).catch(() => undefined)) await chmod(file, 0o600);
  }
}

/**
 * SQLite pragmas for a file-backed dev server. In its default rollback-journal mode SQLite syncs the journal, the
 * database and the folder at every commit, and on a machine with slow syncs the server spends its time waiting on
 * them: the benchmark's no-op ceiling ran at 5.8 orders/s so, and at 14.2 with the write-ahead log (13.1 with
 * synchronous=NORMAL as well; 120 orders at concurrency 20, one run of each, one after the other). Synchronous stays
 * FULL (SQLite's default): the log is synced at every commit, so a committed workflow task survives a crash of the
 * server, the process or the machine, as before.
 */
export const FILE_DB_PRAGMAS = ['journal_mode=wal'] as const;

/** Search attribute types, spelled as `temporal server start-dev --search-attribute` wants them. */
export type SearchAttributeKind = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface DevServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  ip?: string;
  /** gRPC frontend port. */
  port: number;
  /** Web UI port; default port + 1000. */
  uiPort?: number;
  /** No Web UI. */
  headless?: boolean;
  /**
   * The codec server the Web UI decodes payloads with. The endpoint alone is the CLI's `--ui-codec-endpoint`; sending
   * credentials or a custom error message needs the UI server's own config, so then the Web UI runs as a separate
   * Temporal UI server of the same version (see {@link startUiServer}), when one can be found or built.
   */
  uiCodec?: UiCodecSettings;
  /**
   * SQLite file that keeps state across restarts (its directory is created); default in memory. The file is kept in
   * write-ahead-log mode (see {@link FILE_DB_PRAGMAS}).
   */
  dbFilename?: string;
  /** Created at start; default 'default' (which always exists). */
  namespace?: string;
  searchAttributes?: Record<string, SearchAttributeKind>;
  /** Where the server's output lines and progress lines go; default stderr. */
  log?: (line: string) => void;
  /**
   * The server's output: 'pipe' (default) sends its lines to `log`; 'inherit' shares this process's stdout/stderr;
   * 'ignore' drops them. Except with 'inherit', the last lines are kept for error messages.
   */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
  /** Passed on to {@link resolveTemporalCli}. */
  allowSdkDownload?: boolean;
}

export interface DevServer {
  /** gRPC address for clients and workers: "127.0.0.1:7233". */
  address: string;
  /** Web UI, unless headless. */
  uiUrl?: string;
  /** The server process; undefined when the Temporal SDK runs it (see {@link startDevServer}). */
  pid: number | undefined;
  /** Asks the server to shut down (SIGTERM by default) and waits for it; SIGKILL if it takes longer than 10 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL, now: a crash, for chaos tests. */
  kill(): void;
  /** Resolves with the exit code (null when ended by a signal) once the process is gone. */
  exited: Promise<number | null>;
}

/**
 * Starts a Temporal dev server (`temporal server start-dev`) and resolves once its frontend answers for `namespace`.
 * The process is SIGTERMed if this process exits first, so it never outlives its owner holding the port.
 *
 * When no CLI binary is available here (see {@link resolveTemporalCli}), the Temporal SDK downloads and runs one
 * instead (online only); that server's pid is not exposed, and kill() is a teardown.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? defaultLog;
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const address = `${ip}:${options.port}`;
  const uiUrl = options.headless
    ? undefined
    : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${options.uiPort ?? options.port + 1000}`;

  const cli = await resolveTemporalCli({ log, allowSdkDownload: options.allowSdkDownload });
  // Checked up front: otherwise the server exits with a bind error, or worse, we might mistake the server already
  // there for ours once it answers.
  if (await isPortInUse(ip, options.port)) {
    const what = (await answersAsTemporal(address))
      ? 'a Temporal server (still running from before?)'
      : 'another program';
    throw new Error(`Cannot start a Temporal dev server on ${address}: the port is already in use by ${what}.`);
  }
  if (options.dbFilename) await ownerOnlyDatabase(options.dbFilename, { folder: true });

  if (cli.kind === 'sdk-download') {
    try {
      return await startWithSdk(options, namespace, uiUrl);
    } catch (err) {
      throw cli.notFound(`the Temporal SDK's own download failed: ${(err as Error).message}`);
    }
  }

  const uiServerPath = options.headless ? undefined : await uiServerFor(options.uiCodec, log);
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--namespace', namespace];
  if (options.headless || uiServerPath) args.push('--headless');
  else if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  if (!options.headless && !uiServerPath && options.uiCodec) args.push('--ui-codec-endpoint', options.uiCodec.endpoint);
  if (options.dbFilename) {
    args.push('--db-filename', options.dbFilename);
    for (const pragma of FILE_DB_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  for (const [name, kind] of Object.entries(options.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${kind}`);
  // As the SDK does when it starts a dev server: no call home to check for newer server versions.
  args.push('--log-level', 'warn', '--dynamic-config-value', 'frontend.enableServerVersionCheck=false');

  // The CLI picks its own HTTP API and metrics ports; on a busy machine another process can take one between its
  // pick and its bind. That start fails with "address already in use" while our port is still free: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await launch(cli.path, args, options, address, namespace, uiUrl, log);
      if (options.dbFilename) await ownerOnlyDatabase(options.dbFilename, { folder: false });
      if (!uiServerPath || !uiUrl) return server;
      const ui = await startUiServer({
        path: uiServerPath,
        ip,
        port: options.uiPort ?? options.port + 1000,
        temporalAddress: address,
        codec: options.uiCodec,
        stdio: options.stdio,
        log,
      }).catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
      return withUi(server, ui);
    } catch (error) {
      const portRace = error instanceof DevServerExitedError && /address already in use/.test(error.message);
      if (!portRace || attempt >= START_ATTEMPTS || (await isPortInUse(ip, options.port))) throw error;
      log(`the dev server lost one of its own ports to another process; starting it again (attempt ${attempt + 1})`);
    }
  }
}

const START_ATTEMPTS = 3;

/**
 * The UI server binary when the codec settings need it; without one (no Go, no cached build) the CLI's own UI, with
 * the endpoint only, and a line saying what operators then set in the browser themselves.
 */
async function uiServerFor(codec: UiCodecSettings | undefined, log: (line: string) => void) {
  if (!needsUiServer(codec)) return undefined;
  try {
    return await resolveTemporalUiServer({ log });
  } catch (error) {
    log(
      `${(error as Error).message}\nThe Web UI starts without its codec credentials setting: operators turn on ` +
        '"Include cross-origin credentials" in its data-encoder settings themselves (docs/operations.md).',
    );
    return undefined;
  }
}

/** The dev server with its Web UI as a second process: both stop together; a crash (kill) takes both. */
function withUi(server: DevServer, ui: UiServer): DevServer {
  return {
    ...server,
    async stop(signal) {
      await ui.stop(signal);
      await server.stop(signal);
    },
    kill() {
      ui.kill();
      server.kill();
    },
  };
}

class DevServerExitedError extends Error {
  override readonly name = 'DevServerExitedError';
}

/** One start of the CLI's dev server: resolves once it answers, throws (with its last output) if it exits first. */
async function launch(
  cliPath: string,
  args: string[],
  options: DevServerOptions,
  address: string,
  namespace: string,
  uiUrl: string | undefined,
  log: (line: string) => void,
): Promise<DevServer> {
  const child = startServerProcess(cliPath, args, { stdio: options.stdio, log });
  const server: DevServer = {
    address,
    uiUrl,
    pid: child.pid,
    exited: child.exited,
    kill: () => child.kill(),
    stop: (signal) => child.stop(signal),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    const exitCode = child.exitCode();
    if (exitCode !== undefined) {
      throw new DevServerExitedError(
        `The Temporal dev server (${cliPath}) exited with ${exitCode ?? 'a signal'} before it was ready. ` +
          `Last output:\n${child.tail()}`,
      );
    }
    if (await answersAsTemporal(address, namespace)) return server;
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(
        `The Temporal dev server did not answer on ${address} within ${options.startTimeoutMs ?? 60_000} ms. ` +
          `Last output:\n${child.tail()}`,
      );
    }
    await sleep(200);
  }
}

/** Whether a Temporal frontend answers on `address` (and knows `namespace`, if given). */
export async function answersAsTemporal(address: string, namespace?: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    if (namespace) await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

const sdkSearchAttributeTypes: Record<SearchAttributeKind, SearchAttributeType> = {
  Text: SearchAttributeType.TEXT,
  Keyword: SearchAttributeType.KEYWORD,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
  Bool: SearchAttributeType.BOOL,
  Datetime: SearchAttributeType.DATETIME,
  KeywordList: SearchAttributeType.KEYWORD_LIST,
};

/** The online fallback: the SDK downloads the CLI and runs it; wrapped in the same interface. */
async function startWithSdk(
  options: DevServerOptions,
  namespace: string,
  uiUrl: string | undefined,
): Promise<DevServer> {
  const env: TestWorkflowEnvironment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: options.ip ?? '127.0.0.1',
      port: options.port,
      ui: !options.headless,
      uiPort: options.headless ? undefined : (options.uiPort ?? options.port + 1000),
      dbFilename: options.dbFilename,
      namespace,
      extraArgs: [
        ...(!options.headless && options.uiCodec ? ['--ui-codec-endpoint', options.uiCodec.endpoint] : []),
        ...(options.dbFilename ? FILE_DB_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]) : []),
      ],
      searchAttributes: Object.entries(options.searchAttributes ?? {}).map(([name, kind]) =>
        defineSearchAttributeKey(name, sdkSearchAttributeTypes[kind]),
      ),
    },
  });
  let resolveExited!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (resolveExited = resolve));
  let teardown: Promise<void> | undefined;
  const stop = () => {
    teardown ??= env.teardown().then(() => resolveExited(null));
    return teardown;
  };
  return { address: env.address, uiUrl, pid: undefined, exited, stop, kill: () => void stop() };
}
