#!/usr/bin/env node
// The notification service process: `pnpm dev` starts it on 127.0.0.1:4020 with its inbox in .data/notifications/.
import { Faults } from '@durable-delivery/service-kit';
import { startTracing } from '@durable-delivery/telemetry';
import { loadConfig } from './config';
import { Inbox } from './inbox';
import { buildNotificationService } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the first request: the service's spans continue the worker's traces (traceparent), OTLP when configured.
  const tracing = startTracing({ serviceName: 'notifications' });
  const inbox = new Inbox(config.dbFilename);
  const app = buildNotificationService({
    inbox,
    faults: new Faults(config.faults),
    apiKey: config.apiKey,
    allowedHosts: config.allowedHosts,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    logger: true,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info({ inbox: config.dbFilename }, `notification service listening at ${address}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Open streams would hold close() forever: end them; pages reconnect and resume from their last event.
      void app
        .close()
        .then(() => inbox.close())
        .then(() => tracing.shutdown());
      app.server.closeAllConnections();
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
