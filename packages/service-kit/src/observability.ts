import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import {
  PROMETHEUS_CONTENT_TYPE,
  UNAUTHORIZED_BODY,
  bearerCheck,
  httpRequestMetrics,
  processRegistry,
  type Registry,
} from '@durable-delivery/telemetry';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

/** `true`: JSON lines on stdout; a stream: the same lines there (tests read them); `false`: no logs. */
export type ServiceLogging = boolean | NodeJS.WritableStream;

/**
 * Fastify's logger (pino) writing the shape the worker's and the apps' logs have: `time` (ISO), `level` (INFO …),
 * `message`, then fields — one format for every process's log shipper.
 */
export function serviceLogger(logging: ServiceLogging | undefined): FastifyServerOptions['logger'] {
  if (!logging) return false;
  return {
    messageKey: 'message',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    ...(logging === true ? {} : { stream: logging }),
  };
}

export interface ObservabilityOptions {
  /** The service's name, for its tracer: `payments`, `notifications`. */
  readonly service: string;
  /** Readiness: can this process serve requests right now (its database answers)? A network database answers later. */
  readonly ready: () => boolean | Promise<boolean>;
  /** Where the service's own metrics are registered; a fresh one with the process metrics by default. */
  readonly registry?: Registry;
  /** What a scrape presents (`Authorization: Bearer`, METRICS_TOKEN); without one, /metrics answers nobody. */
  readonly metricsToken?: string | undefined;
}

/** Probes and scrapes: not traced, not counted, never behind the API key (/metrics has its own token). */
const OPERATIONS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span (see observability.ts). */
    otelSpan?: Span;
  }
}

/**
 * A service's operations surface, on its own port:
 *   GET /healthz   200 while the process runs (liveness)
 *   GET /readyz    200 while `ready()` holds (the database answers), 503 otherwise
 *   GET /metrics   Prometheus: http_server_requests_total, http_server_request_duration_seconds, the process
 *                  metrics, and whatever the service registered in `registry`; only with the metrics token
 * and, for every other request, a server span that continues the caller's W3C trace (`traceparent`), is active
 * while the handler runs, and ends when the response does (streams included); log lines of the request carry its
 * `traceId`, and its `orderId` when the body names one. Call before registering routes.
 */
export function useObservability(app: FastifyInstance, options: ObservabilityOptions): Registry {
  const registry = options.registry ?? processRegistry();
  const requests = httpRequestMetrics(registry);
  const tracer = trace.getTracer(`@durable-delivery/${options.service}`);

  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (OPERATIONS_PATHS.has(path)) return done();
    const route = request.routeOptions.url ?? 'unmatched';
    const started = process.hrtime.bigint();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': path },
      },
      parent,
    );
    request.otelSpan = span;
    bindLogFields(request, reply, { traceId: span.spanContext().traceId });
    // The reply's raw response closes once, whether it finished, was hijacked for a stream or lost its client.
    reply.raw.once('close', () => {
      const statusCode = reply.raw.statusCode;
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      requests.observe({
        method: request.method,
        route,
        statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
    // Everything after this hook — body parsing, handler, other hooks — runs with the span active.
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('preHandler', (request, reply, done) => {
    const orderId = (request.body as { orderId?: unknown } | undefined)?.orderId;
    if (typeof orderId === 'string' && orderId.length <= 128) {
      request.otelSpan?.setAttribute('order.id', orderId);
      bindLogFields(request, reply, { orderId });
    }
    done();
  });

  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    let ready: boolean;
    try {
      ready = await options.ready();
    } catch {
      ready = false;
    }
    return ready
      ? reply.send({ ready: true })
      : reply.code(503).send({ ready: false, reason: 'the database is not answering' });
  });
  const scraper = bearerCheck(options.metricsToken);
  app.get('/metrics', async (request, reply) => {
    if (!scraper(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
    }
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(await registry.metrics());
  });
  return registry;
}

/** Adds fields to every later log line of this request, Fastify's own "request completed" included. */
export function bindLogFields(request: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>): void {
  const log = request.log.child(fields);
  request.log = log;
  reply.log = log;
}
