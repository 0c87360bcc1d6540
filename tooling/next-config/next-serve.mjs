#!/usr/bin/env node
// `next-serve [--port N] [--hostname H]`, in an app's folder: the app's production server (./serve.mjs), where the
// deployment image and the test stacks start it. PORT and HOSTNAME are read when the options are not given.
import { parseArgs } from 'node:util';
import { serve } from './serve.mjs';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' } },
});
process.title = `next-serve ${process.cwd().split('/').at(-1)}`;
await serve({
  port: Number(values.port ?? process.env.PORT ?? 3000),
  hostname: values.hostname ?? process.env.HOSTNAME ?? 'localhost',
});
