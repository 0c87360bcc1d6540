// The worker process: connect, create, run until SIGINT/SIGTERM, close.
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config';
import { jsonLogger } from './logger';
import { connect, createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = jsonLogger(config.logLevel);
  // The SDK shuts the worker down gracefully on these signals: it stops polling, lets in-flight activities finish
  // within the grace time, and worker.run() resolves.
  Runtime.install({ logger, shutdownSignals: ['SIGINT', 'SIGTERM'] });
  if (!config.encryption.encryptingKeyId) {
    logger.warn(
      'PAYLOAD_ENCRYPTION_KEYS is not set: this worker writes payloads in plain text (refused in production)',
    );
  }
  const connection = await connect(config, logger);
  try {
    const worker = await createWorker(config, connection);
    logger.info('worker started', {
      address: config.connection.connectionOptions.address,
      namespace: config.connection.namespace,
      taskQueue: config.taskQueue,
      encryptionKeyId: config.encryption.encryptingKeyId ?? null,
    });
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
