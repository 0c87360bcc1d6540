#!/usr/bin/env node
// `npm run temporal:dev` (and the Temporal half of `npm run dev`): a local Temporal dev server with this project's
// search attributes, orders persisted in .data/temporal/dev.sqlite, and the Web UI for operators.
import { codecServerUi, DEFAULT_DB_FILENAME, DEFAULT_PORT, DEFAULT_UI_PORT, startProjectDevServer } from './index';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return port;
}

async function main(): Promise<number> {
  const server = await startProjectDevServer({
    port: portFromEnv('TEMPORAL_DEV_PORT', DEFAULT_PORT),
    uiPort: portFromEnv('TEMPORAL_DEV_UI_PORT', DEFAULT_UI_PORT),
    dbFilename: process.env.TEMPORAL_DEV_DB || DEFAULT_DB_FILENAME,
    // `npm run dev` points the Web UI at the codec server it starts, so operators can read encrypted payloads.
    ...(process.env.TEMPORAL_DEV_UI_CODEC_ENDPOINT
      ? { uiCodec: codecServerUi(process.env.TEMPORAL_DEV_UI_CODEC_ENDPOINT) }
      : {}),
    log: (line) => console.log(line),
  });
  console.log(`Temporal dev server ready at ${server.address} (namespace "default")`);
  if (server.uiUrl) console.log(`Temporal Web UI: ${server.uiUrl}`);
  if (server.uiUrl && process.env.TEMPORAL_DEV_UI_CODEC_ENDPOINT) {
    console.log(`Web UI decodes payloads with the codec server at ${process.env.TEMPORAL_DEV_UI_CODEC_ENDPOINT}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.stop());
  }
  const code = await server.exited;
  return code ?? 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
