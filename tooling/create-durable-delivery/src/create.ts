import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as prettier from 'prettier';
import * as tar from 'tar';
import { ARCHIVE_FILE, TEMPLATE_DIR, type TemplateManifest } from './manifest';
import type { ProjectPlan } from './options';
import { runOrThrow } from './processes';
import { isText, isVerbatim, rewriteText, sortLockfileImporters, type Rewrite } from './rewrite';

/** The target exists and is not an empty folder: the scaffold refuses, and never overwrites. */
export class TargetNotEmptyError extends Error {}

/** Why `target` cannot become the project, or undefined when it can (it does not exist, or is an empty folder). */
export function targetProblem(target: string): string | undefined {
  let entries: string[];
  try {
    if (!statSync(target).isDirectory()) return `${target} exists and is not a folder.`;
    entries = readdirSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (entries.length === 0) return undefined;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  return `${target} is not empty (${shown}). Choose a new folder: create-durable-delivery never overwrites.`;
}

/**
 * Undo steps of what is half-made, run on a signal or an error. Every write the steps undo is synchronous, and a
 * running child (git) is waited for before they run, so that nothing is still writing when the folder is removed.
 */
export class Undo {
  private readonly steps: (() => void)[] = [];
  private child: ChildProcess | undefined;

  add(step: () => void): () => void {
    this.steps.push(step);
    return () => this.steps.splice(this.steps.indexOf(step), 1);
  }

  /** The child process running now: stop() ends it first. */
  track(child: ChildProcess | undefined): void {
    this.child = child;
  }

  run(): void {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        step();
      } catch {
        // Best effort: the other steps still run.
      }
    }
  }

  /** Ends the running child (SIGTERM, then SIGKILL after 5 s), then runs the steps. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await closed;
      clearTimeout(force);
    }
    this.run();
  }
}

/**
 * Writes the new project into a temporary sibling of the target (`.my-app-XXXXXX`), then moves it into place in
 * one synchronous step; on a signal or an error the sibling is removed, so nothing half-written is ever left under
 * the target's name. The git repository is made in the sibling too: the project appears complete with its first
 * commit, or not at all.
 */
export async function createProject(
  plan: ProjectPlan,
  target: string,
  manifest: TemplateManifest,
  undo: Undo,
  log: (line: string) => void,
): Promise<{ git: 'committed' | 'skipped'; gitNote?: string }> {
  const parent = dirname(target);
  const done: (() => void)[] = [];
  const firstCreated = mkdirSync(parent, { recursive: true });
  if (firstCreated) done.push(undo.add(() => rmSync(firstCreated, { recursive: true, force: true })));
  // Not mkdtemp: its folders are private (0700), and this one becomes the project.
  const staging = join(parent, `.${basename(target)}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  done.push(undo.add(() => rmSync(staging, { recursive: true, force: true })));

  log(`Copying the app (${manifest.files.length} files)…`);
  tar.x({ file: join(TEMPLATE_DIR, ARCHIVE_FILE), cwd: staging, strict: true, preserveOwner: false, sync: true });
  await rewriteProject(staging, plan, manifest);

  let git: { git: 'committed' | 'skipped'; gitNote?: string } = { git: 'skipped' };
  if (plan.git) {
    log('Making the git repository and its first commit…');
    git = await firstCommit(staging, parent, manifest, undo);
  }

  moveIntoPlace(staging, target);
  for (const forget of done) forget();
  return git;
}

/** Scope, ports and name, in every text file; what changed is formatted the way the project's Prettier wants it. */
async function rewriteProject(dir: string, plan: ProjectPlan, manifest: TemplateManifest): Promise<void> {
  const rewrite: Rewrite = {
    fromScope: manifest.scope,
    toScope: plan.scope,
    ports: new Map(Object.entries(manifest.ports).map(([name, { port }]) => [port, plan.ports[name]!])),
  };
  const ignorePath = join(dir, '.prettierignore');
  for (const file of manifest.files) {
    if (isVerbatim(file)) continue;
    const path = join(dir, file);
    const bytes = readFileSync(path);
    if (!isText(bytes)) continue;
    const before = bytes.toString('utf8');
    let after = rewriteText(before, rewrite);
    if (file === 'package.json') after = renameRootPackage(after, plan.name);
    if (file === 'README.md') after = retitleReadme(after, plan.name, manifest);
    if (file === 'pnpm-lock.yaml') after = sortLockfileImporters(after);
    if (after === before) continue;
    const text = await formatted(path, after, manifest, ignorePath);
    writeFileSync(path, text);
  }
}

/** A shorter or longer scope or port moves table columns and line breaks; format:check must pass in the copy. */
async function formatted(path: string, text: string, manifest: TemplateManifest, ignorePath: string): Promise<string> {
  const info = await prettier.getFileInfo(path, { ignorePath, resolveConfig: false });
  if (info.ignored || !info.inferredParser) return text;
  return prettier.format(text, { ...manifest.prettier, filepath: path });
}

function renameRootPackage(json: string, name: string): string {
  const root = JSON.parse(json) as Record<string, unknown>;
  return `${JSON.stringify({ ...root, name }, null, 2)}\n`;
}

function retitleReadme(markdown: string, name: string, manifest: TemplateManifest): string {
  return markdown.replace(
    /^# .*$/m,
    `# ${name}\n\n_Started from Durable Delivery with create-durable-delivery ${manifest.version}._`,
  );
}

