#!/usr/bin/env node
// `pnpm stack:postgres`: the full Temporal server on a private PostgreSQL cluster, in the foreground, on ports of its
// own (so it runs beside `pnpm dev`'s dev server). Data stays in .data/temporal-postgres/ across runs; Ctrl-C stops
// both. Point the app at it by configuration alone: TEMPORAL_ADDRESS=127.0.0.1:7333 pnpm start.
import { resolve } from 'node:path';
import { portsAround, startTemporalCluster } from './cluster';

const DEFAULT_STATE_DIR = resolve(__dirname, '../../../.data/temporal-postgres');

function portFromEnv(name: string, fallback: number, [min, max] = [1024, 65535]): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < min || port > max) {
    throw new Error(`${name} must be a port number from ${min} to ${max}, got "${raw}"`);
  }
  return port;
}

async function main(): Promise<number> {
  // The other service ports sit up to 300 below the frontend's and 10 above it (see portsAround), and membership
  // ports must stay below 32768 (PostgreSQL keeps them in a smallint).
  const frontend = portFromEnv('STACK_TEMPORAL_PORT', 7333, [1324, 32767]);
  const cluster = await startTemporalCluster({
    stateDir: process.env.STACK_POSTGRES_DIR || DEFAULT_STATE_DIR,
    postgresPort: portFromEnv('STACK_POSTGRES_PORT', 7432),
    ports: portsAround(frontend),
    namespace: process.env.STACK_TEMPORAL_NAMESPACE || 'default',
    metricsAddress: `127.0.0.1:${portFromEnv('STACK_TEMPORAL_METRICS_PORT', 9333)}`,
    logLevel: 'warn',
    log: (line) => console.log(line),
  });
  console.log(
    [
      `Temporal server ${cluster.address} (namespace "${cluster.namespace}") on PostgreSQL 127.0.0.1:${cluster.postgresPort}`,
      `Server metrics: http://127.0.0.1:${portFromEnv('STACK_TEMPORAL_METRICS_PORT', 9333)}/metrics`,
      `Run the app on it:   TEMPORAL_ADDRESS=${cluster.address} pnpm start`,
      `Add a worker:        TEMPORAL_ADDRESS=${cluster.address} pnpm --filter @durable-delivery/worker start`,
    ].join('\n'),
  );
  const stopped = new Promise<'signal'>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done('signal'));
  });
  const why = await Promise.race([stopped, cluster.serverExited()]);
  if (why !== 'signal') console.error(`the Temporal server exited (${why ?? 'by a signal'}); stopping PostgreSQL`);
  else console.log('stopping the Temporal server and PostgreSQL…');
  await cluster.stop();
  return why === 'signal' ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
