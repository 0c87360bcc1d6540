import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MISDIRECTED_BODY,
  PROMETHEUS_CONTENT_TYPE,
  UNAUTHORIZED_BODY,
  allowedHosts,
  bearerCheck,
  hostAllowed,
} from '@durable-delivery/telemetry';
import { temporal } from '@temporalio/proto';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Promotion } from './versioning';

export interface Readiness {
  readonly ready: boolean;
  /** For a person reading the probe's answer: why it is (not) ready. */
  readonly reason: string;
  readonly state?: string;
  /** When the server last saw this worker poll, by task type. */
  readonly lastPolled?: { readonly workflow?: string; readonly activity?: string };
  /** A versioned worker's build (versioning.ts). */
  readonly version?: { readonly deploymentName: string; readonly buildId: string };
  /** TEMPORAL_WORKER_PROMOTE: whether its build is current yet (versioning.ts). */
  readonly promotion?: Promotion;
}

/**
 * How recent the server's record of this worker's last poll must be. A poll is a long poll: an idle worker's waits
 * up to about a minute on the server before it is answered empty and sent again.
 */
const POLL_FRESHNESS_MS = 2 * 60_000;
/** A readiness probe that cannot ask the server in this time answers "not ready". */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Ready means polling, as the server sees it: the worker is RUNNING and the Temporal server lists this worker's
 * identity among the recent pollers of its task queue, for workflow tasks and for activity tasks. A worker that
 * started but cannot reach the server, is still connecting, or is shutting down (SIGTERM: it stops polling at once)
 * is not ready. Local state alone ("run() was called") would call a worker ready while every poll fails.
 */
export function pollingReadiness(
  worker: Worker,
  connection: NativeConnection,
  target: { namespace: string; taskQueue: string },
): () => Promise<Readiness> {
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  const identity = worker.options.identity;
  const lastPoll = async (taskQueueType: temporal.api.enums.v1.TaskQueueType): Promise<Date | undefined> => {
    const response = await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      connection.workflowService.describeTaskQueue({
        namespace: target.namespace,
        taskQueue: { name: target.taskQueue },
        taskQueueType,
      }),
    );
    const seconds = response.pollers?.find((poller) => poller.identity === identity)?.lastAccessTime?.seconds;
    return seconds === undefined || seconds === null ? undefined : new Date(Number(seconds) * 1000);
  };
  return async () => {
    const state = worker.getState();
    if (state !== 'RUNNING') return { ready: false, state, reason: `the worker is ${state}` };
    let workflow: Date | undefined;
    let activity: Date | undefined;
    try {
      [workflow, activity] = await Promise.all([
        lastPoll(TASK_QUEUE_TYPE_WORKFLOW),
        lastPoll(TASK_QUEUE_TYPE_ACTIVITY),
      ]);
    } catch (error) {
      return { ready: false, state, reason: `cannot ask the Temporal server: ${String(error)}` };
    }
    const lastPolled = { workflow: workflow?.toISOString(), activity: activity?.toISOString() };
    const fresh = (at: Date | undefined) => at !== undefined && Date.now() - at.getTime() < POLL_FRESHNESS_MS;
    if (fresh(workflow) && fresh(activity)) {
      return { ready: true, state, reason: `polling task queue ${target.taskQueue}`, lastPolled };
    }
    return {
      ready: false,
      state,
      reason: `the server has no recent poll from ${identity} on task queue ${target.taskQueue} yet`,
      lastPolled,
    };
  };
}

export interface HealthServer {
  /** host:port it listens on (the real port when the configured one was 0). */
  readonly address: string;
  /** Until this is called, /readyz answers 503 "starting". */
  setReadiness(check: () => Promise<Readiness>): void;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  /** Host names it answers for besides loopback and its bind host (WORKER_ALLOWED_HOSTS, comma-separated). */
  readonly allowedHosts?: string | undefined;
  /** METRICS_TOKEN: what a scrape of /metrics presents; without one /metrics answers nobody. */
  readonly metricsToken?: string | undefined;
  /** host:port of the SDK's own Prometheus endpoint (WORKER_METRICS_ADDRESS, loopback only), relayed at /metrics. */
  readonly metricsAddress?: string | undefined;
}

/**
 * GET /healthz: 200 while the process runs (liveness: restart it only if this stops answering).
 * GET /readyz: 200 while the worker is polling, 503 otherwise, with the reason in a JSON body.
 * GET /metrics: the SDK's Prometheus endpoint relayed, for `Authorization: Bearer <METRICS_TOKEN>` only (the SDK's
 * exporter cannot check a token, so it listens on loopback and this is the way in).
 * Requests for a host name it does not answer for (DNS rebinding) get 421.
 */
export async function startHealthServer(address: string, options: HealthServerOptions = {}): Promise<HealthServer> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const hosts = allowedHosts(host, options.allowedHosts);
  const scraper = bearerCheck(options.metricsToken);
  let readiness: () => Promise<Readiness> = () =>
    Promise.resolve({ ready: false, reason: 'the worker is connecting to Temporal' });
  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    if (!hostAllowed(request.headers.host, hosts)) return answer(421, MISDIRECTED_BODY);
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, { error: 'GET only' });
    if (path === '/healthz') return answer(200, { status: 'ok' });
    if (path === '/metrics') {
      if (!scraper(request.headers.authorization) || !options.metricsAddress) {
        response.setHeader('www-authenticate', 'Bearer');
        return answer(401, UNAUTHORIZED_BODY);
      }
      // node:http, not fetch: the worker traces fetch (undici), and a scrape every few seconds is no trace.
      const upstream = httpGet(`http://${options.metricsAddress}/metrics`, (metrics) => {
        response.writeHead(metrics.statusCode ?? 502, {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'cache-control': 'no-store',
        });
        metrics.pipe(response);
      });
      upstream.on('error', () => answer(503, { error: "the worker's metrics are not available yet" }));
      return;
    }
    if (path === '/readyz') {
      readiness().then(
        (report) => answer(report.ready ? 200 : 503, report),
        (error: unknown) => answer(503, { ready: false, reason: String(error) }),
      );
      return;
    }
    answer(404, { error: `no such endpoint: ${path} (try /healthz, /readyz or /metrics)` });
  });
  const port = Number(address.slice(separator + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    setReadiness(check) {
      readiness = check;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
