import { createHash, randomUUID } from 'node:crypto';
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

type SessionSettings = Pick<AppConfig, 'sessionSecret' | 'previousSessionSecrets' | 'secureCookies'>;

/** A new customer identity: customers order without an account, and the cookie is who they are. */
export function newCustomerId(): string {
  return `c-${randomUUID()}`;
}

/**
 * Secret rotation is iron-session's own: a seal names the id of the password that made it, and unsealing takes a map
 * of ids to passwords. The id is derived from the secret, so it means the same secret for as long as that secret is
 * configured, whether as SESSION_SECRET or, after a rotation, in SESSION_SECRET_PREVIOUS; the operator only moves
 * secrets between two variables. Never 1: that is the id a plain string password seals with (see unsealPasswords).
 */
function passwordId(secret: string): number {
  return 2 + (createHash('sha256').update(`dd-session-password-id:${secret}`).digest().readUInt32BE(0) >>> 1);
}

/** Seals with the current secret only. */
function sealPassword(settings: SessionSettings): Record<number, string> {
  return { [passwordId(settings.sessionSecret)]: settings.sessionSecret };
}

/**
 * Unseals with any configured secret. Cookies sealed before rotation existed carry id 1 and were sealed by the
 * secret of that time: the oldest configured one, if it is still configured at all.
 */
function unsealPasswords(settings: SessionSettings): Record<number, string> {
  const secrets = [settings.sessionSecret, ...(settings.previousSessionSecrets ?? [])];
  const passwords: Record<number, string> = { 1: secrets[secrets.length - 1] ?? settings.sessionSecret };
  for (const secret of secrets) passwords[passwordId(secret)] = secret;
  return passwords;
}

/** Whether a seal (`Fe26.2*<password id>*…`) was made with the current secret. */
function sealedWithCurrentSecret(sealed: string, settings: SessionSettings): boolean {
  return sealed.split('*')[1] === String(passwordId(settings.sessionSecret));
}

async function seal(data: SessionData, settings: SessionSettings, ttl: number): Promise<string> {
  return sealData(data, { password: sealPassword(settings), ttl });
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
    const data = await unsealData<Partial<SessionData>>(sealed, { password: unsealPasswords(settings) });
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

/**
 * The customer a request's cookie names, and the cookie to set when it needs one (the menu's proxy, on every page
 * and API request): a new customer for a first visit or an unreadable cookie; the same customer, sealed again with
 * the current secret, for a cookie sealed with a previous one. So a rotation signs nobody out, and each customer
 * moves to the new secret on their next visit, keeping their id and with it their orders.
 */
export async function customerSession(
  sealed: string | undefined,
  settings: SessionSettings,
): Promise<{ id: string; reissued?: { value: string; setCookie: string } }> {
  const customer = await unsealIdentity(sealed, settings, 'customer');
  if (customer && sealed && sealedWithCurrentSecret(sealed, settings)) return customer;
  const id = customer?.id ?? newCustomerId();
  return { id, reissued: await customerCookie(id, settings) };
}
