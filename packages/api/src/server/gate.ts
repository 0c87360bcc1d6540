import escapeHtml from 'escape-html';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { AppConfig } from './config';

/**
 * The request gate both apps put in front of everything (their src/proxy.ts, Next 16's middleware): the checks that
 * need only the request line and headers, so they run before any page renders or any route reads a body. The
 * checks that need the body or the caller's identity (the counted body, the batch size, rate limits) run in the
 * API handler itself: see ./limits.ts.
 *
 * - Host: only the host names of APP_ORIGINS get an answer (DNS rebinding gets a 421), except probes and scrapes.
 * - CSRF: a state-changing request (anything but GET/HEAD/OPTIONS) must come from one of APP_ORIGINS. With an
 *   `Origin` header, it must be one of them; without one, `Sec-Fetch-Site` must be `same-origin` if present.
 *   With neither, the caller is not a browser (browsers send Origin on every POST/PUT/DELETE, since 2020 in all
 *   engines), so there is no ambient-cookie attack to stop: curl, the bench, scripts go through.
 * - Content types: the API takes `application/json` only (tRPC would parse FormData and octet-stream too, which a
 *   cross-origin <form> can send without a CORS preflight); form posts only where the app has a form (sign-in).
 * - Size: a declared Content-Length above the limit is refused before the body is read.
 */

/** Bytes a request body may have anywhere in the apps: the API's JSON and the sign-in form are far smaller. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A platform probes and scrapes these by IP or internal name (a Kubernetes httpGet, a load balancer, Prometheus at
 * menu:3000): no Host check. They change nothing, and the metrics have their own protection.
 */
const PROBE_PATHS = new Set(['/api/healthz', '/api/readyz', '/api/metrics']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const JSON_TYPE = 'application/json';
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

export interface GateOptions {
  /** Paths that take a same-origin form post (the driver app's sign-in); everywhere else refuses form bodies. */
  readonly formPaths?: readonly string[];
}

export type GateSettings = Pick<AppConfig, 'origins'>;

/** Why a request was refused, as an answer a person can read: JSON for the API (tRPC's error shape), text for pages. */
export type GateCode = 'FORBIDDEN' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'MISDIRECTED';

/** The refusal for `request`, or undefined when it may go on. */
export function gateRefusal(request: Request, settings: GateSettings, options: GateOptions = {}): Response | undefined {
  const url = new URL(request.url);
  const path = url.pathname;
  if (!PROBE_PATHS.has(path) && !hostAllowed(request.headers.get('host'), settings.origins)) {
    return refuse(
      path,
      421,
      'MISDIRECTED',
      'This server does not answer for that host name. Use the address the app is published at.',
    );
  }
  if (SAFE_METHODS.has(request.method)) return undefined;

  const crossSite = crossSiteReason(request.headers, settings.origins);
  if (crossSite) return refuse(path, 403, 'FORBIDDEN', crossSite);

  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > BODY_LIMIT_BYTES) return tooLarge(path);

  const type = mediaType(request.headers.get('content-type'));
  const formPath = options.formPaths?.includes(path) ?? false;
  const hasBody = declared !== null ? Number(declared) > 0 : request.headers.has('transfer-encoding');
  if (type === JSON_TYPE || (formPath && type !== undefined && FORM_TYPES.has(type))) return undefined;
  if (type === undefined && !hasBody) return undefined;
  return refuse(
    path,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    formPath
      ? 'This form takes application/json or a form post (application/x-www-form-urlencoded).'
      : 'This API takes application/json request bodies only.',
  );
}

/** The 413 the gate and the API handler both answer. */
export function tooLarge(path: string): Response {
  return refuse(
    path,
    413,
    'PAYLOAD_TOO_LARGE',
    `The request is too large: at most ${BODY_LIMIT_BYTES / 1024} KiB of body is accepted.`,
  );
}

/** Whether the Host header names one of the origins' hosts (host and port, as the browser sent them). */
export function hostAllowed(host: string | null, origins: readonly string[]): boolean {
  if (!host) return false;
  const wanted = host.toLowerCase();
  return origins.some((origin) => new URL(origin).host === wanted);
}

function crossSiteReason(headers: Headers, origins: readonly string[]): string | undefined {
  const origin = headers.get('origin');
  if (origin !== null) {
    return origins.includes(origin)
      ? undefined
      : 'This request came from another site (its Origin is not this app), so it was refused.';
  }
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return 'This request came from another site (Sec-Fetch-Site), so it was refused.';
  }
  return undefined;
}

/** "application/json; charset=utf-8" → "application/json"; undefined when there is none. */
function mediaType(header: string | null): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * A refusal in the shape its caller reads: tRPC's error JSON for the API (the apps' error messages show its
 * `message`), `{ message }` for the other API routes, text for a page.
 */
export function refuse(
  path: string,
  status: number,
  code: GateCode | 'BAD_REQUEST' | 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE',
  message: string,
  headers: Record<string, string> = {},
): Response {
  const common = { 'cache-control': 'no-store', ...headers };
  if (path.startsWith('/api/trpc')) {
    const rpcCode = code === 'MISDIRECTED' ? TRPC_ERROR_CODES_BY_KEY.BAD_REQUEST : TRPC_ERROR_CODES_BY_KEY[code];
    return Response.json(
      { error: { message, code: rpcCode, data: { code, httpStatus: status } } },
      { status, headers: common },
    );
  }
  if (path.startsWith('/api/')) return Response.json({ message }, { status, headers: common });
  return new Response(`${message}\n`, { status, headers: { ...common, 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * A 503 for a request the app cannot answer because a dependency a person can understand is away (the driver
 * accounts' database): the API's shapes as refuse() makes them, and for a page a small page of its own that says so
 * (no script, nothing loaded), with the same Retry-After.
 */
export function unavailable(path: string, title: string, message: string, retryAfterSeconds: number): Response {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  if (path.startsWith('/api/')) return refuse(path, 503, 'SERVICE_UNAVAILABLE', message, headers);
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="">Try again</a></p>
</main>
</body>
</html>
`;
  return new Response(page, {
    status: 503,
    headers: {
      ...headers,
      'cache-control': 'no-store',
      'content-type': 'text/html; charset=utf-8',
      // Nothing on this page runs or loads: its one style is inline.
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}
