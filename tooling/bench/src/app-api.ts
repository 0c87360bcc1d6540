/**
 * The apps' HTTP API as a browser calls it: the tRPC v11 fetch adapter (one non-batched call per request, no
 * transformer) and the driver sign-in route. Every call checks its status and the shape of its answer and throws
 * otherwise, so a failed call is never counted as a latency sample. Latency: request sent → body read.
 */
import { performance } from 'node:perf_hooks';

const REQUEST_TIMEOUT_MS = 30_000;

export const CUSTOMER_COOKIE = 'dd_customer';
/** Better Auth's session cookie for the driver app (plain http in the bench: no `__Secure-` prefix). */
export const DRIVER_COOKIE = 'dd_driver.session_token';

export interface Timed<T> {
  readonly ms: number;
  readonly value: T;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly ms: number;
}

export interface CreateOrderBody {
  readonly orderId: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly deliveryAddress: { readonly street: string; readonly city: string; readonly postalCode: string };
  readonly paymentMethod: string;
}

export interface CreatedOrder {
  readonly orderId: string;
  /**
   * The order's own charge time: its 'charging' transition to its 'paid' transition (workflow time). Undefined when
   * createOrder answered before the charge settled ('charging': the menu's checkout waits a bounded time, then shows
   * the order as it stands); the caller learns it once the order is paid.
   */
  readonly chargeMs?: number;
}

async function send(
  method: 'GET' | 'POST',
  url: string,
  options: { cookie?: string; json?: unknown; signal: AbortSignal },
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    redirect: 'manual',
    signal: AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}

function unexpected(what: string, answer: Answer, why = `HTTP ${answer.status}`): Error {
  const body = answer.body.length > 400 ? `${answer.body.slice(0, 400)}…` : answer.body;
  return new Error(`${what}: ${why}: ${body}`);
}

function expectOk(what: string, answer: Answer): void {
  if (answer.status !== 200) throw unexpected(what, answer);
}

/** `{"result":{"data":…}}`, the shape of a successful tRPC call. */
function trpcData(what: string, answer: Answer): unknown {
  expectOk(what, answer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw unexpected(what, answer, 'not JSON');
  }
  const result = record(parsed)?.result;
  const data = record(result)?.data;
  if (data === undefined) throw unexpected(what, answer, 'no result.data');
  return data;
}

