#!/usr/bin/env node
// The codec server process: `pnpm dev` starts it on 127.0.0.1:4040 and points the dev server's Web UI at it.
import { loadConfig } from './config';
import { buildCodecServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = buildCodecServer({ ...config, logger: true });
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { allowedOrigins: config.allowedOrigins, keyIds: [...config.keyring.byId.keys()] },
    `codec server listening at ${address}; operators sign in at ${address}/ for the Web UI`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void app.close());
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
