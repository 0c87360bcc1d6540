import { createHash } from 'node:crypto';
import { ENCRYPTED_ENCODING, EncryptionCodec, PayloadDecryptionError, type Keyring } from '@durable-delivery/codec';
import { allowedHosts, bearerCheck, parse, requireHost, sendError, useErrorShape } from '@durable-delivery/service-kit';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import type { Payload } from '@temporalio/common';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sealData, unsealData } from 'iron-session';
import { z } from 'zod';
import { signedInPage, signInPage } from './pages';

export const SESSION_COOKIE = 'dd_codec_session';
const SESSION_SECONDS = 12 * 60 * 60;

// Proto3 JSON, as the Web UI and the CLI send payloads: every bytes field is base64 (standard or URL-safe).
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const payloadsSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }), {
      error: 'must be an array of payloads',
    })
    .max(10_000, 'at most 10000 payloads per request')
    // Proto3 JSON leaves out an empty list: the CLI sends `{}` for no payloads.
    .default([]),
});
type JsonPayload = z.infer<typeof payloadsSchema>['payloads'][number];

export interface CodecServerOptions {
  readonly keyring: Keyring;
  readonly token: string;
  /** Origins whose browsers may call /encode and /decode, with credentials; every other origin is refused. */
  readonly allowedOrigins: readonly string[];
  readonly secureCookies: boolean;
  /** The host names it answers for (see allowedHosts); default loopback only. */
  readonly allowedHosts?: ReadonlySet<string>;
  readonly logger?: boolean;
}

/**
 * The codec server (Temporal's codec server protocol):
 *   POST [/<anything>]/decode, POST [/<anything>]/encode   {"payloads":[{"metadata":{…base64},"data":"base64"}]}
 *   GET  /healthz
 *   GET  /, POST /signin, POST /signout                    the sign-in page for operators using the Web UI
 * It answers only requests whose Host is one of its allowed host names (421 otherwise).
 * Every codec call needs `Authorization: Bearer <token>` (the CLI's --codec-auth) or the session cookie the sign-in
 * page sets (the Web UI, which `pnpm dev` configures to send it). One exception, so the Web UI explains itself: a
 * decode call from an allowed browser origin that is not signed in gets each encrypted payload back as a readable
 * notice naming this server's sign-in page (see {@link signInNotice}), where a 401 would only make the UI say "Codec
 * Server could not connect" and log one failed call per payload on the page. Nothing is decrypted for it. Browsers get CORS grants for the allowed
 * origins only, and a codec call carrying any other Origin is refused outright. The namespace (X-Namespace header
 * or path prefix) is accepted and ignored on purpose: a payload decrypts if and only if its key id is in this
 * server's keyring, whatever namespace it came from.
 */
