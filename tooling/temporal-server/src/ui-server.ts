import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './cache';
import { startServerProcess } from './process';
import { type ResolveOptions, resolveBinary } from './resolve';
import { goModuleVersion, goToolSpec } from './go-module';

/**
 * The Temporal Web UI server on its own, at the release the CLI's dev server embeds (CLI v1.5.1 → UI 2.42.1): the
 * same pages, but configured from a file. The dev server's `--ui-codec-endpoint` sets only the codec endpoint; the
 * UI server's config also has `includeCredentials` (send the codec server's sign-in cookie) and the message the UI
 * shows when decoding fails, which is what lets an operator read payloads without changing a setting.
 */
export const TEMPORAL_UI_VERSION = goModuleVersion('github.com/temporalio/ui-server/v2');

const spec = goToolSpec({
  title: `Temporal UI server v${TEMPORAL_UI_VERSION}`,
  envVar: 'TEMPORAL_UI_SERVER_PATH',
  cacheName: `temporal-ui-server-${TEMPORAL_UI_VERSION}`,
  binaryName: 'temporal-ui-server',
  goPackage: 'github.com/temporalio/ui-server/v2/cmd/server',
});

/** Finds or builds the UI server ($TEMPORAL_UI_SERVER_PATH; the cache; a Go build); throws when none can be had. */
export async function resolveTemporalUiServer(options: Omit<ResolveOptions, 'allowSdkDownload'> = {}): Promise<string> {
  const resolution = await resolveBinary(spec, { ...options, allowSdkDownload: false });
  if (resolution.kind !== 'path') throw new Error('unreachable: no SDK download for the Temporal UI server');
  return resolution.path;
}

/** What the Web UI's data encoder uses, as the UI server's `codec` config names it. */
export interface UiCodecSettings {
  /** The codec server, e.g. http://127.0.0.1:4040. */
  readonly endpoint: string;
  /** Send the browser's cookies for the endpoint (a codec server that signs operators in with a cookie). */
  readonly includeCredentials?: boolean;
  /** What the UI says, instead of its own "Codec Server could not connect", when a call to the endpoint fails. */
  readonly errorMessage?: string;
  /** Where that message links to (the UI's default is Temporal's documentation). */
  readonly errorLink?: string;
}

/** Whether these settings need the UI server: the dev server's own UI can be given the endpoint only. */
export function needsUiServer(codec: UiCodecSettings | undefined): boolean {
  return codec !== undefined && (codec.includeCredentials === true || !!codec.errorMessage || !!codec.errorLink);
}

export interface UiServerOptions {
  readonly path: string;
  readonly ip: string;
  readonly port: number;
  /** The Temporal frontend it talks to: "127.0.0.1:7233". */
  readonly temporalAddress: string;
  readonly codec?: UiCodecSettings;
  readonly stdio?: 'inherit' | 'pipe' | 'ignore';
  readonly log: (line: string) => void;
  /** How long to wait for its settings API to answer; default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface UiServer {
  readonly url: string;
  readonly pid: number | undefined;
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  kill(): void;
}

/** Starts the UI server with a config written for it, and resolves once it serves its settings. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ui-'));
  await mkdir(join(root, 'config'));
  // As the CLI's dev server configures its UI (temporalcli/devserver), plus the codec settings. JSON is YAML.
  const config = {
    host: options.ip,
    port: options.port,
    temporalGrpcAddress: options.temporalAddress,
    enableUi: true,
    hideLogs: true,
    cors: { cookieInsecure: true },
    codec: {
      endpoint: options.codec?.endpoint ?? '',
      includeCredentials: options.codec?.includeCredentials ?? false,
      defaultErrorMessage: options.codec?.errorMessage ?? '',
      defaultErrorLink: options.codec?.errorLink ?? '',
    },
  };
  await writeFile(join(root, 'config', 'development.yaml'), JSON.stringify(config, null, 2));
  const child = startServerProcess(
    options.path,
    ['--root', root, '--config', 'config', '--env', 'development', 'start'],
    {
      stdio: options.stdio,
      log: options.log,
    },
  );
  void child.exited.then(() => rm(root, { recursive: true, force: true }));
  const url = `http://${options.ip}:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    const exitCode = child.exitCode();
    if (exitCode !== undefined) {
      throw new Error(`The Temporal UI server exited with ${exitCode ?? 'a signal'}. Last output:\n${child.tail()}`);
    }
    const answered = await fetch(`${url}/api/v1/settings`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      await child.stop('SIGKILL');
      throw new Error(`The Temporal UI server did not answer on ${url}. Last output:\n${child.tail()}`);
    }
    await sleep(200);
  }
  return {
    url,
    pid: child.pid,
    exited: child.exited,
    stop: (signal) => child.stop(signal),
    kill: () => child.kill(),
  };
}
