/** The apps part's numbers: the driver list by open orders, createOrder and pickUp at a fixed rate, the targets. */
import { TEMPORAL_SERVER_TITLES, type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { fixed, table, type LatencyStats } from './report';

export const APPS_TARGETS = {
  /** The driver list at this many open orders answers (p99 of its calls) in under listMs. */
  listAtOpenOrders: 1000,
  listMs: 100,
  /** The list's median grows less than this factor from growthFrom to growthTo open orders. */
  growthFrom: 100,
  growthTo: 5000,
  growth: 2,
  /** createOrder's p99 stays under the charge time's p99 plus this. */
  createOrderMarginMs: 50,
} as const;

export interface ListLevelResult {
  readonly openOrders: number;
  /** Orders created through the Temporal client to reach this level (set-up, not measured), and how fast. */
  readonly setup: { readonly orders: number; readonly seconds: number; readonly ordersPerSecond: number };
  /** Seconds from the last order created until visibility counted every open order. */
  readonly visibilityWaitSeconds: number;
  readonly warmupCalls: number;
  readonly calls: number;
  /** Rows each call returned (the page size, or fewer when fewer orders are open). */
  readonly rowsPerCall: number;
  readonly latencyMs: LatencyStats;
  /** CPU per measured call, from /proc: the Temporal server and the driver app's process. */
  readonly cpuMsPerCall: { readonly server?: number; readonly driverApp?: number };
}

export interface RateResult {
  readonly requests: number;
  readonly targetPerSecond: number;
  /** Requests sent per second, measured over the send times (open loop: nothing waits for an answer). */
  readonly sentPerSecond: number;
  /** Answers per second, from the first request sent to the last answer: below the rate, the stack fell behind. */
  readonly answeredPerSecond: number;
  /** How late the bench sent a request against its schedule, at worst: the sender's own lag. */
  readonly maxSendLagMs: number;
  readonly latencyMs: LatencyStats;
  /** Every request's latency, in the order sent (0.1 ms), for the report's distributions. */
  readonly samplesMs?: readonly number[];
  /** CPU per request, first request sent → last answer: the Temporal server, the worker, the app called, the bench. */
  readonly cpuMsPerRequest: {
    readonly server?: number;
    readonly worker?: number;
    readonly app?: number;
    readonly bench: number;
  };
}

export interface AppsReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly temporalServer?: string;
  readonly serverKind: TemporalServerKind;
  readonly settings: Record<string, unknown>;
  readonly list: readonly ListLevelResult[];
  readonly createOrder: RateResult & {
    /**
     * Answers 'charging': the charge outlasted the checkout's bounded wait. Their latency is that wait; their charge
     * time is read once paid. Optional: runs before it was recorded had none (every answer had to be 'paid').
     */
    readonly answeredCharging?: number;
    /** Each order's charge time from its transitions: 'charging' → 'paid', workflow time on the server. */
    readonly chargeMs: LatencyStats;
    /** Per order answered 'paid', createOrder's latency minus its own charge time: what the HTTP path adds. */
    readonly overheadMs: LatencyStats;
  };
  readonly pickUp: RateResult;
  readonly targets: {
    readonly listAt1000: {
      readonly targetMs: number;
      readonly p99Ms?: number;
      readonly p50Ms?: number;
      readonly met?: boolean;
    };
    readonly listGrowth: {
      readonly target: number;
      readonly fromOpenOrders: number;
      readonly toOpenOrders: number;
      readonly ratio?: number;
      readonly met?: boolean;
    };
    readonly createOrderP99: {
      readonly marginMs: number;
      readonly chargeP99Ms?: number;
      readonly limitMs?: number;
      readonly actualMs?: number;
      readonly met?: boolean;
    };
  };
}

export function evaluateAppsTargets(
  list: readonly ListLevelResult[],
  createOrder: AppsReport['createOrder'],
): AppsReport['targets'] {
  const at = (openOrders: number) => list.find((level) => level.openOrders === openOrders)?.latencyMs;
  const listAt = at(APPS_TARGETS.listAtOpenOrders);
  const from = at(APPS_TARGETS.growthFrom)?.p50;
  const to = at(APPS_TARGETS.growthTo)?.p50;
  const ratio = from !== undefined && to !== undefined && from > 0 ? to / from : undefined;
  const chargeP99Ms = createOrder.chargeMs.p99;
  const limitMs = chargeP99Ms === undefined ? undefined : chargeP99Ms + APPS_TARGETS.createOrderMarginMs;
  const actualMs = createOrder.latencyMs.p99;
  return {
    listAt1000: {
      targetMs: APPS_TARGETS.listMs,
      p99Ms: listAt?.p99,
      p50Ms: listAt?.p50,
      met: listAt?.p99 === undefined ? undefined : listAt.p99 < APPS_TARGETS.listMs,
    },
    listGrowth: {
      target: APPS_TARGETS.growth,
      fromOpenOrders: APPS_TARGETS.growthFrom,
      toOpenOrders: APPS_TARGETS.growthTo,
      ratio,
      met: ratio === undefined ? undefined : ratio < APPS_TARGETS.growth,
    },
    createOrderP99: {
      marginMs: APPS_TARGETS.createOrderMarginMs,
      chargeP99Ms,
      limitMs,
      actualMs,
      met: limitMs === undefined || actualMs === undefined ? undefined : actualMs < limitMs,
    },
  };
}

const count = (value: number) => value.toLocaleString('en-US');

function verdict(met: boolean | undefined, detail: string): string {
  return met === undefined ? 'NOT MEASURED' : `${met ? 'MET' : 'MISSED'} (${detail})`;
}