export function buildCodecServer(options: CodecServerOptions): FastifyInstance {
  const codec = new EncryptionCodec(options.keyring);
  const tokenMatches = bearerCheck(options.token);
  const allowed = new Set(options.allowedOrigins);
  // Sessions are sealed with a key derived from the token, so changing the token signs every browser out.
  const sessionPassword = createHash('sha256').update(`durable-delivery codec session\0${options.token}`).digest('hex');
  // Histories can be long, and the UI sends the payloads of many events at once.
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 16 * 1024 * 1024 });

  useErrorShape(app);
  // Before anything else: a page that rebinds its DNS name to this address must not reach the sign-in page or codec.
  requireHost(app, options.allowedHosts ?? allowedHosts('127.0.0.1', undefined));
  void app.register(formbody);
  void app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization', 'Authorization-Extras'],
    maxAge: 600,
  });

  const cookie = (value: string, maxAge: number) =>
    serializeCookie(SESSION_COOKIE, value, {
      httpOnly: true,
      // The Web UI (127.0.0.1:8233) and this server (127.0.0.1:4040) are the same site: ports do not count.
      sameSite: 'strict',
      secure: options.secureCookies,
      path: '/',
      maxAge,
    });

  const signedIn = async (request: FastifyRequest): Promise<boolean> => {
    const sealed = parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
    if (!sealed) return false;
    try {
      const session = await unsealData<{ operator?: boolean }>(sealed, {
        password: sessionPassword,
        ttl: SESSION_SECONDS,
      });
      return session.operator === true;
    } catch {
      return false;
    }
  };

  const codecRoute = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      return sendError(reply, 403, {
        type: 'origin_error',
        message: `Requests from ${origin} are not allowed; this codec server answers browsers at ${[...allowed].join(', ')} only (CODEC_SERVER_CORS_ORIGINS).`,
      });
    }
    if (!tokenMatches(request.headers.authorization) && !(await signedIn(request))) {
      if (direction === 'decode' && origin !== undefined) {
        const body = parse(payloadsSchema, request.body, reply, 'payloads');
        if (!body) return reply;
        const notice = signInNotice(`${request.protocol}://${request.host}/`);
        return { payloads: body.payloads.map((payload) => (isEncrypted(payload) ? notice : payload)) };
      }
      return sendError(reply, 401, {
        type: 'authentication_error',
        message:
          'Not signed in: send Authorization: Bearer <CODEC_SERVER_TOKEN> (temporal --codec-auth), or sign in on this server\'s page and turn on "Include cross-origin credentials" in the Web UI\'s codec settings.',
      });
    }
    const body = parse(payloadsSchema, request.body, reply, 'payloads');
    if (!body) return reply;
    try {
      const payloads = body.payloads.map(fromJson);
      const converted = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return { payloads: converted.map(toJson) };
    } catch (error) {
      if (error instanceof PayloadDecryptionError) {
        return sendError(reply, 400, { type: 'decryption_error', message: error.message });
      }
      throw error;
    }
  };
  app.post('/encode', codecRoute('encode'));
  app.post('/decode', codecRoute('decode'));
  // The protocol looks only at the last path segment, so the endpoint may also be mounted under a prefix, such as
  // the CLI's `--codec-endpoint http://…/{namespace}`.
  app.post('/*', (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.endsWith('/encode')) return codecRoute('encode')(request, reply);
    if (path.endsWith('/decode')) return codecRoute('decode')(request, reply);
    return sendError(reply, 404, { type: 'not_found', message: 'Not found: POST …/encode or …/decode.' });
  });

  app.get('/healthz', (_request, reply) => reply.send({ ok: true }));

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
      .header('cache-control', 'no-store')
      .send(body);

  app.get('/', async (request, reply) =>
    (await signedIn(request))
      ? html(reply, 200, signedInPage(options.allowedOrigins, `${request.protocol}://${request.host}`))
      : html(reply, 200, signInPage()),
  );

  app.post('/signin', async (request, reply) => {
    const token = (request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !tokenMatches(`Bearer ${token}`)) {
      return html(reply, 401, signInPage('That token is not right.'));
    }
    const sealed = await sealData({ operator: true }, { password: sessionPassword, ttl: SESSION_SECONDS });
    return reply.header('set-cookie', cookie(sealed, SESSION_SECONDS)).redirect('/', 303);
  });

  app.post('/signout', (_request, reply) => reply.header('set-cookie', cookie('', 0)).redirect('/', 303));

  return app;
}

/**
 * What the Web UI shows in place of an encrypted payload for a browser that has not signed in: a JSON string, so
 * the UI renders it as text where the order's input, result or summary would be.
 */
function signInNotice(signInPage: string): JsonPayload {
  const text = `Encrypted: sign in to the codec server at ${signInPage}, then reload this page to read it.`;
  return {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from(JSON.stringify(text)).toString('base64'),
  };
}

function isEncrypted(payload: JsonPayload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && Buffer.from(encoding, 'base64').toString() === ENCRYPTED_ENCODING;
}

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}
