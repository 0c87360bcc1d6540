import { randomUUID } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { sealData, unsealData } from 'iron-session';
import { ID_PATTERN } from '../schemas';
import type { AppConfig } from './config';

/**
 * Identity lives in signed, encrypted, httpOnly cookies sealed by iron-session (no hand-written crypto). The two
 * apps use different cookie names: on one host, cookies are shared across ports. Both are sealed with the same
 * secret, so the sealed data names its role too. (Drivers have accounts now, with server-side sessions:
 * @durable-delivery/accounts; no driver cookie is sealed here any more.)
 */
export const CUSTOMER_COOKIE = 'dd_customer';

const CUSTOMER_TTL_SECONDS = 365 * 24 * 60 * 60;

export type SessionRole = 'customer' | 'driver';

interface SessionData {
  readonly id: string;
  readonly role: SessionRole;
}

/** Customer ids as newCustomerId makes them. Cookies sealed before roles existed are honoured only for these. */
const CUSTOMER_ID_PATTERN = /^c-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type SessionSettings = Pick<AppConfig, 'sessionSecret' | 'secureCookies'>;

/** A new customer identity: customers order without an account, and the cookie is who they are. */
export function newCustomerId(): string {
  return `c-${randomUUID()}`;
}

async function seal(data: SessionData, settings: SessionSettings, ttl: number): Promise<string> {
  return sealData(data, { password: settings.sessionSecret, ttl });
}

/**
 * The identity a sealed cookie value carries for `role`, or undefined for a missing, tampered or expired one, or one
 * sealed for the other role. A customer cookie sealed before roles existed (no role, a customer id) still reads as
 * that customer, so nobody loses their order history; a driver signs in again.
 */
export async function unsealIdentity(
  sealed: string | undefined,
  settings: SessionSettings,
  role: SessionRole,
): Promise<{ id: string } | undefined> {
  if (!sealed) return undefined;
  try {
    const data = await unsealData<Partial<SessionData>>(sealed, { password: settings.sessionSecret });
    if (typeof data.id !== 'string' || !ID_PATTERN.test(data.id)) return undefined;
    const legacyCustomer = data.role === undefined && role === 'customer' && CUSTOMER_ID_PATTERN.test(data.id);
    return data.role === role || legacyCustomer ? { id: data.id } : undefined;
  } catch {
    return undefined;
  }
}

/** A cookie's value in a Cookie request header. */
export function cookieValue(cookieHeader: string | null | undefined, name: string): string | undefined {
  return cookieHeader ? parseCookies(cookieHeader)[name] : undefined;
}

function setCookie(name: string, value: string, settings: SessionSettings, maxAge: number): string {
  return serializeCookie(name, value, {
    httpOnly: true,
    secure: settings.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge,
  });
}

/** A Set-Cookie header value for a customer identity, and the sealed value itself (for the current request). */
export async function customerCookie(
  id: string,
  settings: SessionSettings,
): Promise<{ value: string; setCookie: string }> {
  const value = await seal({ id, role: 'customer' }, settings, CUSTOMER_TTL_SECONDS);
  return { value, setCookie: setCookie(CUSTOMER_COOKIE, value, settings, CUSTOMER_TTL_SECONDS) };
}
