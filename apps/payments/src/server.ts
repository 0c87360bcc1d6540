import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { Faults, faultSettingsSchema } from './faults';
import type { Ledger } from './ledger';
import { IdempotencyMismatch, Payments, TransientFailure, type Answer } from './payments';

const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

const chargeSchema = z
  .object({
    orderId: text(128),
    customerId: text(128),
    amountCents: z.number().int('must be a whole number of cents').positive('must be more than 0').max(10_000_000),
    currency: z.literal('USD', { error: 'must be "USD"' }),
    paymentMethod: text(100),
    description: z.string().max(500).optional(),
  })
  .strict();

const refundSchema = z
  .object({
    chargeIdempotencyKey: text(255),
    amountCents: z.number().int('must be a whole number of cents').positive('must be more than 0').max(10_000_000),
    reason: z.string().max(500).optional(),
  })
  .strict();

const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required on every charge and refund' })
  .min(1, 'the Idempotency-Key header is required on every charge and refund')
  .max(255, 'the Idempotency-Key header must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'the Idempotency-Key header must be printable ASCII without spaces');

const ledgerQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export interface PaymentServiceOptions {
  readonly ledger: Ledger;
  readonly faults?: Faults;
  /** When set, every /v1 request must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Fastify's logger: false in tests, JSON lines in the service. */
  readonly logger?: boolean;
}

/** A 4xx the caller can act on, in one shape: `{ error: { type, code?, message, fields? } }`. */
function invalid(reply: FastifyReply, message: string, fields?: Record<string, string[]>) {
  return reply.code(400).send({ error: { type: 'invalid_request_error', message, ...(fields ? { fields } : {}) } });
}

/** Parses with zod, or answers 400 naming every bad field; returns undefined when it answered. */
function parse<T>(schema: ZodType<T>, value: unknown, reply: FastifyReply, what: string): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join('.') || what] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, problems]) => `${field} ${problems.join(', ')}`)
    .join('; ');
  void invalid(reply, `Invalid ${what}: ${summary}.`, fields);
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The payment service's HTTP API (JSON):
 *   POST /v1/charges    (Idempotency-Key)   201 charge · 402 declined · 422 key reused with other parameters
 *   POST /v1/refunds    (Idempotency-Key)   201 refund · 200 nothing to refund · 409 more than what remains
 *   GET  /v1/ledger?after=&limit=           the ledger, oldest first, for reconciliation
 *   GET  /v1/faults · PUT /v1/faults        fault injection: errorRate, latencyMs, outage
 *   GET  /healthz
 * A replayed answer carries `Idempotent-Replayed: true`. 5xx answers are never stored: retry them.
 */
export function buildPaymentService(options: PaymentServiceOptions): FastifyInstance {
  const payments = new Payments(options.ledger);
  const faults = options.faults ?? new Faults();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    // Fastify's own 4xx (a body that is not JSON, a wrong content type, a body too large) get our error shape.
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const message =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'The request body is not valid JSON.'
          : error.message;
      return reply.code(error.statusCode).send({ error: { type: 'invalid_request_error', message } });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ error: { type: 'api_error', message: 'Something went wrong on our side; retry.' } });
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!options.apiKey || !request.url.startsWith('/v1/')) return;
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!sameSecret(given, options.apiKey)) {
      return reply.code(401).send({
        error: { type: 'authentication_error', message: 'Missing or wrong API key (Authorization: Bearer …).' },
      });
    }
  });

  const money = async (
    request: FastifyRequest,
    reply: FastifyReply,
    handle: (key: string, body: unknown) => Answer | undefined,
  ) => {
    const key = parse(idempotencyKeySchema, request.headers['idempotency-key'], reply, 'Idempotency-Key');
    if (key === undefined) return reply;
    const fault = await faults.apply();
    if (fault === 'outage') {
      return reply
        .code(503)
        .send({ error: { type: 'api_error', code: 'outage', message: 'Payments are down (simulated outage).' } });
    }
    if (fault === 'error') {
      return reply
        .code(500)
        .send({ error: { type: 'api_error', code: 'injected', message: 'Payments failed (simulated error).' } });
    }
    try {
      const answer = handle(key, request.body);
      if (!answer) return reply;
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(answer.status).send(answer.body);
    } catch (error) {
      if (error instanceof IdempotencyMismatch) {
        return reply.code(422).send({ error: { type: 'idempotency_error', message: error.message } });
      }
      if (error instanceof TransientFailure) {
        return reply
          .code(503)
          .send({ error: { type: 'api_error', code: 'card_network_timeout', message: error.message } });
      }
      throw error;
    }
  };

  app.post('/v1/charges', (request, reply) =>
    money(request, reply, (key, body) => {
      const input = parse(chargeSchema, body, reply, 'charge');
      return input && payments.charge(key, input);
    }),
  );

  app.post('/v1/refunds', (request, reply) =>
    money(request, reply, (key, body) => {
      const input = parse(refundSchema, body, reply, 'refund');
      return input && payments.refund(key, input);
    }),
  );

  app.get('/v1/ledger', async (request, reply) => {
    const query = parse(ledgerQuerySchema, request.query, reply, 'query');
    if (!query) return reply;
    const entries = options.ledger.entries(query.after, query.limit);
    const last = entries.at(-1);
    return { entries, ...(entries.length === query.limit && last ? { nextAfter: last.sequence } : {}) };
  });

  app.get('/v1/faults', (_request, reply) => reply.send(faults.current));

  app.put('/v1/faults', async (request, reply) => {
    const changes = parse(faultSettingsSchema.partial(), request.body, reply, 'faults');
    if (!changes) return reply;
    const settings = faults.update(changes);
    request.log.warn({ faults: settings }, 'fault settings changed');
    return settings;
  });

  app.get('/healthz', (_request, reply) => reply.send({ ok: true }));

  return app;
}
