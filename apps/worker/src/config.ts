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
/** An empty variable counts as unset (compose and Docker write `VAR=` for a build arg nobody gave). */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
/**
 * What the server accepts in a Worker Deployment Version, kept stricter so a typo shows here, not as a rejected poll:
 * the deployment name may not hold `.` or `:` (the server joins name and build id with them), neither may start
 * with `__` (reserved), and both stay short.
 */
const buildIdSchema = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/,
      'must be 1-128 letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. the git commit)',
    )
    .optional(),
);
const deploymentNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/,
    'must be 1-128 letters, digits, "_" or "-", starting with a letter or digit (no "." or ":")',
  );
const flag = z.preprocess(
  unsetIfEmpty,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
);

/** The Worker Deployment this worker's builds belong to, unless TEMPORAL_WORKER_DEPLOYMENT names another. */
export const DEFAULT_DEPLOYMENT_NAME = 'durable-delivery';

const workerEnvSchema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(ORDER_TASK_QUEUE),
  WORKER_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** How long in-flight activities get to finish after SIGTERM before they are cancelled (and retried elsewhere). */
  WORKER_SHUTDOWN_GRACE_TIME: durationSchema.default(10_000),
  /** How long to keep trying to reach Temporal at start, e.g. while `pnpm dev` is still building the dev server. */
  TEMPORAL_CONNECT_TIMEOUT: durationSchema.default(10 * 60_000),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /**
   * Worker Versioning (docs/versioning.md): set, this worker is one build of a Worker Deployment, and the server
   * keeps each pinned workflow (the order) on the build it started on. Unset, the worker is unversioned.
   */
  TEMPORAL_WORKER_BUILD_ID: buildIdSchema,
  TEMPORAL_WORKER_DEPLOYMENT: deploymentNameSchema.default(DEFAULT_DEPLOYMENT_NAME),
  /** Make this build the deployment's current version once it polls (one machine, compose), unless it was before. */
  TEMPORAL_WORKER_PROMOTE: flag,
  NODE_ENV: z.string().optional(),
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

/** One build of the worker in its Worker Deployment (TEMPORAL_WORKER_BUILD_ID set). */
export interface WorkerVersioning {
  readonly deploymentName: string;
  readonly buildId: string;
  /** TEMPORAL_WORKER_PROMOTE: make this build current once it polls (see versioning.ts). */
  readonly promote: boolean;
}

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
  /** Unset: an unversioned worker (development, tests). */
  readonly versioning?: WorkerVersioning;
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
  const versioning = workerVersioning(vars);
  return {
    connection,
    encryption,
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    logLevel: vars.WORKER_LOG_LEVEL,
    shutdownGraceTimeMs: vars.WORKER_SHUTDOWN_GRACE_TIME,
    connectTimeoutMs: vars.TEMPORAL_CONNECT_TIMEOUT,
    workflowBundlePath: vars.WORKFLOW_BUNDLE_PATH ?? resolve(__dirname, WORKFLOW_BUNDLE),
    maxCachedWorkflows: vars.WORKER_MAX_CACHED_WORKFLOWS,
    ...(versioning ? { versioning } : {}),
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

function workerVersioning(vars: z.output<typeof workerEnvSchema>): WorkerVersioning | undefined {
  if (!vars.TEMPORAL_WORKER_BUILD_ID) {
    // The order workflow carries no patches: an unversioned rolling deploy would replay running orders on changed
    // code and fail them. Production must name its build.
    if (vars.NODE_ENV === 'production') {
      throw new ConfigError(
        'Invalid worker environment:\n  TEMPORAL_WORKER_BUILD_ID: is required in production (the build this worker ' +
          'runs, e.g. the git commit; running orders stay on the build they started on: docs/versioning.md)',
      );
    }
    if (vars.TEMPORAL_WORKER_PROMOTE) {
      throw new ConfigError(
        'Invalid worker environment:\n  TEMPORAL_WORKER_PROMOTE: needs TEMPORAL_WORKER_BUILD_ID (an unversioned worker has no version to make current)',
      );
    }
    return undefined;
  }
  return {
    deploymentName: vars.TEMPORAL_WORKER_DEPLOYMENT,
    buildId: vars.TEMPORAL_WORKER_BUILD_ID,
    promote: vars.TEMPORAL_WORKER_PROMOTE,
  };
}
