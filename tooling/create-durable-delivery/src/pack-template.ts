// prepack: puts the app into the package, since `npx create-durable-delivery` from the registry has no repository
// beside it. The file list is what git tracks now, minus this package: no build output, no local data, no secrets
// (all git-ignored, and a tracked file that the ignore rules match stops the pack). The files travel as one archive,
// because npm's packing rules would drop some of them (.gitignore, .npmrc) and apply each nested package.json's
// "files" to its folder.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as prettier from 'prettier';
import * as tar from 'tar';
import { withoutNpmVariables } from './processes';
import { ARCHIVE_FILE, MANIFEST_FILE, TEMPLATE_DIR, type PortDefinition, type TemplateManifest } from './manifest';

/** The app's one ports file (see tooling/ports): the defaults the scaffold offers, and the ports it rewrites. */
const PORTS_FILE = 'tooling/ports/ports.json';

const packageDir = resolve(__dirname, '..');

function git(args: readonly string[], cwd: string): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** Tracked files (with their git modes) outside this package, in git's order. */
function trackedFiles(repo: string): { path: string; mode: string }[] {
  const own = `${relative(repo, packageDir).split('\\').join('/')}/`;
  return git(['ls-files', '--stage', '-z'], repo)
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t');
      return { path, mode: meta.split(' ')[0] ?? '' };
    })
    .filter(({ path }) => !path.startsWith(own));
}

/** The one npm scope of the workspace's packages, from their package.json names. */
function workspaceScope(repo: string, files: readonly string[]): string {
  const scopes = new Set<string>();
  for (const file of files.filter((path) => path === 'package.json' || path.endsWith('/package.json'))) {
    const { name } = JSON.parse(readFileSync(join(repo, file), 'utf8')) as { name?: string };
    const scope = name && /^@([^/]+)\//.exec(name)?.[1];
    if (scope) scopes.add(scope);
  }
  if (scopes.size !== 1) {
    throw new Error(`The workspace's packages should share one scope; found ${[...scopes].join(', ') || 'none'}.`);
  }
  return [...scopes][0]!;
}

/**
 * The lockfile without this package's importer and what only it needed, rewritten by pnpm itself. Resolving the
 * remaining ranges needs the packages' registry metadata: pnpm reads it from its cache and asks the registry for what
 * is missing (a new machine's frozen install leaves none behind, so `--offline` failed there).
 */
function pruneLockfile(stage: string): void {
  const pnpm = process.env.npm_execpath?.includes('pnpm')
    ? { command: process.execPath, args: [process.env.npm_execpath] }
    : { command: 'pnpm', args: [] };
  const result = spawnSync(
    pnpm.command,
    [...pnpm.args, 'install', '--lockfile-only', '--prefer-offline', '--ignore-scripts'],
    { cwd: stage, encoding: 'utf8', env: withoutNpmVariables() },
  );
  if (result.status !== 0) {
    throw new Error(`pnpm could not update the template's lockfile:\n${result.stdout}${result.stderr}`);
  }
}

async function main(): Promise<void> {
  const repo = git(['rev-parse', '--show-toplevel'], packageDir).trim();
  const ignoredButTracked = git(['ls-files', '--cached', '--ignored', '--exclude-standard', '-z'], repo)
    .split('\0')
    .filter((path) => path !== '');
  if (ignoredButTracked.length > 0) {
    throw new Error(`These tracked files match .gitignore and would be packed: ${ignoredButTracked.join(', ')}`);
  }
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], repo)
    .split('\0')
    .filter((path) => path !== '' && !path.startsWith(`${relative(repo, packageDir)}/`));
  if (untracked.length > 0) {
    console.warn(`create-durable-delivery: left out of the template, not tracked by git: ${untracked.join(', ')}`);
  }
  const tracked = trackedFiles(repo);
  const stage = mkdtempSync(join(tmpdir(), 'create-durable-delivery-template-'));
  try {
    const files: string[] = [];
    for (const { path, mode } of tracked) {
      if (mode === '160000') throw new Error(`${path} is a git submodule; the template cannot carry it.`);
      const source = join(repo, path);
      const copy = join(stage, path);
      mkdirSync(dirname(copy), { recursive: true });
      try {
        copyFileSync(source, copy);
      } catch (error) {
        // Deleted in the working tree and not yet committed: the pack follows the working tree.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      chmodSync(copy, mode === '100755' ? 0o755 : 0o644);
      files.push(path);
    }
    pruneLockfile(stage);

    const ports = JSON.parse(readFileSync(join(stage, PORTS_FILE), 'utf8')) as Record<string, PortDefinition>;
    const root = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as { name: string };
    const own = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
    };
    const workspacePrettier = (root as { devDependencies?: Record<string, string> }).devDependencies?.prettier;
    if (workspacePrettier !== own.dependencies.prettier) {
      throw new Error(
        `create-durable-delivery formats the copy with prettier ${own.dependencies.prettier}, the workspace uses ` +
          `${workspacePrettier}: make them the same version, or format:check fails in new copies.`,
      );
    }
    const manifest: TemplateManifest = {
      version: own.version,
      commit: git(['rev-parse', 'HEAD'], repo).trim(),
      scope: workspaceScope(stage, files),
      name: root.name,
      portsFile: PORTS_FILE,
      ports,
      prettier: (await prettier.resolveConfig(join(repo, 'package.json'))) ?? {},
      files,
    };

    rmSync(TEMPLATE_DIR, { recursive: true, force: true });
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    await tar.c({ gzip: true, cwd: stage, file: join(TEMPLATE_DIR, ARCHIVE_FILE), portable: true }, files);
    const manifestJson = await prettier.format(JSON.stringify(manifest), { ...manifest.prettier, parser: 'json' });
    writeFileSync(join(TEMPLATE_DIR, MANIFEST_FILE), manifestJson);
    console.log(`create-durable-delivery: template of ${files.length} files from ${manifest.commit.slice(0, 12)}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
