import { requestMetrics, type Registry } from '@durable-delivery/telemetry';

/** What the API records per procedure call; the apps' handlers pass one in through the context. */
export interface ApiMetrics {
  observe(call: { procedure: string; type: string; code: string; seconds: number }): void;
}

/**
 * `trpc_requests_total` and `trpc_request_duration_seconds` by procedure (`orders.createOrder`), type (query or
 * mutation) and result code (`OK` or the tRPC error code: `NOT_FOUND`, `CONFLICT`, `BAD_REQUEST`, …). Checkout's
 * duration includes waiting for the charge.
 */
export function apiMetrics(registry: Registry): ApiMetrics {
  const record = requestMetrics(registry, {
    name: 'trpc_request',
    what: 'tRPC procedure calls',
    labelNames: ['procedure', 'type', 'code'],
  });
  return { observe: ({ procedure, type, code, seconds }) => record({ procedure, type, code }, seconds) };
}
