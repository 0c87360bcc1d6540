import 'server-only';
import { DRIVER_COOKIE, unsealIdentity } from '@durable-delivery/api/server';
import { cookies } from 'next/headers';
import { appConfig } from './config';

/** The signed-in driver, for server components; undefined when there is none (or the cookie is not ours). */
export async function signedInDriver(): Promise<{ id: string } | undefined> {
  return unsealIdentity((await cookies()).get(DRIVER_COOKIE)?.value, appConfig(), 'driver');
}
