import {
  Faults,
  answeredByFault,
  idempotencyKeySchema,
  faultRoutes,
  guardService,
  parse,
  bindLogFields,
  sendError,
  useErrorShape,
  serviceLogger,
  useObservability,
  type ServiceLogging,
} from '@durable-delivery/service-kit';
import { MAX_AMOUNT_CENTS } from '@durable-delivery/provider-rules';
import { Counter } from '@durable-delivery/telemetry';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ledger } from './ledger';
import { IdempotencyMismatch, Payments, TransientFailure, type Answer } from './payments';

// The amount limits of the provider rules (isValidAmount), with a message for each way to miss them.
const amountCents = z
  .number()
  .int('must be a whole number of cents')
  .positive('must be more than 0')
  .max(MAX_AMOUNT_CENTS, `must be at most ${MAX_AMOUNT_CENTS}`);

const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

const chargeSchema = z
  .object({
    orderId: text(128),
    customerId: text(128),
    amountCents,
    currency: z.literal('USD', { error: 'must be "USD"' }),
    paymentMethod: text(100),
    description: z.string().max(500).optional(),
  })
  .strict();

const refundSchema = z
  .object({
    chargeIdempotencyKey: text(255),
    amountCents,
    reason: z.string().max(500).optional(),
  })
  .strict();

const idempotencyKey = idempotencyKeySchema('the Idempotency-Key header is required on every charge and refund');

const ledgerQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export interface PaymentServiceOptions {
  readonly ledger: Ledger;
  readonly faults?: Faults;
  /** Every request but the probes and /metrics must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** The host names it answers for (see allowedHosts); default loopback only. */
  readonly allowedHosts?: ReadonlySet<string>;
  /** What a scrape of /metrics presents; without one /metrics answers nobody. */
  readonly metricsToken?: string;
  /** Logs: false in tests, JSON lines on stdout in the service (see serviceLogger). */
  readonly logger?: ServiceLogging;
}

/**
 * The payment service's HTTP API (JSON):
 *   POST /v1/charges    (Idempotency-Key)   201 charge · 402 declined · 422 key reused with other parameters
 *   POST /v1/refunds    (Idempotency-Key)   201 refund · 200 nothing to refund · 409 more than what remains
 *   GET  /v1/ledger?after=&limit=           the ledger, oldest first, for reconciliation
 *   GET  /v1/faults · PUT /v1/faults        fault injection: errorRate, latencyMs, outage
 *   GET  /healthz · GET /readyz · GET /metrics   (see useObservability)
 * A replayed answer carries `Idempotent-Replayed: true`. 5xx answers are never stored: retry them.
 */
export function buildPaymentService(options: PaymentServiceOptions): FastifyInstance {
  const payments = new Payments(options.ledger);
  const faults = options.faults ?? new Faults();
  const app = Fastify({ logger: serviceLogger(options.logger), bodyLimit: 64 * 1024 });

  const registry = useObservability(app, {
    service: 'payments',
    ready: () => options.ledger.isAnswering(),
    metricsToken: options.metricsToken,
  });
  // First answers only: a replayed key is counted apart, so these are exact however often a worker retries.
  const answers = new Counter({
    name: 'payments_answers_total',
    help: 'Charges and refunds answered for the first time under their idempotency key, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const replays = new Counter({
    name: 'payments_idempotent_replays_total',
    help: 'Requests answered with the stored answer of an earlier request with the same idempotency key.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  useErrorShape(app);
  guardService(app, { apiKey: options.apiKey, hosts: options.allowedHosts });

  const money = async (
    request: FastifyRequest,
    reply: FastifyReply,
    operation: 'charge' | 'refund',
    handle: (key: string, body: unknown) => Answer | undefined,
  ) => {
    const key = parse(idempotencyKey, request.headers['idempotency-key'], reply, 'Idempotency-Key');
    if (key === undefined) return reply;
    if (await answeredByFault(faults, reply, 'Payments')) return reply;
    try {
      const answer = handle(key, request.body);
      if (!answer) return reply;
      if (answer.replayed) {
        replays.inc({ operation });
        void reply.header('idempotent-replayed', 'true');
      } else {
        answers.inc({ operation, outcome: outcomeOf(answer) });
      }
      return reply.code(answer.status).send(answer.body);
    } catch (error) {
      if (error instanceof IdempotencyMismatch) {
        return sendError(reply, 422, { type: 'idempotency_error', message: error.message });
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
    money(request, reply, 'charge', (key, body) => {
      const input = parse(chargeSchema, body, reply, 'charge');
      return input && payments.charge(key, input);
    }),
  );

  app.post('/v1/refunds', (request, reply) =>
    money(request, reply, 'refund', (key, body) => {
      const input = parse(refundSchema, body, reply, 'refund');
      if (!input) return undefined;
      // A refund names its charge, not its order: the charge's order id goes on the request's log lines.
      const orderId = options.ledger.chargeByKey(input.chargeIdempotencyKey)?.orderId;
      if (orderId) bindLogFields(request, reply, { orderId });
      return payments.refund(key, input);
    }),
  );

  app.get('/v1/ledger', async (request, reply) => {
    const query = parse(ledgerQuerySchema, request.query, reply, 'query');
    if (!query) return reply;
    const entries = options.ledger.entries(query.after, query.limit);
    const last = entries.at(-1);
    return { entries, ...(entries.length === query.limit && last ? { nextAfter: last.sequence } : {}) };
  });

  faultRoutes(app, faults);

  return app;
}

/** `succeeded`, `declined` (402), `refunded`, `nothing_to_refund` (200: no charge), `refused` (409). */
function outcomeOf(answer: Answer): string {
  if (answer.status === 402) return 'declined';
  if (answer.status === 409) return 'refused';
  if (answer.status === 200) return 'nothing_to_refund';
  return (answer.body as { object?: string }).object === 'refund' ? 'refunded' : 'succeeded';
}
