import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir } from '@durable-delivery/jest-config/temp-dir';
import { cleanEnv, scaffoldRun } from './processes';

/**
 * Removes the packed tarball and the copies, and npx's install of that tarball: its cache keeps one folder per
 * package spec, and each run's tarball has a path of its own, so they would pile up.
 */
export default function removeWork(): void {
  if (!process.env.CREATE_DURABLE_DELIVERY_RUN) return;
  const run = scaffoldRun();
  const npxDir = join(
    execFileSync('npm', ['config', 'get', 'cache'], { env: cleanEnv(), encoding: 'utf8' }).trim(),
    '_npx',
  );
  for (const entry of readdirSync(npxDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      const manifest = JSON.parse(readFileSync(join(npxDir, entry.name, 'package.json'), 'utf8')) as {
        _npx?: { packages?: string[] };
      };
      if (manifest._npx?.packages?.includes(run.tarball))
        rmSync(join(npxDir, entry.name), { recursive: true, force: true });
    } catch {
      // Not an npx install folder this run made.
    }
  }
  removeTempDir(run.work);
}
