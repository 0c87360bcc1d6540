import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frontGate, loadAppConfig } from '../src/server/front-gate';

// The front gate over real HTTP: a loopback server that asks the gate first, as next-serve does, with a handler that
// holds every admitted call until the test lets it go (what a slow Temporal query looks like from the socket).

const config = (env: Record<string, string> = {}) =>
  loadAppConfig({ SESSION_SECRET: 'x'.repeat(32), RATE_LIMIT_CONCURRENT: '3', RATE_LIMIT_PER_ADDRESS: '2', ...env });

interface Harness {
  readonly url: string;
  readonly admitted: string[];
  release(): void;
  close(): Promise<void>;
}

async function gatedServer(
  env: Record<string, string> = {},
): Promise<Harness & { gate: ReturnType<typeof frontGate> }> {
  const gate = frontGate(config(env));
  const admitted: string[] = [];
  let held: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    if (!gate.admit(request, response)) return;
    admitted.push(request.url ?? '');
    held.push(() => response.end('{"result":{}}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    gate,
    url: `http://127.0.0.1:${port}`,
    admitted,
    release() {
      const now = held;
      held = [];
      for (const answer of now) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const call = (url: string, path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

/** Waits until the server has admitted `count` calls (they are held, so they stay in flight). */
async function admittedCount(harness: Harness, count: number): Promise<void> {
  for (let tries = 0; harness.admitted.length < count; tries++) {
    if (tries > 500) throw new Error(`only ${harness.admitted.length} of ${count} calls reached the handler`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the front gate (before Next.js)', () => {
  let harness: Awaited<ReturnType<typeof gatedServer>>;
  beforeEach(async () => {
    harness = await gatedServer();
  });
  afterEach(async () => {
    harness.release();
    await harness.close();
  });

  it("answers a client's calls beyond its in-flight cap with the API's 429, and admits it again once they end", async () => {
    const cookie = { cookie: 'dd_customer=sealed-a' };
    const first = Array.from({ length: 3 }, () => call(harness.url, '/api/trpc/orders.order?input=1', cookie));
    await admittedCount(harness, 3);
    const refused = await Promise.all(
      Array.from({ length: 20 }, () => call(harness.url, '/api/trpc/orders.order?input=1', cookie)),
    );
    expect(refused.map((response) => response.status)).toEqual(Array(20).fill(429));
    expect(refused[0]?.headers.get('retry-after')).toBe('1');
    expect(refused[0]?.headers.get('cache-control')).toBe('no-store');
    expect(await refused[0]?.json()).toEqual({
      error: {
        message: 'Too many requests from you right now. Please wait 1 second and try again.',
        code: -32029,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 },
      },
    });
    expect(harness.admitted).toHaveLength(3);

    harness.release();
    expect((await Promise.all(first)).map((response) => response.status)).toEqual([200, 200, 200]);
    // Its slots are free again: the next call is admitted (and nothing is left counted once it ends).
    const again = call(harness.url, '/api/trpc/orders.order?input=1', cookie);
    await admittedCount(harness, 4);
    harness.release();
    expect((await again).status).toBe(200);
    expect(harness.gate.inFlight.entries()).toEqual([]);
  });

  it('keeps clients apart, caps an address at RATE_LIMIT_PER_ADDRESS clients, and counts tRPC calls only', async () => {
    const held = [
      ...Array.from({ length: 3 }, () => call(harness.url, '/api/trpc/a', { cookie: 'dd_customer=one' })),
      ...Array.from({ length: 3 }, () => call(harness.url, '/api/trpc/a', { cookie: 'dd_customer=two' })),
    ];
    await admittedCount(harness, 6);
    // A third client at the same address: the address carries 3 × 2 calls already.
    expect((await call(harness.url, '/api/trpc/a', { cookie: 'dd_customer=three' })).status).toBe(429);
    // Another address (as the nearest proxy reports it, TRUST_PROXY=0: the header Next would set) is not held back.
    const elsewhere = call(harness.url, '/api/trpc/a', { 'x-forwarded-for': '203.0.113.9' });
    // Pages, assets and probes are not the gate's: they pass whatever the client has in flight.
    const page = call(harness.url, '/orders/1', { cookie: 'dd_customer=one' });
    const probe = call(harness.url, '/api/healthz', { cookie: 'dd_customer=one' });
    await admittedCount(harness, 9);
    expect(harness.admitted.slice(6).sort()).toEqual(['/api/healthz', '/api/trpc/a', '/orders/1']);
    harness.release();
    const statuses = (await Promise.all([...held, elsewhere, page, probe])).map((response) => response.status);
    expect(statuses).toEqual(Array(9).fill(200));
  });

  it('frees a slot when the client hangs up before its answer', async () => {
    const cookie = { cookie: 'dd_customer=gone' };
    const controller = new AbortController();
    const abandoned = Array.from({ length: 3 }, () =>
      fetch(`${harness.url}/api/trpc/a`, { headers: cookie, signal: controller.signal }).catch(() => 'aborted'),
    );
    await admittedCount(harness, 3);
    controller.abort();
    expect(await Promise.all(abandoned)).toEqual(['aborted', 'aborted', 'aborted']);
    for (let tries = 0; harness.gate.inFlight.entries().length > 0; tries++) {
      if (tries > 500) throw new Error(`still counted: ${JSON.stringify(harness.gate.inFlight.entries())}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const next = call(harness.url, '/api/trpc/a', cookie);
    await admittedCount(harness, 4);
    harness.release();
    expect((await next).status).toBe(200);
  });
});
