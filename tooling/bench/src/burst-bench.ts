/**
 * The burst part of `pnpm bench`: one client sends BURST concurrent orders.order (status) calls at once (the attack that
 * stalled the menu for two minutes, its health check taking 64 s), while other customers keep polling their orders
 * as the order page does (every 0.5 s) and a probe keeps calling /api/healthz. The menu runs on `next-serve` with its
 * default limits (src/server/limits.ts in @durable-delivery/api): the burst client should get 429s at once, everyone
 * else should not notice. Reports the other clients' p99 before and during the burst, the burst's answers by status
 * and the health check's latency. Loopback only; bounded by the burst's size, its fixed phases and --timeout.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { TEMPORAL_SERVER_TITLES, type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { createOrder, healthz, newCustomer, statusCall, type Timed } from './app-api';
import { startBenchStack, type AppsResources } from './app-stack';
import { orderBody } from './apps';
import { OPEN_ORDER_WINDOWS } from './open-orders';
import { fixed, latencyStats, table, type LatencyStats } from './report';

export interface BurstOptions {
  readonly server: TemporalServerKind;
  /** Concurrent calls from the one client. */
  readonly burst: number;
}

/** What "promptly" means for the others and the probe during the burst. */
export const BURST_TARGETS = { othersP99Ms: 1000, healthzMaxMs: 1000 } as const;

const run = promisify(execFile);

const POLLERS = 5;
const POLL_EVERY_MS = 500;
const HEALTH_EVERY_MS = 200;
const BASELINE_MS = 5_000;
/** The others keep polling this long after the burst's last answer. */
const AFTER_MS = 2_000;

interface Calls {
  readonly calls: number;
  /** Answers that were not 200, by status (0: the connection failed). */
  readonly notOk: Record<string, number>;
  readonly latencyMs: LatencyStats;
}

export interface BurstReport {
  readonly part: 'burst';
  readonly temporalServer: TemporalServerKind;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly settings: Record<string, string | number>;
  readonly burst: {
    readonly requests: number;
    /** Answers by HTTP status (0: the connection failed). */
    readonly statuses: Record<string, number>;
    readonly tooMany: number;
    /** From the first call sent to its last answer. */
    readonly seconds: number;
    readonly latencyMs: LatencyStats;
  };
  /** The other customers' polling, before the burst and while it lasted. */
  readonly others: { readonly before: Calls; readonly during: Calls };
  readonly healthz: { readonly before: Calls; readonly during: Calls };
  readonly targets: {
    readonly othersP99: { readonly targetMs: number; readonly actualMs?: number; readonly met: boolean };
    readonly healthzMax: { readonly targetMs: number; readonly actualMs?: number; readonly met: boolean };
    readonly burstRefused: { readonly tooMany: number; readonly met: boolean };
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolveDelay) => {
    const timer = setTimeout(resolveDelay, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolveDelay()), { once: true });
  });

/** Calls `call` every `everyMs` (one at a time, as a page polls) until `until` says stop; every answer, stamped. */
async function poll(
  call: () => Promise<Timed<number>>,
  everyMs: number,
  until: () => boolean,
  signal: AbortSignal,
): Promise<{ at: number; answer: Timed<number> }[]> {
  const seen: { at: number; answer: Timed<number> }[] = [];
  while (!until() && !signal.aborted) {
    const at = performance.now();
    seen.push({ at, answer: await call() });
    await sleep(Math.max(0, everyMs - (performance.now() - at)), signal);
  }
  return seen;
}

function summary(answers: readonly Timed<number>[]): Calls {
  const notOk: Record<string, number> = {};
  for (const { value } of answers) if (value !== 200) notOk[value] = (notOk[value] ?? 0) + 1;
  return { calls: answers.length, notOk, latencyMs: latencyStats(answers.map((answer) => answer.ms)) };
}

