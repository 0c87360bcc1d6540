import { resolve } from 'node:path';
import { loadPayloadEncryption, type PayloadEncryption } from '@durable-delivery/codec';
import {
  ORDER_TASK_QUEUE,
  durationSchema,
  loadTemporalConnection,
  type TemporalConnection,
} from '@durable-delivery/workflows';
import { z } from 'zod';
import { WORKFLOW_BUNDLE } from './bundles';

/**
 * The worker's whole configuration, read and validated once at start: a bad variable stops the process with a
 * message naming it, never deep inside an activity. Connection settings (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE) are Temporal's own environment
 * configuration, so the same build runs against the dev server, a self-hosted cluster or Temporal Cloud.
 */
const rate = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const millis = z.coerce.number().int('must be a whole number of milliseconds').min(0);
/** `host:port` (`[::1]:9464` for IPv6); port 0 takes any free port (tests). */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
  .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65535, 'the port must be at most 65535');

const workerEnvSchema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(ORDER_TASK_QUEUE),
  WORKER_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** How long in-flight activities get to finish after SIGTERM before they are cancelled (and retried elsewhere). */
  WORKER_SHUTDOWN_GRACE_TIME: durationSchema.default(10_000),
  /** How long to keep trying to reach Temporal at start, e.g. while `pnpm dev` is still building the dev server. */
  TEMPORAL_CONNECT_TIMEOUT: durationSchema.default(10 * 60_000),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /**
   * How many workflows stay in memory between their tasks. An order spends most of its life waiting (for a driver,
   * for delivery, for a rating), so caching every open order costs memory for nothing: past this many, the least
   * recently used one is evicted and, at its next task, rebuilt by replaying its short history (a few dozen events).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 (no cache) or more')
    .default(500),
  /**
   * The SDK's Prometheus endpoint: runtime metrics and the order counters. It cannot check a token, so it is
   * loopback only; scrapes go to the health address's /metrics, which relays it behind METRICS_TOKEN.
   */
  WORKER_METRICS_ADDRESS: listenAddress
    .refine(
      (address) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(address),
      "must be a loopback address (e.g. 127.0.0.1:9464): scrape the health address's /metrics with METRICS_TOKEN instead",
    )
    .default('127.0.0.1:9464'),
  /** GET /healthz (the process is up), GET /readyz (the server sees this worker polling), GET /metrics (token). */
  WORKER_HEALTH_ADDRESS: listenAddress.default('127.0.0.1:9465'),
  /** Host names the health address answers for besides loopback and its bind host, comma-separated. */
  WORKER_ALLOWED_HOSTS: z.string().optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The payment service (apps/payments), e.g. http://127.0.0.1:4010; unset: the in-process simulator. */
  PAYMENTS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  PAYMENTS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long one call to the payment service may take before it counts as failed and is retried. */
  PAYMENTS_TIMEOUT: durationSchema.default(10_000),
  PAYMENTS_ERROR_RATE: rate.default(0),
  PAYMENTS_LATENCY_MS: millis.default(0),
  /** The notification service (apps/notifications), e.g. http://127.0.0.1:4020; unset: the in-process simulator. */
  NOTIFICATIONS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  NOTIFICATIONS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  NOTIFICATIONS_TIMEOUT: durationSchema.default(5_000),
  NOTIFICATIONS_ERROR_RATE: rate.default(0),
  NOTIFICATIONS_LATENCY_MS: millis.default(0),
});

export interface WorkerConfig {
  readonly connection: TemporalConnection;
  /** PAYLOAD_ENCRYPTION_KEYS: the data converter every history this worker writes and reads goes through. */
  readonly encryption: PayloadEncryption;
  readonly taskQueue: string;
  readonly logLevel: z.output<typeof workerEnvSchema>['WORKER_LOG_LEVEL'];
  readonly shutdownGraceTimeMs: number;
  readonly connectTimeoutMs: number;
  readonly workflowBundlePath: string;
  readonly maxCachedWorkflows: number;
  readonly metricsAddress: string;
  readonly healthAddress: string;
  readonly allowedHosts?: string;
  readonly metricsToken?: string;
  readonly payments: {
    readonly url?: string;
    readonly apiKey?: string;
    readonly timeoutMs: number;
    readonly errorRate: number;
    readonly latencyMs: number;
  };
  readonly notifications: {
    readonly url?: string;
    readonly apiKey?: string;
    readonly timeoutMs: number;
    readonly errorRate: number;
    readonly latencyMs: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = workerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid worker environment:\n${problems.join('\n')}`);
  }
  let connection: TemporalConnection;
  let encryption: PayloadEncryption;
  try {
    connection = loadTemporalConnection(env);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  try {
    encryption = loadPayloadEncryption(env);
  } catch (error) {
    throw new ConfigError(`Invalid worker environment:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  const vars = parsed.data;
  // The services answer no caller without their key: a URL without its key is a worker whose every call fails.
  for (const service of ['PAYMENTS', 'NOTIFICATIONS'] as const) {
    if (vars[`${service}_URL`] && !vars[`${service}_API_KEY`]) {
      throw new ConfigError(
        `Invalid worker environment:\n  ${service}_API_KEY: is required with ${service}_URL (the key the service was given)`,
      );
    }
  }
  return {
    connection,
    encryption,
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    logLevel: vars.WORKER_LOG_LEVEL,
    shutdownGraceTimeMs: vars.WORKER_SHUTDOWN_GRACE_TIME,
    connectTimeoutMs: vars.TEMPORAL_CONNECT_TIMEOUT,
    workflowBundlePath: vars.WORKFLOW_BUNDLE_PATH ?? resolve(__dirname, WORKFLOW_BUNDLE),
    maxCachedWorkflows: vars.WORKER_MAX_CACHED_WORKFLOWS,
    metricsAddress: vars.WORKER_METRICS_ADDRESS,
    healthAddress: vars.WORKER_HEALTH_ADDRESS,
    ...(vars.WORKER_ALLOWED_HOSTS ? { allowedHosts: vars.WORKER_ALLOWED_HOSTS } : {}),
    ...(vars.METRICS_TOKEN ? { metricsToken: vars.METRICS_TOKEN } : {}),
    payments: {
      ...(vars.PAYMENTS_URL ? { url: vars.PAYMENTS_URL } : {}),
      ...(vars.PAYMENTS_API_KEY ? { apiKey: vars.PAYMENTS_API_KEY } : {}),
      timeoutMs: vars.PAYMENTS_TIMEOUT,
      errorRate: vars.PAYMENTS_ERROR_RATE,
      latencyMs: vars.PAYMENTS_LATENCY_MS,
    },
    notifications: {
      ...(vars.NOTIFICATIONS_URL ? { url: vars.NOTIFICATIONS_URL } : {}),
      ...(vars.NOTIFICATIONS_API_KEY ? { apiKey: vars.NOTIFICATIONS_API_KEY } : {}),
      timeoutMs: vars.NOTIFICATIONS_TIMEOUT,
      errorRate: vars.NOTIFICATIONS_ERROR_RATE,
      latencyMs: vars.NOTIFICATIONS_LATENCY_MS,
    },
  };
}
