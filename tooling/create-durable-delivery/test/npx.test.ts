// The packed package, run through npx without a terminal (test/global-setup.ts), and the copy it made.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import { eventually } from '@durable-delivery/temporal-server';
import { isText, isVerbatim, portOccurrences } from '../src/rewrite';
import { cleanEnv, npxCreate, packageDir, pnpmCommand, repo, runToEnd, scaffoldRun } from './processes';

const run = scaffoldRun();
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const trackedIn = (cwd: string) =>
  git(cwd, 'ls-files', '-z')
    .split('\0')
    .filter((file) => file !== '');
const textFiles = (dir: string) =>
  trackedIn(dir).flatMap((file) => {
    const bytes = readFileSync(join(dir, file));
    return isText(bytes) ? [{ file, text: bytes.toString('utf8') }] : [];
  });

describe('npx create-durable-delivery, from the packed tarball, without a terminal', () => {
  it('makes and installs the project, then prints the two commands that start it and test it', () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(run.stdout).toContain('cd acme-shop\n');
    expect(run.stdout).toMatch(/^ {2}npm run dev /m);
    expect(run.stdout).toMatch(/^ {2}npm test /m);
    expect(existsSync(join(run.project, 'node_modules', '.modules.yaml'))).toBe(true);
  });

  it('copies what git tracks, minus the scaffold itself, in one first commit and nothing left over', () => {
    const own = `${relative(repo, packageDir)}/`;
    const expected = trackedIn(repo)
      .filter((file) => !file.startsWith(own) && existsSync(join(repo, file)))
      .sort();
    expect(trackedIn(run.project).sort()).toEqual(expected);
    expect(git(run.project, 'log', '--format=%s').trim().split('\n')).toEqual([
      `Start from create-durable-delivery ${run.manifest.version}`,
    ]);
    expect(git(run.project, 'status', '--porcelain')).toBe('');
    expect(readdirSync(run.work).filter((entry) => entry.startsWith('.'))).toEqual([]);
  });

  it('carries no build output, local data or secrets', () => {
    // .env.example names the secrets and holds none: it is carried.
    const unwanted =
      /(^|\/)(\.data|dist|\.next|node_modules|\.turbo|coverage|artifacts|[a-z]+-results)\/|(^|\/)\.env(?!\.example$)/;
    expect(run.manifest.files.filter((file) => unwanted.test(file))).toEqual([]);
    expect(trackedIn(run.project).filter((file) => unwanted.test(file))).toEqual([]);
    // The template's own file list is the one packed: nothing beyond it in the archive.
    const archived = execFileSync('tar', ['-tzf', join(packageDir, 'template', 'files.tar.gz')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((entry) => entry.replace(/^\.\//, ''));
    expect(archived.filter((entry) => !entry.endsWith('/')).sort()).toEqual([...run.manifest.files].sort());
  });

  it('renames every @durable-delivery/ package to @acme/, and the root package to the project name', () => {
    const stale = textFiles(run.project).filter(({ text }) => text.includes(`@${run.manifest.scope}/`));
    expect(stale.map(({ file }) => file)).toEqual([]);
    const pnpm = pnpmCommand();
    const workspace = JSON.parse(
      execFileSync(pnpm.command, [...pnpm.args, 'ls', '--recursive', '--depth', '-1', '--json'], {
        cwd: run.project,
        env: cleanEnv(),
        encoding: 'utf8',
      }),
    ) as { name: string; path: string }[];
    const names = workspace.filter(({ path }) => path !== run.project).map(({ name }) => name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !name.startsWith('@acme/'))).toEqual([]);
    expect(workspace.find(({ path }) => path === run.project)?.name).toBe('acme-shop');
  });

  it("names none of the template's default ports, and its ports file and README name the chosen ones", () => {
    const defaults = Object.values(run.manifest.ports).map(({ port }) => port);
    const stale = textFiles(run.project)
      .filter(({ file }) => !isVerbatim(file))
      .flatMap(({ file, text }) => portOccurrences(text, defaults).map(({ port }) => `${file}: ${port}`));
    expect(stale).toEqual([]);
    // Measured data (the published benchmark run) is copied as it is: its numbers are figures, not ports.
    const verbatim = trackedIn(run.project).filter(isVerbatim);
    expect(verbatim).toContain('docs/bench/bench.json');
    for (const file of verbatim) {
      expect(readFileSync(join(run.project, file)).equals(readFileSync(join(repo, file)))).toBe(true);
    }
    const portsFile = JSON.parse(readFileSync(join(run.project, run.manifest.portsFile), 'utf8')) as Record<
      string,
      { port: number }
    >;
    expect(Object.fromEntries(Object.entries(portsFile).map(([name, { port }]) => [name, port]))).toEqual(run.ports);
    const readme = readFileSync(join(run.project, 'README.md'), 'utf8');
    for (const port of Object.values(run.ports)) expect(readme).toContain(String(port));
    expect(readme.split('\n')[0]).toBe('# acme-shop');
  });

  // Frozen and offline: the copy installs from the store the workspace's own install filled. Rewriting the lockfile
  // resolves ranges, which needs registry metadata that only pnpm's cache or the registry has: --prefer-offline.
  it('has a lockfile that installs frozen and offline, exactly as pnpm itself would write it', async () => {
    const pnpm = pnpmCommand();
    const frozen = await runToEnd(pnpm.command, [...pnpm.args, 'install', '--frozen-lockfile', '--offline'], {
      cwd: run.project,
    });
    expect({ code: frozen.code, output: frozen.output }).toEqual({ code: 0, output: expect.any(String) });
    const rewritten = await runToEnd(pnpm.command, [...pnpm.args, 'install', '--lockfile-only', '--prefer-offline'], {
      cwd: run.project,
    });
    expect(rewritten.code).toBe(0);
    expect(git(run.project, 'status', '--porcelain')).toBe('');
  });

  it('is formatted as its own Prettier wants, after the renames moved columns and line breaks', async () => {
    const check = await runToEnd('node', ['node_modules/prettier/bin/prettier.cjs', '--check', '.'], {
      cwd: run.project,
    });
    expect({ code: check.code, output: check.output }).toEqual({ code: 0, output: expect.any(String) });
  });
});

describe('npx create-durable-delivery, refusing and stopping', () => {
  const parent = tempDir('more-', run.work);

  it('refuses a folder that is not empty with a message and exit code 1, and changes nothing', async () => {
    const taken = join(parent, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'mine');
    const refused = await npxCreate(run, ['taken', '--yes', '--no-install'], parent);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`${taken} is not empty (notes.txt). Choose a new folder`);
    expect(readdirSync(taken)).toEqual(['notes.txt']);
    expect(readFileSync(join(taken, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(parent).sort()).toEqual(['taken']);
  });

  it('fills a folder that exists and is empty', async () => {
    const empty = join(parent, 'empty');
    mkdirSync(empty);
    const made = await npxCreate(run, ['empty', '--yes', '--no-install', '--no-git'], parent);
    expect({ code: made.code, output: made.output }).toEqual({ code: 0, output: expect.any(String) });
    expect(readdirSync(empty)).toEqual(expect.arrayContaining(['package.json', 'pnpm-lock.yaml', '.gitignore']));
    expect(readdirSync(parent).filter((entry) => entry.startsWith('.'))).toEqual([]);
  });

  it('answers a mistake on the command line with exit code 2 and what was wrong', async () => {
    const wrong = await npxCreate(run, ['shop', '--yes', '--menu-port', 'eighty'], parent);
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('Invalid --menu-port "eighty": a port is a whole number from 1 to 65535');
    const unasked = await npxCreate(run, ['shop'], parent);
    expect(unasked.code).toBe(2);
    expect(unasked.output).toContain('There is no terminal to ask in. Pass --yes to take the defaults');
    expect(existsSync(join(parent, 'shop'))).toBe(false);
  });

  it('asks in a terminal for the folder, the name, the scope and the ports, and makes what was answered', async () => {
    // `script` gives the scaffold a pseudo-terminal; each answer is typed once its question is on the screen.
    // No CI, and no git identity: the first commit is still made, under the scaffold's own name.
    const env = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null' });
    delete env.CI;
    const command = `stty cols 120 rows 40; npx --yes --package '${run.tarball}' create-durable-delivery --no-install`;
    const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
      cwd: parent,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let seen = 0;
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once('close', (code) => resolveExit(code)));
    /** Waits (bounded) for `question` to appear after what was answered so far, then types `keys`. */
    const answer = async (question: string, keys: string) => {
      const at = await eventually(async () => {
        const found = screen.indexOf(question, seen);
        return found === -1 ? undefined : found;
      }, 1_200);
      seen = at + question.length;
      child.stdin.write(keys);
    };
    const erase = '\x7f'.repeat(30);
    // The first port gets another number; the others keep their defaults.
    const [first, ...others] = Object.keys(run.manifest.ports);
    const firstPort = run.manifest.ports[first!]!;
    await answer('Where should the new project go?', 'asked\r');
    await answer('Project name', '\r'); // the folder's name, offered
    await answer('Package scope', `${erase}blue\r`);
    await answer('Keep the default ports?', 'n');
    await answer(`Port of ${firstPort.description}`, `${erase}${run.ports[first!]}\r`);
    for (const name of others) await answer(`Port of ${run.manifest.ports[name]!.description}`, '\r');
    expect(await exited).toBe(0);

    const project = join(parent, 'asked');
    expect(git(project, 'log', '--format=%an')).toBe('create-durable-delivery\n');
    expect((JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { name: string }).name).toBe('asked');
    const portsPackage = join(project, dirname(run.manifest.portsFile), 'package.json');
    expect((JSON.parse(readFileSync(portsPackage, 'utf8')) as { name: string }).name).toMatch(/^@blue\//);
    const ports = JSON.parse(readFileSync(join(project, run.manifest.portsFile), 'utf8')) as Record<
      string,
      { port: number }
    >;
    expect(Object.fromEntries(Object.entries(ports).map(([name, { port }]) => [name, port]))).toEqual({
      ...Object.fromEntries(Object.entries(run.manifest.ports).map(([name, { port }]) => [name, port])),
      [first!]: run.ports[first!],
    });
  });

  it('leaves no half-written folder when Ctrl-C lands mid-way (here: during the first commit)', async () => {
    const stopHere = join(parent, 'hooks');
    const ready = join(parent, 'commit-started');
    mkdirSync(stopHere);
    // A pre-commit hook that says it started, then waits: the scaffold has written every file by then.
    writeFileSync(join(stopHere, 'pre-commit'), `#!/bin/sh\ntouch '${ready}'\nsleep 60\n`);
    chmodSync(join(stopHere, 'pre-commit'), 0o755);
    const env = cleanEnv({
      CI: 'true',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: stopHere,
    });
    // Its own process group, as a terminal's foreground job: Ctrl-C sends SIGINT to every process in it.
    const child = spawn('npx', ['--yes', '--package', run.tarball, 'create-durable-delivery', 'stopped', '--yes'], {
      cwd: parent,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once('close', (code) => resolveExit(code)));
    await eventually(async () => (existsSync(ready) ? true : undefined), 1_200);
    const staging = readdirSync(parent).filter((entry) => entry.startsWith('.stopped-'));
    expect(staging).toHaveLength(1);
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(output).toContain('Stopped (SIGINT): nothing was created at');
    expect(readdirSync(parent).filter((entry) => entry.includes('stopped'))).toEqual([]);
  });
});
