import { chmod, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cacheDir, findOnPath, isExecutableFile, withCacheLock } from './cache';

export interface ResolveOptions {
  /** Progress lines (builds take minutes). Defaults to stderr, so stdout stays clean for callers. */
  log?: (line: string) => void;
  /** Build from source when nothing is cached (default true). With false, only looks. */
  build?: boolean;
  /**
   * May the caller fall back to the Temporal SDK's own download, which needs the internet (default true)? When false
   * and nothing else works, resolving throws a {@link TemporalBinaryNotFoundError} instead.
   */
  allowSdkDownload?: boolean;
}

/**
 * Either a binary to run, or word that none is available here and the Temporal SDK should download its own (online
 * only). In the latter case `notFound` makes the error to throw if that download fails too: it says what is missing
 * and how to get it.
 */
export type BinaryResolution =
  | { kind: 'path'; path: string; source: 'env' | 'path' | 'cache' | 'built' }
  | { kind: 'sdk-download'; notFound(downloadProblem: string): TemporalBinaryNotFoundError };

/** Neither found, nor buildable, nor downloadable: the message lists what was tried and how to fix it. */
export class TemporalBinaryNotFoundError extends Error {
  override name = 'TemporalBinaryNotFoundError';
}

export const defaultLog = (line: string) => void process.stderr.write(`[temporal-server] ${line}\n`);

/** One provisionable binary: where to look for it and how to build it. */
export interface BinarySpec {
  /** "Temporal CLI v1.5.1", for messages. */
  title: string;
  /** Overrides everything else when set. */
  envVar: string;
  /** Looked up on PATH, if this binary is commonly installed. */
  pathName?: string;
  /** Cache subdirectory holding the build, and the binary's name inside it. */
  cacheName: string;
  binaryName: string;
  /** Programs the build needs on PATH, e.g. ['go']. */
  tools: string[];
  /** Builds into `workDir`, an empty directory that is renamed to `cacheEntry` afterwards. */
  build(context: BuildContext): Promise<void>;
  /** Ways to fix "not found", one per line. */
  fixes: string[];
}

export interface BuildContext {
  /** The programs named in {@link BinarySpec.tools}, found on PATH. */
  tools: Record<string, string>;
  workDir: string;
  cacheEntry: string;
  log: (line: string) => void;
}

export async function resolveBinary(spec: BinarySpec, options: ResolveOptions = {}): Promise<BinaryResolution> {
  const log = options.log ?? defaultLog;
  const tried: string[] = [];

  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (await isExecutableFile(fromEnv)) return { kind: 'path', path: resolve(fromEnv), source: 'env' };
    throw new TemporalBinaryNotFoundError(
      `${spec.envVar} is set to "${fromEnv}", which is not an executable file. Point it at the ${spec.title} binary, or unset it.`,
    );
  }
  tried.push(`${spec.envVar} is not set`);

  if (spec.pathName) {
    const onPath = await findOnPath(spec.pathName);
    if (onPath) return { kind: 'path', path: onPath, source: 'path' };
    tried.push(`no \`${spec.pathName}\` on PATH`);
  }

  const cached = join(cacheDir(), spec.cacheName, spec.binaryName);
  if (await isExecutableFile(cached)) return { kind: 'path', path: cached, source: 'cache' };
  tried.push(`no cached build at ${cached}`);

  const tools: Record<string, string> = {};
  const missingTools: string[] = [];
  for (const tool of spec.tools) {
    const found = await findOnPath(tool);
    if (found) tools[tool] = found;
    else missingTools.push(tool);
  }
  if (missingTools.length > 0) {
    tried.push(`cannot build it: ${missingTools.map((tool) => `\`${tool}\``).join(' and ')} not found on PATH`);
  } else if (options.build === false) {
    tried.push('not built yet (building was not asked for)');
  } else {
    const built = await withCacheLock(spec.cacheName, log, async () => {
      // Whoever held the lock before us may have just built it.
      if (await isExecutableFile(cached)) return false;
      await buildIntoCache(spec, tools, log);
      return true;
    });
    if (await isExecutableFile(cached)) return { kind: 'path', path: cached, source: built ? 'built' : 'cache' };
    throw new Error(
      `Built ${spec.title}, but ${cached} is not there. This is a bug in @durable-delivery/temporal-server.`,
    );
  }

  const notFound = (downloadProblem: string) =>
    new TemporalBinaryNotFoundError(
      [
        `Cannot find the ${spec.title}:`,
        ...[...tried, downloadProblem].map((line) => `  - ${line}`),
        'To fix, do one of:',
        ...spec.fixes.map((line) => `  - ${line}`),
      ].join('\n'),
    );
  if (options.allowSdkDownload === false) throw notFound("the Temporal SDK's own download was not allowed");
  return { kind: 'sdk-download', notFound };
}

/**
 * Builds in a scratch directory beside the cache entry, then renames it into place: a build that is killed halfway
 * leaves only a `*.partial-*` directory (swept by the next build), never a half-written binary that looks finished.
 * Called with the cache lock held.
 */
async function buildIntoCache(spec: BinarySpec, tools: Record<string, string>, log: (line: string) => void) {
  const dir = cacheDir();
  const partialPrefix = `${spec.cacheName}.partial-`;
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(partialPrefix)) await rm(join(dir, entry), { recursive: true, force: true });
  }
  const workDir = await mkdtemp(join(dir, partialPrefix));
  const finalDir = join(dir, spec.cacheName);
  try {
    await spec.build({ tools, workDir, cacheEntry: finalDir, log });
    if (!(await isExecutableFile(join(workDir, spec.binaryName)))) {
      throw new Error(`Building the ${spec.title} produced no ${spec.binaryName} in ${workDir}.`);
    }
    await chmod(workDir, 0o755); // mkdtemp made it private
    await rm(finalDir, { recursive: true, force: true });
    await rename(workDir, finalDir);
    log(`${spec.title} is ready: ${join(finalDir, spec.binaryName)}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
