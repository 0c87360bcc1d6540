import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Who may reach an internal endpoint: the checks every server of the project shares (the services, the codec server,
 * the worker's health server, the apps' /api/metrics), kept free of any web framework so each can use them.
 */

/**
 * A check of `Authorization: Bearer <secret>` in constant time (both sides hashed first, so neither the length nor
 * any prefix of the secret leaks through timing). Without a secret nothing matches: an endpoint is closed, not open.
 */
export function bearerCheck(secret: string | undefined): (authorization: string | null | undefined) => boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(secret ?? '');
  return (authorization) => {
    const header = authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    return timingSafeEqual(digest(given), expected) && Boolean(secret);
  };
}

/** What every 401 of an internal endpoint answers: the same for a missing and a wrong key, and nothing more. */
export const UNAUTHORIZED_BODY = { error: { type: 'authentication_error', message: 'Unauthorized.' } } as const;

/** What a request for a host name a server does not answer for gets (421 Misdirected Request). */
export const MISDIRECTED_BODY = {
  error: { type: 'invalid_request_error', message: 'This server does not answer for that host name.' },
} as const;

/** Host names every server answers for: the loopback ones. A server binding elsewhere adds its bind host. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/**
 * The host names a server answers for: loopback, the host it binds to (unless that is a wildcard such as 0.0.0.0),
 * and the comma-separated names of its `<PREFIX>_ALLOWED_HOSTS` (e.g. `payments,payments.internal`).
 */
export function allowedHosts(bindHost: string, configured: string | undefined): ReadonlySet<string> {
  const names = new Set<string>(LOOPBACK_HOSTS);
  if (!['0.0.0.0', '::', '[::]'].includes(bindHost)) names.add(normalizeHost(bindHost));
  for (const name of (configured ?? '').split(',')) if (name.trim()) names.add(normalizeHost(name.trim()));
  return names;
}

/**
 * Whether a request's Host header (`name`, `name:port`, `[v6]:port`) is an IP address or names one of `allowed`,
 * whatever the port. DNS rebinding needs a name (the attacker's, which this refuses); a browser that sends an IP
 * address was pointed at this server by that address, as Prometheus' service discovery and probes do (Vite's dev
 * server allows IP addresses for the same reason). A missing Host is refused: HTTP/1.1 requires it.
 */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!host) return false;
  const name = normalizeHost(host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, ''));
  return isIP(name) !== 0 || allowed.has(name);
}

function normalizeHost(name: string): string {
  return name
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** The variable every metrics endpoint's token comes from. */
export const METRICS_TOKEN_VARIABLE = 'METRICS_TOKEN';
