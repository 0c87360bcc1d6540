// Packs the package with `pnpm pack` (its prepack puts the app in) and runs the tarball through npx, as a person
// would from the registry, into a temporary folder: no terminal (stdin is not a TTY), CI=true, other ports than the
// defaults and another scope. The test files read what happened from the file named in CREATE_DURABLE_DELIVERY_RUN.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@durable-delivery/jest-config/temp-dir';
import { freePort } from '@durable-delivery/temporal-server';
import type { TemplateManifest } from '../src/manifest';
import { portFlag } from '../src/options';
import { cleanEnv, packageDir, pnpmCommand, type ScaffoldRun } from './processes';

export default async function packAndCreate(): Promise<void> {
  // Removed by global-teardown.ts, which finds it in the run file.
  const work = makeTempDir('create-durable-delivery-test-').path;
  const timings: Record<string, number> = {};

  let started = Date.now();
  const pnpm = pnpmCommand();
  const pack = spawnSync(pnpm.command, [...pnpm.args, 'pack', '--pack-destination', work], {
    cwd: packageDir,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  timings.packMs = Date.now() - started;
  if (pack.status !== 0) throw new Error(`pnpm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  const tarball = join(
    work,
    readdirSync(work).find((file) => file.endsWith('.tgz'))!,
  );
  const manifest = JSON.parse(readFileSync(join(packageDir, 'template', 'manifest.json'), 'utf8')) as TemplateManifest;

  const ports: Record<string, number> = {};
  // Free loopback ports, never fixed ones, so that the copy's stack can run beside anything else.
  for (const name of Object.keys(manifest.ports)) ports[name] = await freePort();
  const flags = Object.entries(ports).flatMap(([name, port]) => [`--${portFlag(name)}`, String(port)]);
  const projectName = 'acme-shop';
  started = Date.now();
  const create = spawnSync(
    'npx',
    ['--yes', '--package', tarball, 'create-durable-delivery', projectName, '--yes', '--scope', 'acme', ...flags],
    { cwd: work, env: cleanEnv({ CI: 'true' }), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  timings.npxCreateMs = Date.now() - started;

  const run: ScaffoldRun = {
    work,
    tarball,
    manifest,
    projectName,
    project: join(work, projectName),
    scope: 'acme',
    ports,
    status: create.status,
    signal: create.signal,
    stdout: create.stdout,
    stderr: create.stderr,
    timings,
  };
  const runFile = join(work, 'run.json');
  writeFileSync(runFile, JSON.stringify(run));
  process.env.CREATE_DURABLE_DELIVERY_RUN = runFile;
  console.log(
    `\ncreate-durable-delivery: pnpm pack ${timings.packMs} ms; npx create + install ${timings.npxCreateMs} ms`,
  );
}
