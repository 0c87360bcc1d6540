import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from './config';
import { InFlight, forwardedAddress, tooMany } from './limits';

/**
 * The front gate: the cap on a client's API calls in flight, kept at the socket, before Next.js sees the request.
 *
 * Every request Next.js handles costs the server's one thread milliseconds of routing and proxy work before any app
 * code decides anything, so refusing a burst inside Next (src/proxy.ts, ./limits.ts) still queues everyone else
 * behind it: 1,000 concurrent calls from one client kept other customers waiting seven seconds. Here a refusal is a
 * map lookup and a short write. The app server (@durable-delivery/next-config's `next-serve`) asks this gate first.
 *
 * Counted per client and per address, with the same settings as the API's own limits (RATE_LIMIT_CONCURRENT,
 * RATE_LIMIT_PER_ADDRESS, TRUST_PROXY). The client is its Cookie header as sent: the gate does not open the sealed
 * identity (the API does, and counts the identity again), and a browser sends the same cookies on every call. A
 * script that varies its cookies is one client per call, so its address's cap is what holds it. Only tRPC calls are
 * counted: pages and assets come from browsers, which open at most six connections to a host, and live streams are
 * capped per customer where they are relayed.
 */
export interface FrontGate {
  /** True: the request may go on (its slots are freed when its answer ends). False: answered 429 here. */
  admit(request: IncomingMessage, response: ServerResponse): boolean;
  /** Requests in flight now, by key (for tests and diagnostics). */
  readonly inFlight: InFlight;
}

export function frontGate(config: Pick<AppConfig, 'rateLimits' | 'trustProxy'>): FrontGate {
  const inFlight = new InFlight(config.rateLimits);
  return {
    inFlight,
    admit(request, response) {
      const path = request.url ?? '/';
      if (!path.startsWith('/api/trpc')) return true;
      // Next.js sets X-Forwarded-For to the socket's address when a request has none: the address the API sees.
      const forwarded = request.headers['x-forwarded-for'] ?? request.socket.remoteAddress ?? '';
      const address = `ip:${forwardedAddress(Array.isArray(forwarded) ? forwarded.join(',') : forwarded, config.trustProxy)}`;
      const cookie = request.headers.cookie;
      const release = inFlight.take(cookie ? `cookie:${cookie}` : address, address);
      if (!release) {
        writeRefusal(tooMany(path.split('?')[0] as string, 1), response).catch(() => response.destroy());
        return false;
      }
      response.once('close', release);
      return true;
    },
  };
}

/** The refusal the API would have sent, written straight to the socket. */
async function writeRefusal(refusal: Response, response: ServerResponse): Promise<void> {
  const body = await refusal.text();
  response.writeHead(refusal.status, Object.fromEntries(refusal.headers));
  response.end(body);
}

/** The app's configuration, read and checked as the app reads it: the gate's settings are the API's. */
export { loadAppConfig, AppConfigError } from './config';
