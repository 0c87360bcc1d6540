import {
  createActivities,
  HttpNotificationsClient,
  HttpPaymentsClient,
  SimulatedNotifications,
  SimulatedPayments,
  type NotificationsClient,
  type PaymentsClient,
} from '@durable-delivery/activities';
import type { WorkerTelemetry } from '@durable-delivery/telemetry/temporal-worker';
import { workerDataConverter } from '@durable-delivery/codec';
import { temporalLoyalty, temporalPasses } from '@durable-delivery/workflows';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type Logger } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { workerDeploymentOptions } from './versioning';

/**
 * Connects to Temporal, retrying while the server is not up yet (a worker may start before its server, as under
 * `pnpm dev`), until the configured timeout.
 */
export async function connect(config: WorkerConfig, log: Logger): Promise<NativeConnection> {
  const deadline = Date.now() + config.connectTimeoutMs;
  const address = config.connection.connectionOptions.address;
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect(config.connection.connectionOptions);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        log.warn(`Temporal is not reachable at ${address} yet; retrying`, { error: String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 3_000)));
    }
  }
}

/**
 * The worker: the prebuilt workflow bundle (no webpack at start), the activities with their clients, and the
 * tracing interceptors and sinks (see telemetry.ts; the bundle has the workflow side built in). The loyalty and pass
 * ports are the customers' own workflows, reached through a client on the worker's own connection (new loyalty
 * workflows start on the worker's task queue), with the worker's payload encryption.
 */
export async function createWorker(
  config: WorkerConfig,
  connection: NativeConnection,
  telemetry: WorkerTelemetry,
): Promise<Worker> {
  // The services over HTTP when their URLs are set; otherwise in-process simulators with the same contracts (see the
  // services' contract tests), whose faults are set by env vars.
  const payments: PaymentsClient = config.payments.url
    ? new HttpPaymentsClient({
        baseUrl: config.payments.url,
        ...(config.payments.apiKey ? { apiKey: config.payments.apiKey } : {}),
        timeoutMs: config.payments.timeoutMs,
      })
    : new SimulatedPayments({ faults: config.payments });
  const notifications: NotificationsClient = config.notifications.url
    ? new HttpNotificationsClient({
        baseUrl: config.notifications.url,
        ...(config.notifications.apiKey ? { apiKey: config.notifications.apiKey } : {}),
        timeoutMs: config.notifications.timeoutMs,
      })
    : new SimulatedNotifications({ faults: config.notifications });
  // Encrypted like everything the worker writes: the loyalty and pass updates carry customer data.
  const temporal = new Client({
    connection,
    namespace: config.connection.namespace,
    dataConverter: config.encryption.dataConverter,
  });
  return Worker.create({
    connection,
    namespace: config.connection.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: config.workflowBundlePath },
    activities: createActivities({
      payments,
      notifications,
      loyalty: temporalLoyalty(temporal, { taskQueue: config.taskQueue }),
      passes: temporalPasses(temporal),
    }),
    shutdownGraceTime: config.shutdownGraceTimeMs,
    maxCachedWorkflows: config.maxCachedWorkflows,
    // TEMPORAL_WORKER_BUILD_ID: one build of the Worker Deployment, running orders pinned to their build.
    ...workerDeploymentOptions(config.versioning),
    ...telemetry,
    // The codec runs here, outside the sandbox; the failure converter is also in the prebuilt bundle (see build).
    dataConverter: workerDataConverter(config.encryption),
  });
}
