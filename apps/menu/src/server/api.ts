import 'server-only';
import { CUSTOMER_COOKIE, customerApiCaller } from '@durable-delivery/api/server';
import { cookies } from 'next/headers';
import { appConfig } from './config';

/**
 * The customer API for server components, as the cookie's customer (the proxy has issued one before any page
 * renders): pages render their first data into the HTML, then the client's queries take over with it.
 */
export async function customerApi() {
  // Cookies first: reading them is what makes the page render per request, so `next build` never gets to the
  // configuration (which a build has no secrets for).
  const sealed = (await cookies()).get(CUSTOMER_COOKIE)?.value;
  return customerApiCaller(appConfig(), sealed);
}
