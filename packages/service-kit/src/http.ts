import {
  MISDIRECTED_BODY,
  UNAUTHORIZED_BODY,
  allowedHosts,
  bearerCheck,
  hostAllowed,
} from '@durable-delivery/telemetry';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z, type ZodType } from 'zod';
import { faultSettingsSchema, type Faults } from '@durable-delivery/provider-rules';

/** Every 4xx and 5xx of our services: `{ error: { type, code?, message, fields? } }`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  error: { type: string; message: string; code?: string; fields?: Record<string, string[]> },
) {
  return reply.code(status).send({ error });
}

/** Parses with zod, or answers 400 naming every bad field; returns undefined when it answered. */
/**
 * The Idempotency-Key header every charge, refund and notification carries: 1 to 255 printable ASCII characters.
 * `required` is what a request without one is told.
 */
export function idempotencyKeySchema(required = 'the Idempotency-Key header is required') {
  return z
    .string({ error: required })
    .min(1, required)
    .max(255, 'the Idempotency-Key header must be at most 255 characters')
    .regex(/^[\x21-\x7e]+$/, 'the Idempotency-Key header must be printable ASCII without spaces');
}

export function parse<T>(schema: ZodType<T>, value: unknown, reply: FastifyReply, what: string): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join('.') || what] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, problems]) => `${field} ${problems.join(', ')}`)
    .join('; ');
  void sendError(reply, 400, { type: 'invalid_request_error', message: `Invalid ${what}: ${summary}.`, fields });
  return undefined;
}

/**
 * Fastify's own 4xx (a body that is not JSON, a wrong content type, a body too large) in our error shape; anything
 * else is logged and answered 500 without internals.
 */
export function useErrorShape(app: FastifyInstance): void {
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const message =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'The request body is not valid JSON.'
          : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? `The request body is too large: at most ${app.initialConfig.bodyLimit ?? 1024 * 1024} bytes.`
            : error.message;
      return sendError(reply, error.statusCode, { type: 'invalid_request_error', message });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, 500, { type: 'api_error', message: 'Something went wrong on our side; retry.' });
  });
}

/** Probes answer without a key (they reveal nothing, and orchestrators call them without one). */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? url;
}

/**
 * Every request but the probes and /metrics (which has its own token, see useObservability) must carry
 * `Authorization: Bearer <apiKey>`, compared in constant time; anything else, unknown paths included, is a bare 401
 * that says nothing about what was wrong. The key is required: a service without one does not start.
 */
export function requireApiKey(app: FastifyInstance, apiKey: string): void {
  if (!apiKey) throw new Error('requireApiKey: an API key is required');
  const matches = bearerCheck(apiKey);
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (PROBE_PATHS.has(path) || path === '/metrics') return;
    if (!matches(request.headers.authorization)) return unauthorized(reply);
  });
}

/** Both checks every service runs on every request, in this order: the Host first, then the API key. */
export function guardService(
  app: FastifyInstance,
  options: { apiKey: string; hosts?: ReadonlySet<string> | undefined },
): void {
  requireHost(app, options.hosts ?? allowedHosts('127.0.0.1', undefined));
  requireApiKey(app, options.apiKey);
}

/** The 401 of every guarded endpoint: the same body for a missing and a wrong key. */
export function unauthorized(reply: FastifyReply) {
  return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
}

/**
 * Answers only requests whose Host names one of `hosts` (see allowedHosts): a web page that rebinds its own DNS name
 * to this address still sends its own name, and gets 421 Misdirected Request. Register before any other hook.
 */
export function requireHost(app: FastifyInstance, hosts: ReadonlySet<string>): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!hostAllowed(request.headers.host, hosts)) return reply.code(421).send(MISDIRECTED_BODY);
  });
}

/** GET and PUT /v1/faults: the runtime fault controls, validated like any other request. */
export function faultRoutes(app: FastifyInstance, faults: Faults): void {
  app.get('/v1/faults', (_request, reply) => reply.send(faults.current));
  app.put('/v1/faults', async (request, reply) => {
    const changes = parse(faultSettingsSchema.partial(), request.body, reply, 'faults');
    if (!changes) return reply;
    const settings = faults.update(changes);
    request.log.warn({ faults: settings }, 'fault settings changed');
    return settings;
  });
}

/**
 * Runs the injected faults for one request: waits out the added latency, then answers 503 during an outage or 500
 * for an injected error. Returns true when it answered (the request must stop there). Nothing is stored for either.
 */
export async function answeredByFault(faults: Faults, reply: FastifyReply, service: string): Promise<boolean> {
  const fault = await faults.apply();
  if (fault === 'outage') {
    await sendError(reply, 503, {
      type: 'api_error',
      code: 'outage',
      message: `${service} is down (simulated outage).`,
    });
    return true;
  }
  if (fault === 'error') {
    await sendError(reply, 500, {
      type: 'api_error',
      code: 'injected',
      message: `${service} failed (simulated error).`,
    });
    return true;
  }
  return false;
}