/** `name=value` for a Cookie header, from the answer's Set-Cookie headers. */
function cookieFrom(what: string, answer: Answer, name: string): string {
  for (const header of answer.headers.getSetCookie()) {
    const [pair = ''] = header.split(';');
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  throw unexpected(what, answer, `no ${name} cookie set`);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A new customer identity: the menu's first page view sets it. */
export async function newCustomer(menuUrl: string, signal: AbortSignal): Promise<string> {
  const answer = await send('GET', `${menuUrl}/`, { signal });
  expectOk('GET / (menu)', answer);
  return cookieFrom('GET / (menu)', answer, CUSTOMER_COOKIE);
}

/** Signs a driver account in (see Stack.createDriver); the Cookie header of its session. */
export async function signInDriver(
  driverUrl: string,
  login: { readonly username: string; readonly password: string },
  signal: AbortSignal,
): Promise<string> {
  const { username, password } = login;
  const answer = await send('POST', `${driverUrl}/api/session`, { json: { username, password }, signal });
  expectOk('POST /api/session (driver)', answer);
  return cookieFrom('POST /api/session (driver)', answer, DRIVER_COOKIE);
}

/**
 * createOrder, expected to answer `paid` with the order's transitions, or `charging` when the charge outlasts the
 * checkout's wait (a real answer the menu shows: the order carries on). Anything else — declined, an error — throws.
 */
export async function createOrder(
  menuUrl: string,
  customerCookie: string,
  body: CreateOrderBody,
  signal: AbortSignal,
): Promise<Timed<CreatedOrder>> {
  const what = `createOrder ${body.orderId}`;
  const answer = await send('POST', `${menuUrl}/api/trpc/orders.createOrder`, {
    cookie: customerCookie,
    json: body,
    signal,
  });
  const data = record(trpcData(what, answer));
  if (data?.outcome === 'charging') return { ms: answer.ms, value: { orderId: body.orderId } };
  if (data?.outcome !== 'paid') throw unexpected(what, answer, `outcome ${String(data?.outcome)}, not paid`);
  const chargeMs = chargeTime(data.status);
  if (chargeMs === undefined) throw unexpected(what, answer, "no 'charging' and 'paid' transitions");
  return { ms: answer.ms, value: { orderId: body.orderId, chargeMs } };
}

/** 'charging' → 'paid' from an order status's transitions, or undefined without both. */
export function chargeTime(status: unknown): number | undefined {
  const transitions = record(status)?.transitions;
  const at = (state: string): number => {
    const transition = Array.isArray(transitions)
      ? transitions.map(record).find((entry) => entry?.state === state)
      : undefined;
    return typeof transition?.at === 'string' ? Date.parse(transition.at) : NaN;
  };
  const ms = at('paid') - at('charging');
  return Number.isFinite(ms) ? ms : undefined;
}

/** deliveries.waiting: one page of the orders waiting for a driver (one visibility query on the server). */
export async function waitingOrders(
  driverUrl: string,
  driverCookie: string,
  limit: number,
  signal: AbortSignal,
): Promise<Timed<{ readonly orders: number; readonly allPaid: boolean }>> {
  const input = encodeURIComponent(JSON.stringify({ limit }));
  const answer = await send('GET', `${driverUrl}/api/trpc/deliveries.waiting?input=${input}`, {
    cookie: driverCookie,
    signal,
  });
  const orders = record(trpcData('deliveries.waiting', answer))?.orders;
  if (!Array.isArray(orders)) throw unexpected('deliveries.waiting', answer, 'no orders list');
  return {
    ms: answer.ms,
    value: { orders: orders.length, allPaid: orders.every((order) => record(order)?.state === 'paid') },
  };
}

/** deliveries.pickUp, expected to leave the order picked up. */
export async function pickUp(
  driverUrl: string,
  driverCookie: string,
  orderId: string,
  signal: AbortSignal,
): Promise<Timed<string>> {
  const what = `pickUp ${orderId}`;
  const answer = await send('POST', `${driverUrl}/api/trpc/deliveries.pickUp`, {
    cookie: driverCookie,
    json: { orderId },
    signal,
  });
  const state = record(trpcData(what, answer))?.state;
  if (state !== 'pickedUp') throw unexpected(what, answer, `order left ${String(state)}, not pickedUp`);
  return { ms: answer.ms, value: orderId };
}

/**
 * orders.order (the order status) as the order page polls it, answering its HTTP status rather than throwing: a burst expects 429s.
 * A network error (the server dropped the connection) is status 0.
 */
export async function statusCall(
  menuUrl: string,
  customerCookie: string,
  orderId: string,
  signal: AbortSignal,
): Promise<Timed<number>> {
  const input = encodeURIComponent(JSON.stringify({ orderId }));
  const started = performance.now();
  try {
    const answer = await send('GET', `${menuUrl}/api/trpc/orders.order?input=${input}`, {
      cookie: customerCookie,
      signal,
    });
    return { ms: answer.ms, value: answer.status };
  } catch (error) {
    if (signal.aborted) throw error;
    return { ms: performance.now() - started, value: 0 };
  }
}

/** GET /api/healthz: its status (0 for a network error) and latency. */
export async function healthz(appUrl: string, signal: AbortSignal): Promise<Timed<number>> {
  const started = performance.now();
  try {
    const answer = await send('GET', `${appUrl}/api/healthz`, { signal });
    return { ms: answer.ms, value: answer.status };
  } catch (error) {
    if (signal.aborted) throw error;
    return { ms: performance.now() - started, value: 0 };
  }
}
