#!/usr/bin/env node
// The notification service process: `pnpm dev` starts it on 127.0.0.1:4020 with its inbox in .data/notifications/;
// with NOTIFICATIONS_DATABASE_URL its inbox is in PostgreSQL, and any number of replicas share it.
import { Faults } from '@durable-delivery/service-kit';
import { startTracing } from '@durable-delivery/telemetry';
import { loadConfig } from './config';
import { openInbox } from './open-inbox';
import { keepNotificationsFor } from './retention';
import { buildNotificationService } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the first request: the service's spans continue the worker's traces (traceparent), OTLP when configured.
  const tracing = startTracing({ serviceName: 'notifications' });
  const inbox = await openInbox(config.store);
  const retention = keepNotificationsFor(inbox, config.retentionMs);
  const app = buildNotificationService({
    inbox,
    faults: new Faults(config.faults),
    apiKey: config.apiKey,
    allowedHosts: config.allowedHosts,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    logger: true,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  // Where the inbox is, never the database URL itself (it may carry a password).
  const { store } = config;
  const where =
    store.kind === 'postgres' ? `postgres://${new URL(store.url).host}${new URL(store.url).pathname}` : store.file;
  app.log.info({ inbox: where }, `notification service listening at ${address}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Open streams would hold close() forever: end them; pages reconnect and resume from their last event.
      void app
        .close()
        .then(() => retention.stop())
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
