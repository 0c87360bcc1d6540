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

/**
 * A request counter and a duration histogram over the same labels (`<name>_total`, `<name>_duration_seconds`):
 * what every server here records per answered request. Returns the function that records one.
 */
export function requestMetrics<L extends string>(
  registry: Registry,
  spec: { name: string; what: string; labelNames: readonly L[] },
): (labels: Record<L, string>, seconds: number) => void {
  const requests = new Counter({
    name: `${spec.name}s_total`,
    help: `${spec.what} answered, by ${spec.labelNames.join(', ')}.`,
    labelNames: spec.labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${spec.name}_duration_seconds`,
    help: `Time to answer ${spec.what}, by ${spec.labelNames.join(', ')}.`,
    labelNames: spec.labelNames,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [registry],
  });
  return (labels, seconds) => {
    requests.inc(labels as Partial<Record<L, string>>);
    duration.observe(labels as Partial<Record<L, string>>, seconds);
  };
}

export interface HttpRequestMetrics {
  /** Records one answered request; `route` is the route pattern (`/v1/customers/:customerId/stream`), never the URL. */
  observe(request: { method: string; route: string; statusCode: number; seconds: number }): void;
}

/** `http_server_requests_total` and `http_server_request_duration_seconds` by method, route and status code. */
export function httpRequestMetrics(registry: Registry): HttpRequestMetrics {
  const record = requestMetrics(registry, {
    name: 'http_server_request',
    what: 'HTTP requests',
    labelNames: ['method', 'route', 'status_code'],
  });
  return {
    observe: ({ method, route, statusCode, seconds }) =>
      record({ method, route, status_code: String(statusCode) }, seconds),
  };
}
