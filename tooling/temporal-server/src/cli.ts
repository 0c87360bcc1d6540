#!/usr/bin/env node
// `provision` builds whatever is missing (minutes, once), so that later runs start at once (`provision cli`: only the
// CLI and the Web UI server, which is all `npm run dev` needs; the test server is for tests); `provision-server` does
// the same for the full Temporal server and its SQL tool (what the PostgreSQL-backed stack runs); `which` only looks;
// `temporal ARGS…` runs the Temporal CLI this project uses (`pnpm temporal workflow list`), wherever it came from.
import { spawn } from 'node:child_process';
import {
  type BinaryResolution,
  resolveTemporalCli,
  resolveTemporalServer,
  resolveTemporalUiServer,
  resolveTestServer,
} from './index';

async function main([command, ...rest]: string[]): Promise<number> {
  if (command === 'temporal') return runTemporal(rest);
  if (command === 'provision-server') {
    const { server, sqlTool } = await resolveTemporalServer();
    console.log(`temporal-server: ${server}\ntemporal-sql-tool: ${sqlTool}`);
    return 0;
  }
  if (command !== 'provision' && command !== 'which') {
    console.error('usage: node dist/cli.js <provision [cli|test-server]|provision-server|which|temporal ARGS…>');
    return 2;
  }
  const options = { build: command === 'provision' };
  const only = rest[0];
  if (only !== undefined && only !== 'cli' && only !== 'test-server') {
    console.error(`usage: node dist/cli.js ${command} [cli|test-server]`);
    return 2;
  }
  if (only !== 'test-server') {
    print('temporal', await resolveTemporalCli(options));
    // Optional: without it the dev server serves its own Web UI, whose codec credentials operators set by hand.
    const ui = await resolveTemporalUiServer(options).catch((error: Error) => error);
    console.log(
      typeof ui === 'string'
        ? `temporal-ui-server: ${ui}`
        : `temporal-ui-server: none (the dev server's own Web UI is used instead)\n${ui.message}`,
    );
  }
  if (only !== 'cli') print('temporal-test-server', await resolveTestServer(options));
  return 0;
}

async function runTemporal(args: string[]): Promise<number> {
  const resolution = await resolveTemporalCli({ allowSdkDownload: false });
  if (resolution.kind !== 'path') throw resolution.notFound('the SDK download only starts servers; it gives no CLI');
  const child = spawn(resolution.path, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

function print(name: string, resolution: BinaryResolution) {
  console.log(
    resolution.kind === 'path'
      ? `${name}: ${resolution.path} (${resolution.source})`
      : `${name}: none here; the Temporal SDK will download it when first needed (online only)`,
  );
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
