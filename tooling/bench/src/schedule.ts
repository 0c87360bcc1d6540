/**
 * An open loop: requests sent on a fixed schedule, each without waiting for earlier answers, so a slow answer does
 * not slow the rate down (as customers arriving do not wait for each other). Shared by the apps part (createOrder
 * and pickUp over HTTP) and the workflow part (whole orders at half capacity).
 */
import { performance } from 'node:perf_hooks';

export interface Scheduled<T> {
  /** Every request sent, in the order sent. */
  readonly outcomes: readonly PromiseSettledResult<T>[];
  /** When each was sent (performance.now()). */
  readonly sendTimes: readonly number[];
  /** How late the bench sent a request against its schedule, at worst: the sender's own lag. */
  readonly maxSendLagMs: number;
  /** The most requests in flight at once. */
  readonly maxInFlight: number;
  /** When the last answer came (performance.now()). */
  readonly endedAt: number;
}

const sleep = (ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms));

/**
 * Sends `count` requests, one every `intervalMs` from the first, while `keepGoing()` holds; waits for every answer.
 * A request that fails is an outcome like any other: the caller decides what a failure means.
 */
export async function onSchedule<T>(
  count: number,
  intervalMs: number,
  keepGoing: () => boolean,
  send: (index: number) => Promise<T>,
): Promise<Scheduled<T>> {
  const pending: Promise<T>[] = [];
  const sendTimes: number[] = [];
  let maxSendLagMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const started = performance.now();
  for (let index = 0; index < count && keepGoing(); index++) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (!keepGoing()) break;
    const now = performance.now();
    maxSendLagMs = Math.max(maxSendLagMs, now - due);
    sendTimes.push(now);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const request = send(index);
    pending.push(request);
    // Counted down however it ends; the rejection itself is read from the settled outcomes below.
    request.then(
      () => (inFlight -= 1),
      () => (inFlight -= 1),
    );
  }
  const outcomes = await Promise.allSettled(pending);
  return { outcomes, sendTimes, maxSendLagMs, maxInFlight, endedAt: performance.now() };
}

/** Requests sent per second over the send times (NaN with fewer than two). */
export function sentPerSecond(sendTimes: readonly number[]): number {
  const first = sendTimes[0];
  const last = sendTimes[sendTimes.length - 1];
  return first !== undefined && last !== undefined && last > first
    ? ((sendTimes.length - 1) * 1000) / (last - first)
    : NaN;
}
