import {
  PROMETHEUS_CONTENT_TYPE,
  UNAUTHORIZED_BODY,
  bearerCheck,
  processRegistry,
  type Registry,
} from '@durable-delivery/telemetry';
import { apiMetrics, type ApiMetrics } from '../metrics';
import type { AppConfig } from './config';
import { temporalClient } from './temporal';

// One registry per process, kept on globalThis for the same reason as the Temporal client: `next dev` re-evaluates
// modules on edits, and each evaluation would register the metrics again.
const METRICS_KEY = Symbol.for('durable-delivery.api-metrics');
type Holder = { [METRICS_KEY]?: { registry: Registry; api: ApiMetrics } };

/** The process's metrics: Node's process metrics and the API's per-procedure counters and durations. */
export function appMetrics(): { registry: Registry; api: ApiMetrics } {
  const holder = globalThis as Holder;
  if (!holder[METRICS_KEY]) {
    const registry = processRegistry();
    holder[METRICS_KEY] = { registry, api: apiMetrics(registry) };
  }
  return holder[METRICS_KEY];
}

type Handler = (request: Request) => Promise<Response>;

/** How long readiness waits for Temporal before answering "not ready". */
const READY_TIMEOUT_MS = 3_000;

/**
 * What each app mounts for operators (app/api/{healthz,readyz,metrics}/route.ts):
 *   GET /api/healthz  200 while the server runs (liveness; reads no configuration)
 *   GET /api/readyz   200 when the configuration is valid and Temporal answers within 3 s, 503 with the reason
 *   GET /api/metrics  Prometheus text: trpc_requests_total, trpc_request_duration_seconds, process metrics; only
 *                     with `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise, and always without a token)
 */
export function operationsHandlers(config: () => AppConfig): { healthz: Handler; readyz: Handler; metrics: Handler } {
  const json = (status: number, body: unknown) =>
    Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
  return {
    healthz: () => Promise.resolve(json(200, { status: 'ok' })),
    async readyz() {
      let settings: AppConfig;
      try {
        settings = config();
      } catch (error) {
        return json(503, { ready: false, reason: errorMessage(error) });
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
        });
        const reachTemporal = async () => {
          const client = await temporalClient(settings);
          await client.workflowService.getSystemInfo({});
        };
        await Promise.race([reachTemporal(), timeout]);
        return json(200, { ready: true });
      } catch (error) {
        return json(503, { ready: false, reason: `Temporal is not reachable: ${errorMessage(error)}` });
      } finally {
        clearTimeout(timer);
      }
    },
    async metrics(request) {
      let token: string | undefined;
      try {
        token = config().metricsToken;
      } catch {
        token = undefined;
      }
      if (!bearerCheck(token)(request.headers.get('authorization'))) {
        return Response.json(UNAUTHORIZED_BODY, {
          status: 401,
          headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer' },
        });
      }
      const { registry } = appMetrics();
      return new Response(await registry.metrics(), {
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
      });
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