export function formatAppsReport(report: AppsReport, machine: Record<string, string | number>): string {
  const calls = report.list[0]?.calls ?? 0;
  const listRows: string[][] = [
    ['open orders', 'p50 ms', 'p99 ms', 'mean ms', 'rows', 'srv CPU ms', 'app CPU ms', 'set-up/s', 'listed after s'],
  ];
  for (const level of report.list) {
    listRows.push([
      count(level.openOrders),
      fixed(level.latencyMs.p50, 1),
      fixed(level.latencyMs.p99, 1),
      fixed(level.latencyMs.mean, 1),
      String(level.rowsPerCall),
      fixed(level.cpuMsPerCall.server, 1),
      fixed(level.cpuMsPerCall.driverApp, 1),
      fixed(level.setup.ordersPerSecond, 0),
      fixed(level.visibilityWaitSeconds, 1),
    ]);
  }

  const { createOrder, pickUp, targets } = report;
  const rateRows: string[][] = [
    [
      '',
      'requests',
      'p50 ms',
      'p99 ms',
      'max ms',
      'mean ms',
      'sent/s',
      'answered/s',
      'send lag ms',
      'srv CPU ms',
      'wrk CPU ms',
      'app CPU ms',
      'bench CPU ms',
    ],
  ];
  const rateRow = (name: string, result: RateResult): string[] => [
    name,
    String(result.requests),
    fixed(result.latencyMs.p50, 0),
    fixed(result.latencyMs.p99, 0),
    fixed(result.latencyMs.max, 0),
    fixed(result.latencyMs.mean, 0),
    fixed(result.sentPerSecond, 1),
    fixed(result.answeredPerSecond, 1),
    fixed(result.maxSendLagMs, 1),
    fixed(result.cpuMsPerRequest.server, 1),
    fixed(result.cpuMsPerRequest.worker, 1),
    fixed(result.cpuMsPerRequest.app, 1),
    fixed(result.cpuMsPerRequest.bench, 1),
  ];
  const statsRow = (name: string, stats: LatencyStats): string[] => [
    name,
    '',
    fixed(stats.p50, 0),
    fixed(stats.p99, 0),
    fixed(stats.max, 0),
    fixed(stats.mean, 0),
  ];
  rateRows.push(
    rateRow('createOrder', createOrder),
    statsRow('  charge (charging → paid)', createOrder.chargeMs),
    statsRow('  createOrder − charge', createOrder.overheadMs),
    rateRow('pickUp', pickUp),
  );

  const { listAt1000, listGrowth, createOrderP99 } = targets;
  return [
    '',
    `Durable Delivery apps bench: both apps on \`next-serve\` (production builds) → ${TEMPORAL_SERVER_TITLES[report.serverKind]} ` +
      `${report.temporalServer ?? ''} on loopback, one worker process, ${machine.cpus} CPUs (${machine.cpuModel}), ` +
      `Node ${machine.node}`,
    '',
    `driver list (GET deliveries.waiting, limit ${String(report.settings.listLimit)}) by open orders: ${calls} ` +
      `sequential calls after ${report.list[0]?.warmupCalls ?? 0} warm-ups at each level`,
    ...table(listRows, 1),
    `p99 of ${calls} calls is the slowest call. CPU: per call, Temporal server (srv) and driver app (app) processes.`,
    'set-up/s: open orders created per second through the Temporal client (not measured); listed after: until ' +
      'visibility counted them all.',
    '',
    `createOrder, then pickUp on those orders, at ${String(report.settings.ratePerSecond)} requests/s (open loop; ` +
      `${report.list.length > 0 ? count(report.list[report.list.length - 1]?.openOrders ?? 0) : 'no'} other orders open)`,
    ...table(rateRows, 1),
    ...(createOrder.answeredCharging
      ? [
          `${createOrder.answeredCharging} of ${createOrder.requests} createOrder answered 'charging' (the charge ` +
            "outlasted the checkout's wait; their latency is that wait); pickUp was sent once they were paid.",
        ]
      : []),
    'latency: request sent → answer read, through HTTP. charge: per order, from its status transitions. answered/s:',
    'first request sent → last answer. send lag: the sender behind schedule, at worst. CPU: per request, first sent',
    `→ last answer; the app is the one called (menu, driver). ${String(machine.cpus)} CPUs give ` +
      `${fixed((Number(machine.cpus) * 1000) / Number(report.settings.ratePerSecond), 0)} ms of CPU per request ` +
      `at ${String(report.settings.ratePerSecond)}/s.`,
    '',
    `target: driver list at ${count(APPS_TARGETS.listAtOpenOrders)} open orders < ${APPS_TARGETS.listMs} ms (p99): ` +
      verdict(listAt1000.met, `p99 ${fixed(listAt1000.p99Ms, 1)} ms, p50 ${fixed(listAt1000.p50Ms, 1)} ms`),
    `target: driver list p50 grows < ${APPS_TARGETS.growth}× from ${count(listGrowth.fromOpenOrders)} to ` +
      `${count(listGrowth.toOpenOrders)} open orders: ` +
      verdict(listGrowth.met, `${fixed(listGrowth.ratio, 2)}×`),
    `target: createOrder p99 < charge p99 + ${APPS_TARGETS.createOrderMarginMs} ms: ` +
      verdict(
        createOrderP99.met,
        `${fixed(createOrderP99.actualMs, 0)} ms vs ${fixed(createOrderP99.chargeP99Ms, 0)} + ` +
          `${APPS_TARGETS.createOrderMarginMs} = ${fixed(createOrderP99.limitMs, 0)} ms`,
      ),
  ].join('\n');
}
