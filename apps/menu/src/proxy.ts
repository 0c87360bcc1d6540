import { CUSTOMER_COOKIE, customerCookie, newCustomerId, unsealIdentity } from '@durable-delivery/api/server';
import { NextResponse, type NextRequest } from 'next/server';
import { appConfig } from './server/config';

/**
 * Customers order without an account: the first visit gets a new customer id in a sealed, httpOnly cookie, and
 * that cookie is who they are from then on (order history, notifications). Issued here, before any page or API call
 * runs, so the requests of one page load never race to create two identities. This only issues identities; the
 * API checks the seal itself on every call.
 */
export async function proxy(request: NextRequest) {
  const config = appConfig();
  if (await unsealIdentity(request.cookies.get(CUSTOMER_COOKIE)?.value, config, 'customer')) return NextResponse.next();

  const { value, setCookie } = await customerCookie(newCustomerId(), config);
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
