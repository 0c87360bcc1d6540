import { CUSTOMER_COOKIE, customerSession } from '@durable-delivery/api/server';
import { NextResponse, type NextRequest } from 'next/server';
import { appConfig } from './server/config';

/**
 * Customers order without an account: the first visit gets a new customer id in a sealed, httpOnly cookie, and
 * that cookie is who they are from then on (order history, notifications). Issued here, before any page or API call
 * runs, so the requests of one page load never race to create two identities. This only issues identities; the
 * API checks the seal itself on every call.
 */
export async function proxy(request: NextRequest) {
  // A first visit gets a new identity; a cookie sealed with a previous SESSION_SECRET, the same one sealed anew.
  const session = await customerSession(request.cookies.get(CUSTOMER_COOKIE)?.value, appConfig());
  if (!session.reissued) return NextResponse.next();

  const { value, setCookie } = session.reissued;
  // The current request already carries the new identity, so its page or API call sees the same customer.
  request.cookies.set(CUSTOMER_COOKIE, value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.headers.append('set-cookie', setCookie);
  return response;
}

export const config = {
  // Pages and the API; not Next's static files, the dish pictures, the icon or the probes and scrapes (which need no identity).
  matcher: ['/((?!_next/static|_next/image|images/|favicon.ico|icon.svg|api/healthz|api/readyz|api/metrics).*)'],
};