export async function burstBench(
  options: BurstOptions,
  resources: AppsResources,
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<BurstReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· burst: ${line}`);
  const { stack } = await startBenchStack(
    {
      server: options.server,
      label: 'bench-burst',
      parts: ['worker', 'menu'],
      // The menu's default limits, as shipped: only the transport differs (plain http, so cookies without Secure).
      apps: {
        COOKIE_SECURE: 'false',
        ORDER_PICKUP_WINDOW: OPEN_ORDER_WINDOWS.pickup,
        ORDER_DELIVERY_WINDOW: OPEN_ORDER_WINDOWS.delivery,
      },
    },
    resources,
    { signal, fail, progress },
  );
  const menu = stack.app('menu');

  // One order per customer: the pollers' and the burst client's, each polling its own.
  const runId = `b${Date.now().toString(36)}`;
  const customers: { cookie: string; orderId: string }[] = [];
  for (let index = 0; index <= POLLERS; index++) {
    const cookie = await newCustomer(menu.url, signal);
    const created = await createOrder(menu.url, cookie, orderBody(`${runId}-${index}`, index), signal);
    customers.push({ cookie, orderId: created.value.orderId });
  }
  const [attacker, ...others] = customers as [(typeof customers)[0], ...typeof customers];
  progress(
    `${others.length} customers polling their orders every ${POLL_EVERY_MS} ms; a probe every ${HEALTH_EVERY_MS} ms`,
  );

  // Warm-up, not measured: the first calls load the API route's modules and open the Temporal connection.
  for (let round = 0; round < 3; round++) {
    await Promise.all([
      ...customers.map((customer) => statusCall(menu.url, customer.cookie, customer.orderId, signal)),
      healthz(menu.url, signal),
    ]);
  }

  let stop = false;
  const polling = others.map((customer) =>
    poll(
      () => statusCall(menu.url, customer.cookie, customer.orderId, signal),
      POLL_EVERY_MS,
      () => stop,
      signal,
    ),
  );
  const probing = poll(
    () => healthz(menu.url, signal),
    HEALTH_EVERY_MS,
    () => stop,
    signal,
  );

  await sleep(BASELINE_MS, signal);
  progress(`burst: ${options.burst} concurrent orders.order (status) calls from one customer`);
  const burstStart = performance.now();
  const burst = await burstFromAnotherProcess(menu.url, attacker, options.burst, signal);
  const burstEnd = performance.now();
  await sleep(AFTER_MS, signal);
  stop = true;
  const polled = (await Promise.all(polling)).flat();
  const probed = await probing;

  const before = (seen: typeof polled) => seen.filter(({ at }) => at < burstStart).map(({ answer }) => answer);
  const during = (seen: typeof polled) =>
    seen.filter(({ at, answer }) => at + answer.ms >= burstStart && at <= burstEnd).map(({ answer }) => answer);
  const statuses: Record<string, number> = {};
  for (const { value } of burst) statuses[value] = (statuses[value] ?? 0) + 1;
  const othersDuring = summary(during(polled));
  const healthDuring = summary(during(probed));
  const tooMany = statuses['429'] ?? 0;
  return {
    part: 'burst',
    temporalServer: options.server,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    settings: {
      burst: options.burst,
      pollers: others.length,
      pollEveryMs: POLL_EVERY_MS,
      healthEveryMs: HEALTH_EVERY_MS,
      menu: 'next-serve (production build) on 127.0.0.1 with its default rate limits',
    },
    burst: {
      requests: burst.length,
      statuses,
      tooMany,
      seconds: (burstEnd - burstStart) / 1000,
      latencyMs: latencyStats(burst.map((answer) => answer.ms)),
    },
    others: { before: summary(before(polled)), during: othersDuring },
    healthz: { before: summary(before(probed)), during: healthDuring },
    targets: {
      othersP99: {
        targetMs: BURST_TARGETS.othersP99Ms,
        actualMs: othersDuring.latencyMs.p99,
        met:
          othersDuring.calls > 0 &&
          Object.keys(othersDuring.notOk).length === 0 &&
          (othersDuring.latencyMs.p99 ?? Infinity) < BURST_TARGETS.othersP99Ms,
      },
      healthzMax: {
        targetMs: BURST_TARGETS.healthzMaxMs,
        actualMs: healthDuring.latencyMs.max,
        met:
          healthDuring.calls > 0 &&
          Object.keys(healthDuring.notOk).length === 0 &&
          (healthDuring.latencyMs.max ?? Infinity) < BURST_TARGETS.healthzMaxMs,
      },
      burstRefused: { tooMany, met: tooMany > 0 },
    },
  };
}

/** The burst, sent by burst-client.js in its own process, so its answers do not hold up this one's measurements. */
async function burstFromAnotherProcess(
  menuUrl: string,
  client: { cookie: string; orderId: string },
  count: number,
  signal: AbortSignal,
): Promise<Timed<number>[]> {
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, 'burst-client.js'), menuUrl, client.cookie, client.orderId, String(count)],
    { signal, maxBuffer: 16 * 1024 * 1024 },
  );
  const { statuses, ms } = JSON.parse(stdout) as { statuses: number[]; ms: number[] };
  return statuses.map((value, index) => ({ value, ms: ms[index] ?? 0 }));
}

export function formatBurstReport(report: BurstReport): string {
  const ms = (value: number | undefined) => fixed(value, 1);
  const notOk = (calls: Calls) =>
    Object.entries(calls.notOk)
      .map(([status, count]) => `${count}×${status}`)
      .join(' ') || '-';
  const rows = [
    ['who', 'phase', 'calls', 'not 200', 'p50 ms', 'p99 ms', 'max ms'],
    ...(
      [
        ['other customers', 'before', report.others.before],
        ['other customers', 'during', report.others.during],
        ['/api/healthz', 'before', report.healthz.before],
        ['/api/healthz', 'during', report.healthz.during],
      ] as const
    ).map(([who, phase, calls]) => [
      who,
      phase,
      String(calls.calls),
      notOk(calls),
      ms(calls.latencyMs.p50),
      ms(calls.latencyMs.p99),
      ms(calls.latencyMs.max),
    ]),
  ];
  const statuses = Object.entries(report.burst.statuses)
    .map(([status, count]) => `${count}×${status}`)
    .join(', ');
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const { othersP99, healthzMax, burstRefused } = report.targets;
  return [
    '',
    `burst (${TEMPORAL_SERVER_TITLES[report.temporalServer]}): ${report.burst.requests} concurrent status calls ` +
      `from one customer, answered in ${report.burst.seconds.toFixed(2)} s: ${statuses}`,
    ...table(rows, 2),
    `targets: other customers' p99 during the burst < ${othersP99.targetMs} ms: ${ms(othersP99.actualMs)} ms ` +
      `(${verdict(othersP99.met)}); healthz max < ${healthzMax.targetMs} ms: ${ms(healthzMax.actualMs)} ms ` +
      `(${verdict(healthzMax.met)}); burst client refused with 429: ${burstRefused.tooMany} (${verdict(burstRefused.met)})`,
  ].join('\n');
}
