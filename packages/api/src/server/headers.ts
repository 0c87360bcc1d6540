import type { AppConfig } from './config';

/** The request header a page reads its nonce from (`headers()`), for the apps' own inline scripts. */
export const NONCE_HEADER = 'x-nonce';

type HeaderSettings = Pick<AppConfig, 'production' | 'secureCookies'>;

/** A fresh nonce per page request: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/**
 * The page's Content-Security-Policy, Next's documented way: the proxy puts it on the request too, Next reads the
 * nonce from there and gives it to its own scripts, and the apps' inline scripts carry it (LocalTimeScript).
 * 'strict-dynamic' lets the scripts those load run. Styles may be inline: React and Next write style attributes
 * and the ones a nonce cannot cover; scripts never may. Development adds 'unsafe-eval', which React's
 * development build needs for its call stacks; production has neither eval nor inline script.
 */
export function contentSecurityPolicy(nonce: string, settings: HeaderSettings): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${settings.production ? '' : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers every answer of the app gets, by kind: API answers (which carry personal data) are never stored by a
 * browser or a cache; HSTS when the app is served over HTTPS (the same switch as Secure cookies: COOKIE_SECURE,
 * on by default in production), never on plain-http development, where a browser would ignore it anyway.
 */
export function responseHeaders(path: string, settings: HeaderSettings): Record<string, string> {
  return {
    ...(path.startsWith('/api/') ? { 'cache-control': 'no-store' } : {}),
    ...(settings.secureCookies ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}

/**
 * What an app's proxy passes on for an allowed request: the request headers the page or route sees (a page gets its
 * nonce and the CSP Next reads it from) and the headers its answer gets.
 */
export function edgeHeaders(
  request: Request,
  settings: HeaderSettings,
): { request: Headers; response: Record<string, string> } {
  const path = new URL(request.url).pathname;
  const headers = new Headers(request.headers);
  const response = responseHeaders(path, settings);
  headers.delete(NONCE_HEADER);
  if (!path.startsWith('/api/')) {
    const nonce = newNonce();
    const policy = contentSecurityPolicy(nonce, settings);
    headers.set(NONCE_HEADER, nonce);
    headers.set('content-security-policy', policy);
    response['content-security-policy'] = policy;
  }
  return { request: headers, response };
}
