#!/usr/bin/env node
// `next-on-port <port name> <dev|start> [options]`: runs the app in the current folder on the port of that name in
// @durable-delivery/ports (so the apps' `dev` and `start` scripts take their ports from the same file as every other
// local process): `dev` with the Next.js CLI, `start` with the apps' production server (./serve.mjs).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { portOf } from '@durable-delivery/ports';
import { serve } from './serve.mjs';

const [name, ...nextArgs] = process.argv.slice(2);
if (!name || nextArgs.length === 0) {
  console.error('usage: next-on-port <port name> <dev|start> [next options]');
  process.exit(2);
}
const port = portOf(name);
// The app reads its own port and origins (APP_ORIGINS: the only host names it answers, the only origins that may
// change state). The apps' scripts bind 127.0.0.1, so the loopback names are all it can be reached at; a deployment
// sets APP_ORIGINS to its public origins instead.
process.env.PORT = String(port);
process.env.APP_ORIGINS ||= `http://localhost:${port},http://127.0.0.1:${port}`;
if (nextArgs[0] === 'start') {
  // Production: the apps' own server (./serve.mjs), Next's handler behind the front gate. Takes --hostname only.
  const { values } = parseArgs({ args: nextArgs.slice(1), options: { hostname: { type: 'string', short: 'H' } } });
  process.title = `next-serve ${name}`;
  await serve({ port, hostname: values.hostname ?? 'localhost' });
} else {
  runNextCli();
}

function runNextCli() {
  const requireFromApp = createRequire(join(process.cwd(), 'package.json'));
  const nextCli = requireFromApp.resolve('next/dist/bin/next');
  // Next's CLI parses process.argv. Running it in this process, rather than as a child, leaves signals (Ctrl-C,
  // Turborepo's SIGTERM) and the exit code exactly as `next` has them.
  process.argv = [process.argv[0], nextCli, ...nextArgs, '--port', String(port)];
  requireFromApp(nextCli);
}
