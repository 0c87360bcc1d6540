import { randomBytes } from 'node:crypto';
import { parseEncryptionKeys } from '@durable-delivery/codec';
import type { FastifyInstance } from 'fastify';
import { buildCodecServer, loadConfig, SESSION_COOKIE } from '../src';

const TOKEN = randomBytes(32).toString('base64');
const UI = 'http://127.0.0.1:8233';
const KEYS = `2026-12=${randomBytes(32).toString('base64')}`;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = buildCodecServer({
    keyring: parseEncryptionKeys(KEYS),
    token: TOKEN,
    allowedOrigins: [UI, 'http://localhost:8233'],
    secureCookies: false,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const plainPayload = { metadata: { encoding: b64('json/plain') }, data: b64('{"street":"1 Main St"}') };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
const bearer = { authorization: `Bearer ${TOKEN}` };

async function signIn(): Promise<string> {
  const response = await fetch(`${base}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  return setCookie.split(';')[0]!;
}

describe('the codec server', () => {
  it('encrypts and decrypts payloads in the codec server protocol’s JSON shape for a bearer token', async () => {
    const encoded = await post('/encode', { payloads: [plainPayload] }, bearer);
    expect(encoded.status).toBe(200);
    const { payloads } = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('2026-12');
    expect(Buffer.from(payloads[0]!.data, 'base64').toString('latin1')).not.toContain('Main St');

    // Under a namespace prefix too, as `--codec-endpoint http://…/{namespace}` sends it; X-Namespace is ignored.
    const decoded = await post('/default/decode', { payloads }, { ...bearer, 'x-namespace': 'default' });
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: [plainPayload] });
  });

  it('refuses a request without credentials, or with a wrong token, with 401 and a clear message', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-the-token' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await post('/decode', { payloads: [plainPayload] }, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: {
          type: 'authentication_error',
          message: expect.stringContaining('Not signed in: send Authorization: Bearer <CODEC_SERVER_TOKEN>'),
        },
      });
    }
  });

  it('answers 400 naming the problem for a malformed body or a payload it cannot decrypt', async () => {
    const malformed = await post('/decode', { payloads: [{ data: 'not base64!' }] }, bearer);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid payloads: payloads.0.data must be base64.',
    );
    const notAList = await post('/decode', { payloads: 'all of them' }, bearer);
    expect(notAList.status).toBe(400);
    // Proto3 JSON leaves an empty list out.
    expect(await (await post('/decode', {}, bearer)).json()).toEqual({ payloads: [] });
    const foreign = {
      metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('2025-01') },
      data: b64('x'.repeat(40)),
    };
    const unknownKey = await post('/decode', { payloads: [foreign] }, bearer);
    expect(unknownKey.status).toBe(400);
    expect(await unknownKey.json()).toEqual({
      error: {
        type: 'decryption_error',
        message: expect.stringContaining(
          'A payload is encrypted with key "2025-01", which is not in PAYLOAD_ENCRYPTION_KEYS',
        ),
      },
    });
  });

  it('grants CORS, credentials included, to the Web UI’s origin only, and answers its preflight', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight(UI);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');

    const other = await preflight('http://127.0.0.1:3000');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();

    // A codec call from another origin is refused outright, even with the token, and gets no CORS grant.
    const foreign = await post('/decode', { payloads: [plainPayload] }, { ...bearer, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a browser sign in once on its page; the Web UI then decodes with the session cookie', async () => {
    const page = await fetch(`${base}/`);
    expect(await page.text()).toContain('<form method="post" action="/signin">');
    const wrong = await fetch(`${base}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'guess' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const cookie = await signIn();
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    // The steps for a Web UI that `pnpm dev` did not configure, in order, with this server's own address to paste.
    const signedInPage = await (await fetch(`${base}/`, { headers: { cookie } })).text();
    const steps = [
      'codec server icon',
      'Use my browser setting',
      `<code>${base}</code>`,
      'Include cross-origin credentials',
    ];
    const positions = steps.map((step) => signedInPage.indexOf(step));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const decoded = await post('/decode', { payloads: [plainPayload] }, { cookie, origin: UI });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');

    const tampered = `${cookie.slice(0, -4)}AAAA`;
    expect((await post('/encode', { payloads: [] }, { cookie: tampered, origin: UI })).status).toBe(401);
    const signOut = await fetch(`${base}/signout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(signOut.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0`));
  });

  it('tells a Web UI that has not signed in where to sign in, in place of each encrypted payload, and decrypts nothing', async () => {
    const encrypted = (
      (await (await post('/encode', { payloads: [plainPayload] }, bearer)).json()) as {
        payloads: unknown[];
      }
    ).payloads[0];
    const unsigned: Record<string, string>[] = [{ origin: UI }, { origin: UI, cookie: `${SESSION_COOKIE}=forged` }];
    for (const headers of unsigned) {
      const response = await post('/decode', { payloads: [encrypted, plainPayload] }, headers);
      // A 200, so the UI neither reports "could not connect" nor logs a failed call per payload.
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(UI);
      const { payloads } = (await response.json()) as { payloads: { metadata: { encoding: string }; data: string }[] };
      expect(Buffer.from(payloads[0]!.metadata.encoding, 'base64').toString()).toBe('json/plain');
      const notice = JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString()) as string;
      expect(notice).toBe(`Encrypted: sign in to the codec server at ${base}/, then reload this page to read it.`);
      expect(notice).not.toContain('Main St');
      // What was never encrypted is the UI's to show anyway: returned as it came.
      expect(payloads[1]).toEqual(plainPayload);
    }
    // Encoding stays refused, and so does any caller that is not a browser at the UI's origin (the CLI gets its 401).
    expect((await post('/encode', { payloads: [plainPayload] }, { origin: UI })).status).toBe(401);
    expect((await post('/decode', { payloads: [encrypted] })).status).toBe(401);
  });

  it('answers its health check without credentials', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
  });
});

describe('codec server configuration', () => {
  const good = { CODEC_SERVER_TOKEN: TOKEN, PAYLOAD_ENCRYPTION_KEYS: KEYS };

  it('listens on loopback port 4040 for the dev server’s Web UI by default', () => {
    expect(loadConfig(good)).toMatchObject({
      host: '127.0.0.1',
      port: 4040,
      allowedOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      secureCookies: false,
    });
    expect(loadConfig({ ...good, NODE_ENV: 'production' }).secureCookies).toBe(true);
  });

  it('names every missing or bad variable', () => {
    expect(() => loadConfig({})).toThrow(/CODEC_SERVER_TOKEN: is required[\s\S]*PAYLOAD_ENCRYPTION_KEYS: is required/);
    expect(() => loadConfig({ ...good, CODEC_SERVER_CORS_ORIGINS: 'http://ui.example/path' })).toThrow(
      /CODEC_SERVER_CORS_ORIGINS: each entry must be an origin/,
    );
    expect(() => loadConfig({ ...good, PAYLOAD_ENCRYPTION_KEYS: 'k=abc' })).toThrow(
      /Invalid codec server environment:\n {2}PAYLOAD_ENCRYPTION_KEYS: key "k" is not valid base64/,
    );
  });
});

describe('host names', () => {
  it('answers only for its own host names: a rebound DNS name gets 421, even with the token', async () => {
    const at = (host: string, url = '/decode') =>
      app.inject({ method: 'POST', url, headers: { ...bearer, host }, payload: { payloads: [] } });
    for (const host of ['127.0.0.1:4040', 'localhost:4040', '[::1]:4040']) {
      expect({ host, status: (await at(host)).statusCode }).toEqual({ host, status: 200 });
    }
    for (const host of ['attacker.example:4040', 'rebind.attacker.example']) {
      expect({ host, status: (await at(host)).statusCode }).toEqual({ host, status: 421 });
      expect({ host, status: (await at(host, '/signin')).statusCode }).toEqual({ host, status: 421 });
    }
    const config = loadConfig({
      CODEC_SERVER_TOKEN: TOKEN,
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
      CODEC_SERVER_ALLOWED_HOSTS: 'codec.internal',
    });
    expect([...config.allowedHosts]).toContain('codec.internal');
  });
});
