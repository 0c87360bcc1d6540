import { CUSTOMER_COOKIE, customerSession, edgeHeaders, gateRefusal, limitRefusal } from '@durable-delivery/api/server';
import { NextResponse, type NextRequest } from 'next/server';
import { appConfig } from './server/config';

/** Probes and scrapes need no identity. */
const NO_IDENTITY = new Set(['/api/healthz', '/api/readyz', '/api/metrics']);

/**
 * Every request first passes the shared request gate (host, CSRF, content type, declared size: see
 * packages/api/src/server/gate.ts) and gets the shared headers (a per-request CSP nonce for pages, no-store for the
 * API, HSTS over HTTPS).
 *
 * Customers order without an account: the first visit gets a new customer id in a sealed, httpOnly cookie, and
 * that cookie is who they are from then on (order history, notifications). Issued here, before any page or API call
 * runs, so the requests of one page load never race to create two identities. This only issues identities; the
 * API checks the seal itself on every call.
 */
export async function proxy(request: NextRequest) {
  const config = appConfig();
  const refusal = gateRefusal(request, config);
  if (refusal) return refusal;

  // A first visit gets a new identity; a cookie sealed with a previous SESSION_SECRET, the same one sealed anew.
  const session = NO_IDENTITY.has(request.nextUrl.pathname)
    ? undefined
    : await customerSession(request.cookies.get(CUSTOMER_COOKIE)?.value, config);
  // A client already over its API limits is answered here, before the request is routed: see limitRefusal.
  const limited = await limitRefusal(request, config, session?.id);
  if (limited) return limited;
  // The current request already carries the new identity, so its page or API call sees the same customer.
  if (session?.reissued) request.cookies.set(CUSTOMER_COOKIE, session.reissued.value);
  const headers = edgeHeaders(request, config);
  const response = NextResponse.next({ request: { headers: headers.request } });
  for (const [name, value] of Object.entries(headers.response)) response.headers.set(name, value);
  if (session?.reissued) response.headers.append('set-cookie', session.reissued.setCookie);
  return response;
}

export const config = {
  // Everything but Next's static files, the dish pictures and the icons, which are the same for everyone.
  matcher: ['/((?!_next/static|_next/image|images/|favicon.ico|icon.svg).*)'],
};
