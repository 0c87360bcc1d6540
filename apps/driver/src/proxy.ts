import { edgeHeaders, gateRefusal, limitRefusal } from '@durable-delivery/api/server';
import { NextResponse, type NextRequest } from 'next/server';
import { driverOf, whileAccountsDown } from './server/accounts';
import { appConfig } from './server/config';

/** Where the sign-in and sign-out forms post (same-origin forms that work without JavaScript): the only form bodies the app takes. */
const FORM_PATHS = ['/api/session', '/api/session/sign-out', '/signin'];

/**
 * Every request first passes the shared request gate (host, CSRF, content type, declared size: see
 * packages/api/src/server/gate.ts) and gets the shared headers (a per-request CSP nonce for pages, no-store for the
 * API, HSTS over HTTPS).
 *
 * Pages and API calls look up the signed-in driver here: while the accounts database does not answer, they get a 503
 * that says so (whileAccountsDown) before anything renders. The other API routes read the session themselves (sign-in
 * and sign-out, which answer an outage in their own words) or not at all (probes and metrics, which must not fail
 * with the accounts' database).
 */
export async function proxy(request: NextRequest) {
  const config = appConfig();
  const refusal = gateRefusal(request, config, { formPaths: FORM_PATHS });
  if (refusal) return refusal;
  const path = request.nextUrl.pathname;
  const ownRoute = path.startsWith('/api/') && !path.startsWith('/api/trpc');
  return whileAccountsDown(request, async () => {
    // A client already over its API limits is answered here, before the request is routed: see limitRefusal.
    const driver = ownRoute ? undefined : await driverOf(request.headers);
    const limited = await limitRefusal(request, config, driver?.id);
    if (limited) return limited;
    const headers = edgeHeaders(request, config);
    const response = NextResponse.next({ request: { headers: headers.request } });
    for (const [name, value] of Object.entries(headers.response)) response.headers.set(name, value);
    return response;
  });
}

export const config = {
  // Everything but Next's static files and the icon, which are the same for everyone.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
