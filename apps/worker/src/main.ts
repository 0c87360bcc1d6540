// The worker process: connect, create, run until SIGINT/SIGTERM, close.
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config';
import { pollingReadiness, startHealthServer } from './health';
import { jsonLogger } from './logger';
import { runtimeTelemetry, startWorkerObservability } from './telemetry';
import { promoteWhenPolling, versionedReadiness } from './versioning';
import { connect, createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = jsonLogger(config.logLevel);
  const observability = startWorkerObservability();
  // The SDK shuts the worker down gracefully on these signals: it stops polling, lets in-flight activities finish
  // within the grace time, and worker.run() resolves.
  Runtime.install({ logger, shutdownSignals: ['SIGINT', 'SIGTERM'], telemetryOptions: runtimeTelemetry(config) });
  if (!config.encryption.encryptingKeyId) {
    logger.warn(
      'PAYLOAD_ENCRYPTION_KEYS is not set: this worker writes payloads in plain text (refused in production)',
    );
  }
  // Up before connecting: connecting may take minutes (the server starting), and liveness must answer meanwhile.
  const health = await startHealthServer(config.healthAddress, {
    allowedHosts: config.allowedHosts,
    metricsToken: config.metricsToken,
    metricsAddress: config.metricsAddress,
  });
  logger.info('health endpoints listening', { address: health.address, metricsAddress: config.metricsAddress });
  try {
    const connection = await connect(config, logger);
    try {
      const worker = await createWorker(config, connection, observability.workerOptions);
      const { versioning } = config;
      const stopping = new AbortController();
      // Started before the poll it waits for; it retries until the server has seen this build poll.
      const promotion = versioning?.promote
        ? promoteWhenPolling(connection, versioning, {
            namespace: config.connection.namespace,
            identity: worker.options.identity,
            log: logger,
            signal: stopping.signal,
          })
        : undefined;
      health.setReadiness(
        versionedReadiness(
          pollingReadiness(worker, connection, {
            namespace: config.connection.namespace,
            taskQueue: config.taskQueue,
          }),
          versioning,
          promotion?.current,
        ),
      );
      logger.info('worker started', {
        address: config.connection.connectionOptions.address,
        namespace: config.connection.namespace,
        taskQueue: config.taskQueue,
        identity: worker.options.identity,
        encryptionKeyId: config.encryption.encryptingKeyId ?? null,
        deploymentName: versioning?.deploymentName ?? null,
        buildId: versioning?.buildId ?? null,
      });
      try {
        await worker.run();
      } finally {
        stopping.abort();
        await promotion?.settled;
      }
      logger.info('worker stopped');
    } finally {
      await connection.close();
    }
  } finally {
    await health.close();
    await observability.tracing.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
