import 'server-only';
import { DRIVER_COOKIE, driverApiCaller } from '@durable-delivery/api/server';
import { cookies } from 'next/headers';
import { appConfig } from './config';

/** The driver API for server components, as the signed-in driver; UNAUTHORIZED for anyone else, as over HTTP. */
export async function driverApi() {
  // Cookies first: reading them is what makes the page render per request, so `next build` never gets to the
  // configuration (which a build has no secrets for).
  const sealed = (await cookies()).get(DRIVER_COOKIE)?.value;
  return driverApiCaller(appConfig(), sealed);
}
