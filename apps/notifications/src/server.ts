import { EventEmitter } from 'node:events';
import {
  Faults,
  answeredByFault,
  idempotencyKeySchema,
  faultRoutes,
  guardService,
  parse,
  sendError,
  useErrorShape,
  serviceLogger,
  useObservability,
  type ServiceLogging,
} from '@durable-delivery/service-kit';
import { Counter, Gauge } from '@durable-delivery/telemetry';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdempotencyMismatch, type Inbox, type Notification } from './inbox';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, "-" or "_"');

const notificationSchema = z
  .object({
    customerId: id,
    // Absent for a notification about the customer's pass rather than an order.
    orderId: z.string().trim().min(1, 'must not be empty').max(128).optional(),
    kind: z.string().trim().min(1, 'is required').max(64),
    message: z.string().trim().min(1, 'is required').max(1000),
  })
  .strict();

const idempotencyKey = idempotencyKeySchema();

const customerParamsSchema = z.object({ customerId: id });
const listQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const streamQuerySchema = z.object({ after: z.coerce.number().int().min(0).optional() }).strict();

/** Live streams one customer may hold open at once (a few tabs and devices); the next is refused with 429. */
export const MAX_STREAMS_PER_CUSTOMER = 5;

/** How often an idle stream sends a comment, so proxies do not close it and a dead client is noticed. */
const HEARTBEAT_MS = 15_000;

export interface NotificationServiceOptions {
  readonly inbox: Inbox;
  readonly faults?: Faults;
  /** Every request but the probes and /metrics must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** The host names it answers for (see allowedHosts); default loopback only. */
  readonly allowedHosts?: ReadonlySet<string>;
  /** What a scrape of /metrics presents; without one /metrics answers nobody. */
  readonly metricsToken?: string;
  /** Default MAX_STREAMS_PER_CUSTOMER. */
  readonly maxStreamsPerCustomer?: number;
  /** Logs: false in tests, JSON lines on stdout in the service (see serviceLogger). */
  readonly logger?: ServiceLogging;
}

/**
 * The notification service's HTTP API (JSON, server-sent events):
 *   POST /v1/notifications (Idempotency-Key)              201 stored · 200 a repeat (the stored one) · 422 key reused
 *   GET  /v1/customers/:customerId/notifications?after=   the customer's inbox, oldest first
 *   GET  /v1/customers/:customerId/stream?after=          SSE: the inbox after `after` (or Last-Event-ID), then live;
 *                                                         429 past MAX_STREAMS_PER_CUSTOMER open streams
 *   GET  /v1/faults · PUT /v1/faults · GET /healthz · GET /readyz · GET /metrics (see useObservability)
 * Callers are servers (the worker, the menu app's server), never browsers: the menu app proxies the stream of the
 * signed-in customer only. One process keeps its live subscribers in memory; the inbox is the source of truth.
 */
export function buildNotificationService(options: NotificationServiceOptions): FastifyInstance {
  const { inbox } = options;
  const faults = options.faults ?? new Faults();
  const live = new EventEmitter();
  live.setMaxListeners(0);
  const maxStreams = options.maxStreamsPerCustomer ?? MAX_STREAMS_PER_CUSTOMER;
  const openStreams = new Map<string, number>();
  const app = Fastify({ logger: serviceLogger(options.logger), bodyLimit: 16 * 1024 });
  const registry = useObservability(app, {
    service: 'notifications',
    ready: () => inbox.isAnswering(),
    metricsToken: options.metricsToken,
  });
  const stored = new Counter({
    name: 'notifications_stored_total',
    help: 'Notifications stored and pushed for the first time (repeats of an idempotency key are not), by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const streams = new Gauge({
    name: 'notifications_open_streams',
    help: 'Live notification streams (server-sent events) open right now.',
    registers: [registry],
  });
  useErrorShape(app);
  guardService(app, { apiKey: options.apiKey, hosts: options.allowedHosts });

  app.post('/v1/notifications', async (request, reply) => {
    const key = parse(idempotencyKey, request.headers['idempotency-key'], reply, 'Idempotency-Key');
    if (key === undefined) return reply;
    const input = parse(notificationSchema, request.body, reply, 'notification');
    if (!input) return reply;
    if (await answeredByFault(faults, reply, 'Notifications')) return reply;
    try {
      const { notification, duplicate } = inbox.deliver(key, input);
      // A repeat is answered, never pushed again: the customer sees each notification once.
      if (duplicate) return reply.code(200).header('idempotent-replayed', 'true').send(notification);
      live.emit(notification.customerId, notification);
      // Kinds are the worker's machine values; anything else is bucketed so a bad caller cannot explode the series.
      stored.inc({ kind: /^[A-Za-z]{1,32}$/.test(notification.kind) ? notification.kind : 'other' });
      return reply.code(201).send(notification);
    } catch (error) {
      if (error instanceof IdempotencyMismatch) {
        return sendError(reply, 422, { type: 'idempotency_error', message: error.message });
      }
      throw error;
    }
  });

  app.get('/v1/customers/:customerId/notifications', async (request, reply) => {
    const params = parse(customerParamsSchema, request.params, reply, 'path');
    const query = params && parse(listQuerySchema, request.query, reply, 'query');
    if (!params || !query) return reply;
    const notifications = inbox.list(params.customerId, query.after, query.limit);
    const last = notifications.at(-1);
    return { notifications, ...(notifications.length === query.limit && last ? { nextAfter: last.sequence } : {}) };
  });

  app.get('/v1/customers/:customerId/stream', async (request, reply) => {
    const params = parse(customerParamsSchema, request.params, reply, 'path');
    const query = params && parse(streamQuerySchema, request.query, reply, 'query');
    if (!params || !query) return reply;
    const lastEventId = Number(request.headers['last-event-id']);
    // A reconnecting EventSource says where it stopped; otherwise the page says what it has already shown.
    let after = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (query.after ?? 0);
    // Each stream holds a connection and a subscriber: one customer (or a caller looping on one id) gets a few.
    const open = openStreams.get(params.customerId) ?? 0;
    if (open >= maxStreams) {
      return sendError(reply, 429, {
        type: 'rate_limit_error',
        code: 'too_many_streams',
        message: `This customer already has ${maxStreams} live notification streams open; close one first.`,
      });
    }
    openStreams.set(params.customerId, open + 1);
    reply.raw.once('close', () => {
      const left = (openStreams.get(params.customerId) ?? 1) - 1;
      if (left > 0) openStreams.set(params.customerId, left);
      else openStreams.delete(params.customerId);
    });

    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (notification: Notification) => {
      if (notification.sequence <= after) return;
      after = notification.sequence;
      out.write(`id: ${notification.sequence}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
    };
    // Subscribe before reading the backlog, so nothing stored in between is missed; `after` drops repeats.
    const queued: Notification[] = [];
    let replaying = true;
    const onLive = (notification: Notification) => (replaying ? queued.push(notification) : send(notification));
    live.on(params.customerId, onLive);
    out.write('retry: 2000\n\n');
    for (
      let page = inbox.list(params.customerId, after, 500);
      page.length > 0;
      page = inbox.list(params.customerId, after, 500)
    ) {
      page.forEach(send);
    }
    replaying = false;
    queued.forEach(send);
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    streams.inc();
    request.raw.once('close', () => {
      streams.dec();
      clearInterval(heartbeat);
      live.off(params.customerId, onLive);
    });
  });

  faultRoutes(app, faults);
  return app;
}
