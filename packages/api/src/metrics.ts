import { Counter, Histogram, REQUEST_SECONDS_BUCKETS, type Registry } from '@durable-delivery/telemetry';

/** What the API records per procedure call; the apps' handlers pass one in through the context. */
export interface ApiMetrics {
  observe(call: { procedure: string; type: string; code: string; seconds: number }): void;
}

/**
 * `trpc_requests_total` and `trpc_request_duration_seconds` by procedure (`orders.create`), type (query or
 * mutation) and result code (`OK` or the tRPC error code: `NOT_FOUND`, `CONFLICT`, `BAD_REQUEST`, …).
 */
export function apiMetrics(registry: Registry): ApiMetrics {
  const labelNames = ['procedure', 'type', 'code'] as const;
  const calls = new Counter({
    name: 'trpc_requests_total',
    help: 'tRPC procedure calls answered, by procedure, type and result code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'trpc_request_duration_seconds',
    help: 'Time to answer a tRPC procedure call (checkout includes waiting for the charge), by procedure and code.',
    labelNames,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [registry],
  });
  return {
    observe({ procedure, type, code, seconds }) {
      const labels = { procedure, type, code };
      calls.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
