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
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdempotencyMismatch, InboxUnavailable, type Inbox, type Notification } from './inbox';

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

/** How many notifications a stream reads from the inbox at once. */
const PAGE = 500;

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

/** The database is away for a moment: 503, and callers retry (the worker's activity does); nothing half-stored. */
function unavailable(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof InboxUnavailable)) throw error;
  request.log.warn({ err: error.cause }, error.message);
  return sendError(reply, 503, { type: 'api_error', code: 'inbox_unavailable', message: error.message });
}

/**
 * The notification service's HTTP API (JSON, server-sent events):
 *   POST /v1/notifications (Idempotency-Key)              201 stored · 200 a repeat (the stored one) · 422 key reused
 *   GET  /v1/customers/:customerId/notifications?after=   the customer's inbox, oldest first
 *   GET  /v1/customers/:customerId/stream?after=          SSE: the inbox after `after` (or Last-Event-ID), then live;
 *                                                         429 past MAX_STREAMS_PER_CUSTOMER open streams
 *   GET  /v1/faults · PUT /v1/faults · GET /healthz · GET /readyz · GET /metrics (see useObservability)
 * Callers are servers (the worker, the menu app's server), never browsers: the menu app proxies the stream of the
 * signed-in customer only. The inbox is the source of truth: a stream sends what it reads there from its cursor,
 * woken by the inbox when something new may be stored (by this process, or with PostgreSQL by any replica).
 */
export function buildNotificationService(options: NotificationServiceOptions): FastifyInstance {
  const { inbox } = options;
  const faults = options.faults ?? new Faults();
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
      // The inbox wakes the customer's streams on every replica once it is stored; a repeat wakes none.
      const { notification, duplicate } = await inbox.deliver(key, input);
      if (duplicate) return reply.code(200).header('idempotent-replayed', 'true').send(notification);
      // Kinds are the worker's machine values; anything else is bucketed so a bad caller cannot explode the series.
      stored.inc({ kind: /^[A-Za-z]{1,32}$/.test(notification.kind) ? notification.kind : 'other' });
      return reply.code(201).send(notification);
    } catch (error) {
      if (error instanceof IdempotencyMismatch) {
        return sendError(reply, 422, { type: 'idempotency_error', message: error.message });
      }
      return unavailable(request, reply, error);
    }
  });

  app.get('/v1/customers/:customerId/notifications', async (request, reply) => {
    const params = parse(customerParamsSchema, request.params, reply, 'path');
    const query = params && parse(listQuerySchema, request.query, reply, 'query');
    if (!params || !query) return reply;
    let notifications: Notification[];
    try {
      notifications = await inbox.list(params.customerId, query.after, query.limit);
    } catch (error) {
      return unavailable(request, reply, error);
    }
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
    let closed = false;
    const send = (notification: Notification) => {
      if (closed || notification.sequence <= after) return;
      after = notification.sequence;
      out.write(`id: ${notification.sequence}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
    };
    // One read at a time per stream: a wake during a read makes it read once more when done, from the new cursor.
    let reading = false;
    let again = false;
    const catchUp = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (let more = true; more && !closed;) {
            const page = await inbox.list(params.customerId, after, PAGE);
            page.forEach(send);
            more = page.length === PAGE;
          }
        } while (again && !closed);
      } catch (error) {
        // The page reconnects (retry) and resumes from its last event once the inbox answers again.
        request.log.warn({ err: error }, 'the notification stream could not read the inbox; ending it');
        out.end();
      } finally {
        reading = false;
      }
    };
    // Watch before reading the backlog, so nothing stored in between is missed; the cursor drops repeats.
    const unwatch = inbox.watch(params.customerId, () => void catchUp());
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    streams.inc();
    request.raw.once('close', () => {
      closed = true;
      streams.dec();
      clearInterval(heartbeat);
      unwatch();
    });
    out.write('retry: 2000\n\n');
    await catchUp();
  });

  faultRoutes(app, faults);
  return app;
}
