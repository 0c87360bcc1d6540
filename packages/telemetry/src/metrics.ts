import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/** The content type of the Prometheus text format that `registry.metrics()` writes. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** A registry with Node's process metrics (CPU, memory, event-loop lag, GC): what every process exposes. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Seconds, for the request-duration histograms: from a 5 ms cache hit to a 10 s payment-provider timeout. */
export const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface HttpRequestMetrics {
  /** Records one answered request; `route` is the route pattern (`/v1/customers/:customerId/stream`), never the URL. */
  observe(request: { method: string; route: string; statusCode: number; seconds: number }): void;
}

/** `http_server_requests_total` and `http_server_request_duration_seconds` by method, route and status code. */
export function httpRequestMetrics(registry: Registry): HttpRequestMetrics {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from request received to response sent, by method, route pattern and status code.',
    labelNames,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [registry],
  });
  return {
    observe({ method, route, statusCode, seconds }) {
      const labels = { method, route, status_code: String(statusCode) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
