import { RateLimiterMemory, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool as PgPool } from 'pg';
import { postgresLimiter } from '@durable-delivery/postgres-kit';
import { logJson } from '@durable-delivery/telemetry';
import type { AppConfig, RateLimitSettings } from './config';
import { MAX_BATCH_CALLS } from '../batch';
import { BODY_LIMIT_BYTES, refuse, tooLarge } from './gate';

/**
 * The API's limits, which need what the request gate (./gate.ts) cannot see: the body as it arrives, the procedures
 * a batch names and who is calling. They run in the tRPC handler, before tRPC parses anything:
 *
 * - the body is counted as it streams (a chunked body declares no length), and refused past BODY_LIMIT_BYTES;
 * - a batch names at most MAX_BATCH_CALLS procedures (the apps' batch link sends at most that many);
 * - per client, queries and mutations are rate limited with rate-limiter-flexible (each call of a batch counts),
 *   and at most `concurrent` requests are in flight: a burst is answered 429 at once, before any of it reaches
 *   Temporal, so one client cannot queue work in front of everyone else.
 *
 * The client is the identity the request carries (the customer or driver from the sealed cookie), and separately
 * its address with a budget `perAddress` times larger: a menu request without a cookie gets a new customer each
 * time, so the address is what limits a script that drops its cookies.
 */

export interface ApiCall {
  /** The identity the request carries, if any ('c-…', a driver id). */
  readonly clientId: string | undefined;
  /** The request, with its body already read and checked. */
  readonly request: Request;
}

type Limiters = {
  queries: PerClient;
  mutations: PerClient;
  inFlight: InFlight;
  /** Makes the PostgreSQL tables if they are not made yet (in the background; at most every few seconds). */
  makeTables: () => void;
};

interface PerClient {
  readonly client: RateLimiterAbstract;
  readonly address: RateLimiterAbstract;
}

/**
 * One set of counters per process and settings, found through globalThis: the app's proxy and its API route are
 * bundled apart, and each has its own copy of this module, but both must see the same counts.
 */
const REGISTRY = Symbol.for('durable-delivery.api-limits');
type Registry = Map<string, Limiters>;

/**
 * Wraps the tRPC handler: `handle` runs only for a request within every limit. `identify` reads the caller's identity
 * from the request (cheap: the sealed cookie, no I/O).
 */
export function limitedApi(
  config: Pick<AppConfig, 'rateLimits' | 'trustProxy'>,
  identify: (request: Request) => Promise<string | undefined>,
  handle: (call: ApiCall) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (original) => {
    const url = new URL(original.url);
    const path = url.pathname;
    const calls = url.searchParams.get('batch') === '1' ? path.slice(path.lastIndexOf('/') + 1).split(',').length : 1;
    if (calls > MAX_BATCH_CALLS) {
      return refuse(
        path,
        400,
        'BAD_REQUEST',
        `Too many procedure calls in one request: at most ${MAX_BATCH_CALLS} may be batched together.`,
      );
    }
    const limiters = limitersFor(config.rateLimits);
    limiters.makeTables();
    const clientId = await identify(original);
    const address = clientAddress(original.headers, config.trustProxy);
    const keys = [clientId ? `id:${clientId}` : undefined, `ip:${address}`].filter((key) => key !== undefined);

    // Checked and taken in one synchronous step: requests of a burst interleave at every await.
    const release = limiters.inFlight.take(keys[0] as string, `ip:${address}`);
    if (!release) return tooMany(path, 1);
    try {
      const kind = original.method === 'GET' ? limiters.queries : limiters.mutations;
      try {
        // The client's own budget first: calls it is refused must not spend its neighbours' shared one.
        if (clientId) await kind.client.consume(clientId, calls);
        await kind.address.consume(address, calls);
      } catch (error) {
        if (isOutOfPoints(error)) return tooMany(path, Math.ceil(error.msBeforeNext / 1000));
        throw error;
      }
      const request = await withCountedBody(original);
      if (!request) return tooLarge(path);
      return await handle({ clientId, request });
    } finally {
      release();
    }
  };
}

/**
 * The proxy's early answer (src/proxy.ts) for an API call from a client that is over a limit already: its requests
 * in flight at the cap, or its window spent. It consumes nothing (the API handler counts); it only spares the server
 * routing a request it would refuse, which is most of what a burst costs.
 */
export async function limitRefusal(
  request: Request,
  config: Pick<AppConfig, 'rateLimits' | 'trustProxy'>,
  clientId: string | undefined,
): Promise<Response | undefined> {
  const path = new URL(request.url).pathname;
  if (!path.startsWith('/api/trpc')) return undefined;
  const limiters = limitersFor(config.rateLimits);
  const address = clientAddress(request.headers, config.trustProxy);
  if (limiters.inFlight.full(clientId ? `id:${clientId}` : `ip:${address}`, `ip:${address}`)) return tooMany(path, 1);
  const kind = request.method === 'GET' ? limiters.queries : limiters.mutations;
  const spent = async (limiter: RateLimiterAbstract, key: string) => {
    const state = await limiter.get(key).catch(() => null);
    return state && state.consumedPoints > limiter.points ? state.msBeforeNext : undefined;
  };
  const wait = (clientId ? await spent(kind.client, clientId) : undefined) ?? (await spent(kind.address, address));
  return wait === undefined ? undefined : tooMany(path, Math.ceil(wait / 1000));
}

/**
 * consume()'s refusal: it rejects with a RateLimiterRes. Recognised by its shape, not its class: the limiters are
 * made by whichever bundle ran first (usually the proxy's), so their RateLimiterRes is from that bundle's copy of the
 * library, and `instanceof` in the API route's copy is false (which turned a burst's refusals into 500s).
 */
