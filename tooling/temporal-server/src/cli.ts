#!/usr/bin/env node
// `provision` builds whatever is missing (minutes, once), so that later runs start at once; `which` only looks.
import { type BinaryResolution, resolveTemporalCli, resolveTestServer } from './index';

async function main(command: string | undefined): Promise<number> {
  if (command !== 'provision' && command !== 'which') {
    console.error('usage: node dist/cli.js <provision|which>');
    return 2;
  }
  const options = { build: command === 'provision' };
  print('temporal', await resolveTemporalCli(options));
  print('temporal-test-server', await resolveTestServer(options));
  return 0;
}

function print(name: string, resolution: BinaryResolution) {
  console.log(
    resolution.kind === 'path'
      ? `${name}: ${resolution.path} (${resolution.source})`
      : `${name}: none here; the Temporal SDK will download it when first needed (online only)`,
  );
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
