#!/usr/bin/env node
// The payment service process: `pnpm dev` starts it on 127.0.0.1:4010 with its ledger in .data/payments/.
import { startTracing } from '@durable-delivery/telemetry';
import { loadConfig } from './config';
import { Faults } from '@durable-delivery/service-kit';
import { Ledger } from './ledger';
import { buildPaymentService } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the first request: the service's spans continue the worker's traces (traceparent), OTLP when configured.
  const tracing = startTracing({ serviceName: 'payments' });
  const ledger = new Ledger(config.dbFilename);
  const app = buildPaymentService({
    ledger,
    faults: new Faults(config.faults),
    apiKey: config.apiKey,
    allowedHosts: config.allowedHosts,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    logger: true,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { ledger: config.dbFilename, hosts: [...config.allowedHosts] },
    `payment service listening at ${address}`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Answer what is in flight, then close the database: every stored answer is already committed.
      void app
        .close()
        .then(() => ledger.close())
        .then(() => tracing.shutdown());
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