function isOutOfPoints(error: unknown): error is RateLimiterRes {
  return (
    typeof error === 'object' &&
    error !== null &&
    !(error instanceof Error) &&
    typeof (error as RateLimiterRes).msBeforeNext === 'number' &&
    typeof (error as RateLimiterRes).remainingPoints === 'number'
  );
}

/**
 * Requests in flight, counted per client and per address and capped: a client (its key names it; a client with no
 * identity is its address) at `concurrent`, an address at `concurrent × perAddress`. Shared by the API's limits and
 * the front gate (./front-gate.ts), each with its own counts.
 */
export class InFlight {
  private readonly counts = new Map<string, number>();

  constructor(private readonly settings: Pick<RateLimitSettings, 'concurrent' | 'perAddress'>) {}

  /** Whether a new request from this client at this address would be over either cap. */
  full(client: string, address: string): boolean {
    const { concurrent, perAddress } = this.settings;
    return (this.counts.get(client) ?? 0) >= concurrent || (this.counts.get(address) ?? 0) >= concurrent * perAddress;
  }

  /** Takes a slot for the client and its address; answers the slots' release, or undefined when either is full. */
  take(client: string, address: string): (() => void) | undefined {
    if (this.full(client, address)) return undefined;
    const keys = new Set([client, address]);
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left > 0) this.counts.set(key, left);
        else this.counts.delete(key);
      }
    };
  }

  /** The counts now, by key (for tests and diagnostics). */
  entries(): [string, number][] {
    return [...this.counts];
  }
}

export function tooMany(path: string, retryAfterSeconds: number): Response {
  const seconds = Math.max(1, retryAfterSeconds);
  return refuse(
    path,
    429,
    'TOO_MANY_REQUESTS',
    `Too many requests from you right now. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
    { 'retry-after': String(seconds) },
  );
}

/**
 * The client's address as Next reports it. Next sets X-Forwarded-For to the socket's address unless the
 * request already has one, and never appends: behind N proxies that each append, the address the nearest one saw is
 * N-1 places from the right. With no proxy (TRUST_PROXY=0) a client can name its own address; the identity limit
 * still holds it, and production runs behind a proxy that overwrites the header.
 */
export function clientAddress(headers: Headers, trustProxy: number): string {
  return forwardedAddress(headers.get('x-forwarded-for') ?? '', trustProxy);
}

/** clientAddress, from the X-Forwarded-For value itself. */
export function forwardedAddress(forwardedFor: string, trustProxy: number): string {
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const index = hops.length - Math.max(1, trustProxy);
  return hops[Math.max(0, index)] ?? 'unknown';
}

/** The request with its body read, or undefined when the body is larger than the limit (counted, not declared). */
async function withCountedBody(request: Request): Promise<Request | undefined> {
  if (!request.body) return request;
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const headers = new Headers(request.headers);
  headers.delete('transfer-encoding');
  headers.set('content-length', String(size));
  return new Request(request.url, { method: request.method, headers, body: Buffer.concat(chunks) });
}

function limitersFor(settings: RateLimitSettings): Limiters {
  const shared = globalThis as { [REGISTRY]?: Registry };
  const registry: Registry = (shared[REGISTRY] ??= new Map<string, Limiters>());
  const id = JSON.stringify(settings);
  let limiters: Limiters | undefined = registry.get(id);
  if (!limiters) {
    const store = settings.store.kind === 'postgres' ? postgresPool(settings.store.url) : undefined;
    const tables: (() => Promise<void>)[] = [];
    const make = (name: string, rate: { points: number; seconds: number }, factor: number) => {
      const options = { keyPrefix: `dd_${name}`, points: rate.points * factor, duration: rate.seconds };
      if (!store) return new RateLimiterMemory(options);
      const shared = postgresLimiter(
        {
          ...options,
          storeClient: store,
          storeType: 'pool',
          tableName: `rate_limits_${name}`,
          // A client over its limit is answered from memory until its window ends, not with a query per request;
          // if the database is down (or the table not made yet), each replica limits on its own in memory rather
          // than letting everyone through, or failing the app because its limits' database is away.
          inMemoryBlockOnConsumed: options.points,
          insuranceLimiter: new RateLimiterMemory(options),
        },
        {
          onTableError: (error) =>
            logJson('ERROR', 'rate limit table could not be created (tried again in a few seconds)', {
              table: `rate_limits_${name}`,
              error: error instanceof Error ? error.message : 'unknown error',
            }),
        },
      );
      tables.push(() => shared.ready());
      return shared.limiter;
    };
    limiters = {
      queries: { client: make('q', settings.queries, 1), address: make('qa', settings.queries, settings.perAddress) },
      mutations: {
        client: make('m', settings.mutations, 1),
        address: make('ma', settings.mutations, settings.perAddress),
      },
      inFlight: new InFlight(settings),
      // Not awaited: requests are answered meanwhile (by the insurance), and the tables are made once it answers.
      makeTables: () => tables.forEach((made) => void made().catch(() => undefined)),
    };
    limiters.makeTables();
    registry.set(id, limiters);
  }
  return limiters;
}

/** One pool per process, loaded only when configured (pg is not needed for the in-memory default). */
function postgresPool(url: string): PgPool {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as { Pool: new (options: object) => PgPool };
  const pool = new Pool({ connectionString: url, max: 5 });
  // An idle connection the database drops (a restart, a failover) is reported here, not thrown at the process; the
  // limiters count in memory until it answers again.
  pool.on('error', (error) => logJson('WARN', 'rate limit database connection lost', { error: error.message }));
  return pool;
}