async function firstCommit(
  dir: string,
  parent: string,
  manifest: TemplateManifest,
  undo: Undo,
): Promise<{ git: 'committed' | 'skipped'; gitNote?: string }> {
  if (spawnSync('git', ['--version']).status !== 0) {
    return { git: 'skipped', gitNote: 'git was not found: the project is not a git repository yet.' };
  }
  if (spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: parent }).stdout?.toString().trim() === 'true') {
    return { git: 'skipped', gitNote: 'It is inside another git repository, so no repository of its own was made.' };
  }
  const hasBranchDefault = spawnSync('git', ['config', '--get', 'init.defaultBranch'], { cwd: dir }).status === 0;
  const inStaging = { cwd: dir, track: (child: ChildProcess | undefined) => undo.track(child) };
  await runOrThrow('git', ['init', '--quiet', ...(hasBranchDefault ? [] : ['--initial-branch=main'])], inStaging);
  // A machine without a git identity (a fresh CI runner) still gets its first commit, under a name that says so.
  const hasIdentity = spawnSync('git', ['config', '--get', 'user.email'], { cwd: dir }).status === 0;
  const identity = hasIdentity ? [] : ['-c', 'user.name=create-durable-delivery', '-c', 'user.email=create@localhost'];
  await runOrThrow('git', ['add', '--all'], inStaging);
  const message = `Start from create-durable-delivery ${manifest.version}`;
  await runOrThrow('git', [...identity, 'commit', '--quiet', '--message', message], inStaging);
  return hasIdentity
    ? { git: 'committed' }
    : { git: 'committed', gitNote: 'git has no user.email here: the first commit is by "create-durable-delivery".' };
}

/**
 * Synchronous, so that no signal handler runs half-way: the staging folder becomes the target (a new folder), or
 * its entries move into the target (an empty folder that exists, maybe the current one). The target is checked
 * again in the same step; what appeared in it meanwhile is never overwritten.
 */
function moveIntoPlace(staging: string, target: string): void {
  const problem = targetProblem(target);
  if (problem) throw new TargetNotEmptyError(problem);
  let exists = true;
  try {
    statSync(target);
  } catch {
    exists = false;
  }
  if (!exists) {
    renameSync(staging, target);
    return;
  }
  for (const entry of readdirSync(staging)) renameSync(join(staging, entry), join(target, entry));
  rmdirSync(staging);
}
