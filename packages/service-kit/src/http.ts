import { createHash, timingSafeEqual } from 'node:crypto';
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
          : error.message;
      return sendError(reply, error.statusCode, { type: 'invalid_request_error', message });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, 500, { type: 'api_error', message: 'Something went wrong on our side; retry.' });
  });
}

/**
 * A check of `Authorization: Bearer <secret>` in constant time (both sides hashed first, so neither the length nor
 * any prefix of the secret leaks through timing).
 */
export function bearerCheck(secret: string): (authorization: string | undefined) => boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(secret);
  return (authorization) => {
    const header = authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    return timingSafeEqual(digest(given), expected);
  };
}

/** When a key is configured, every /v1 request must carry `Authorization: Bearer <key>` (compared in constant time). */
export function requireApiKey(app: FastifyInstance, apiKey: string | undefined): void {
  if (!apiKey) return;
  const matches = bearerCheck(apiKey);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    if (!matches(request.headers.authorization)) {
      return sendError(reply, 401, {
        type: 'authentication_error',
        message: 'Missing or wrong API key (Authorization: Bearer …).',
      });
    }
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
