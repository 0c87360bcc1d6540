/** The numbers: percentiles, targets, the printed table and the JSON written to bench-results/. */
import { resolve } from 'node:path';
import { TEMPORAL_SERVER_TITLES, type TemporalServerKind } from '@durable-delivery/temporal-cluster';
import type { BillableActions } from './actions';
import { DEFAULT_RATE_PROMPT, STEPS } from './scenarios';
import { countByType } from './history';
import type { PhaseResult } from './phase';

/** Where a run's JSON and HTML reports and its stacks' logs go (gitignored). */
export const RESULTS_DIR = resolve(__dirname, '../../../bench-results');

export interface LatencyStats {
  readonly p50?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Nearest-rank percentiles: p99 of 300 orders is the third slowest, a real order's latency, not an interpolation. */
export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

export const TARGETS = { throughputRatio: 0.9, p99Ms: 2000, p99Concurrency: 20, checkoutP99Ms: 250 } as const;

/** The open-loop run after the closed-loop ones: orders arriving at a realistic rate, and what each one waits for. */
export interface OpenLoopReport {
  /** How the rate was chosen: "half of 9.1 orders/s at concurrency 20", or "--open-loop-rate". */
  readonly rateBasis: string;
  readonly phase: PhaseResult;
}

export interface ConcurrencyResult {
  readonly concurrency: number;
  readonly ceiling: PhaseResult;
  readonly order: PhaseResult;
  /** Full orders/s over ceiling orders/s, both measured to the last delivery. */
  readonly ratio: number;
  /** The same ratio with each run measured until its last workflow closed. */
  readonly closedRatio: number | undefined;
}

export interface BenchReport {
  /** Which Temporal server ran it. */
  readonly serverKind: TemporalServerKind;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: Record<string, string | number>;
  readonly versions: Record<string, string | undefined>;
  readonly git: { readonly commit?: string; readonly dirty?: boolean };
  readonly settings: Record<string, unknown> & { readonly windows: { readonly ratePrompt: string } };
  readonly workerRssMiB: { readonly idle?: number; readonly afterRuns?: number };
  readonly results: readonly ConcurrencyResult[];
  /** Absent when turned off (--open-loop-rate 0) or from a run made before it existed. */
  readonly openLoop?: OpenLoopReport;
  readonly targets: {
    readonly throughputRatio: { readonly target: number; readonly met: boolean; readonly worst?: number };
    readonly p99AtConcurrency20: { readonly targetMs: number; readonly actualMs?: number; readonly met?: boolean };
    /** Checkout sent → paid, p99, in the open-loop run at half capacity. */
    readonly checkoutP99AtHalfCapacity?: {
      readonly targetMs: number;
      readonly actualMs?: number;
      readonly met?: boolean;
    };
  };
  /** One order's and one ceiling workflow's history, event by event. */
  readonly sampleHistories: { readonly order: readonly string[]; readonly ceiling: readonly string[] };
  /** Temporal Cloud's billable actions of the sample order, from its history. */
  readonly billableActionsPerOrder: BillableActions;
}

export function evaluateTargets(
  results: readonly ConcurrencyResult[],
  openLoop?: OpenLoopReport,
): BenchReport['targets'] {
  const ratios = results.map((result) => result.ratio);
  const worst = ratios.length > 0 ? Math.min(...ratios) : undefined;
  const atTwenty = results.find((result) => result.concurrency === TARGETS.p99Concurrency);
  const actualMs = atTwenty?.order.latencyMs.p99;
  return {
    throughputRatio: {
      target: TARGETS.throughputRatio,
      met: worst !== undefined && worst >= TARGETS.throughputRatio,
      worst,
    },
    p99AtConcurrency20: {
      targetMs: TARGETS.p99Ms,
      actualMs,
      met: actualMs === undefined ? undefined : actualMs <= TARGETS.p99Ms,
    },
    ...(openLoop ? { checkoutP99AtHalfCapacity: checkoutTarget(openLoop) } : {}),
  };
}

function checkoutTarget(openLoop: OpenLoopReport) {
  const actualMs = openLoop.phase.stepLatencyMs?.checkout.p99;
  return {
    targetMs: TARGETS.checkoutP99Ms,
    actualMs,
    met: actualMs === undefined ? undefined : actualMs <= TARGETS.checkoutP99Ms,
  };
}

export function formatReport(report: BenchReport): string {
  const rows: string[][] = [
    [
      'conc',
      'workflow',
      'orders/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'closed/s',
      'events',
      'srv CPU ms',
      'wrk CPU ms',
      'bench CPU ms',
      'wrk RSS MiB',
      'errors',
    ],
  ];
  for (const result of report.results) {
    for (const phase of [result.ceiling, result.order]) {
      rows.push([
        String(result.concurrency),
        phase.workflow,
        fixed(phase.ordersPerSecond, 1),
        fixed(phase.latencyMs.p50, 0),
        fixed(phase.latencyMs.p99, 0),
        fixed(phase.latencyMs.max, 0),
        fixed(phase.closedOrdersPerSecond, 1),
        fixed(phase.eventsPerOrder, 1),
        fixed(phase.cpuMsPerOrder.server, 1),
        fixed(phase.cpuMsPerOrder.worker, 1),
        fixed(phase.cpuMsPerOrder.benchProcess, 1),
        fixed(phase.workerRssPeakMiB, 0),
        String(phase.errors.length + phase.stillRunning),
      ]);
    }
    rows.push([
      '',
      'order/ceiling',
      fixed(result.ratio, 2),
      '',
      '',
      '',
      fixed(result.closedRatio, 2),
      fixed(divide(result.order.eventsPerOrder, result.ceiling.eventsPerOrder), 2),
      fixed(divide(result.order.cpuMsPerOrder.server, result.ceiling.cpuMsPerOrder.server), 2),
    ]);
  }

  const { settings, machine, versions, targets } = report;
  const lines = [
    '',
    `Durable Delivery bench: ${String(settings.ordersPerRun)} orders per run, ${TEMPORAL_SERVER_TITLES[report.serverKind]} ` +
      `${versions.temporalServer ?? ''} on loopback, ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, ` +
      `SDK ${versions.temporalSdk ?? '?'}`,
    '',
    ...table(rows),
    '',
    'orders/s, p50/p99/max: first checkout → last deliver answered; latency per order from its checkout request to',
    "its deliver update's answer. closed/s: until the run's last workflow closed (the order's rating tail included).",
    `The order's rating prompt comes ${settings.windows.ratePrompt} after delivery (--rate-prompt): ` +
      (settings.windows.ratePrompt === DEFAULT_RATE_PROMPT
        ? 'its tail runs after the measured run and is drained before the next one.'
        : 'its tail runs inside the measured run.'),
    'events: history events per workflow. CPU: per order, until the last workflow closed; the ceiling worker runs',
    'inside the bench process (bench CPU), the order worker is its own process (wrk CPU).',
    '',
    `worker RSS: idle ${fixed(report.workerRssMiB.idle, 0)} MiB, after the runs ${fixed(report.workerRssMiB.afterRuns, 0)} MiB` +
      `, peak per run above`,
    '',
    `target: full orders/s ≥ ${TARGETS.throughputRatio * 100}% of the ceiling at every concurrency: ` +
      `${targets.throughputRatio.met ? 'MET' : 'MISSED'} (worst ${percent(targets.throughputRatio.worst)})`,
    `target: p99 checkout → delivered ≤ ${TARGETS.p99Ms} ms at concurrency ${TARGETS.p99Concurrency}: ` +
      (targets.p99AtConcurrency20.met === undefined
        ? 'NOT MEASURED'
        : `${targets.p99AtConcurrency20.met ? 'MET' : 'MISSED'} (${fixed(targets.p99AtConcurrency20.actualMs, 0)} ms)`),
    ...(targets.checkoutP99AtHalfCapacity
      ? [
          `target: checkout p99 ≤ ${TARGETS.checkoutP99Ms} ms at half capacity (open loop): ` +
            (targets.checkoutP99AtHalfCapacity.met === undefined
              ? 'NOT MEASURED'
              : `${targets.checkoutP99AtHalfCapacity.met ? 'MET' : 'MISSED'} ` +
                `(${fixed(targets.checkoutP99AtHalfCapacity.actualMs, 0)} ms)`),
        ]
      : []),
  ];
  return lines.join('\n');
}

/** The open-loop run: per request, what the customer (checkout) and the driver (pickUp, deliver) waited for. */
export function formatOpenLoop(openLoop: OpenLoopReport): string {
  const { phase } = openLoop;
  const rows = [['request', 'p50 ms', 'p99 ms', 'max ms']];
  const label = { checkout: 'checkout → paid', pickUp: 'pickUp', deliver: 'deliver' } as const;
  for (const step of STEPS) {
    const stats = phase.stepLatencyMs?.[step];
    rows.push([label[step], fixed(stats?.p50, 0), fixed(stats?.p99, 0), fixed(stats?.max, 0)]);
  }
  rows.push([
    'whole order',
    fixed(phase.latencyMs.p50, 0),
    fixed(phase.latencyMs.p99, 0),
    fixed(phase.latencyMs.max, 0),
  ]);
  return [
    '',
    `open loop at half capacity: ${phase.delivered}/${phase.orders} orders delivered, ` +
      `${fixed(phase.openLoop?.targetPerSecond, 2)} orders/s asked (${openLoop.rateBasis}), ` +
      `${fixed(phase.openLoop?.sentPerSecond, 2)}/s sent, at most ${phase.concurrency} in flight, ` +
      `${phase.openLoop?.customers ?? '?'} customers taking turns` +
      (phase.errors.length > 0 ? `, ${phase.errors.length} failed (first: ${phase.errors[0]})` : ''),
    ...table(rows, 1),
    'Each request from sent to answered: checkout is update-with-start answered once the charge settles (what the',
    "customer waits for after 'Place order'); pickUp and deliver are the driver's updates. Every order is picked up",
    'and delivered as soon as it is paid.',
    `worker CPU ${fixed(phase.cpuMsPerOrder.worker, 1)} ms/order, server CPU ${fixed(phase.cpuMsPerOrder.server, 1)} ms/order` +
      ` (until the run's last workflow closed)`,
  ].join('\n');
}

/** The sample order's and ceiling workflow's events, counted by type side by side. */
export function formatHistories(histories: BenchReport['sampleHistories']): string {
  const order = countByType(histories.order);
  const ceiling = countByType(histories.ceiling);
  const types = [...new Set([...order.keys(), ...ceiling.keys()])];
  const rows = [['event type', 'order', 'ceiling']];
  for (const type of types) rows.push([type, String(order.get(type) ?? 0), String(ceiling.get(type) ?? 0)]);
  rows.push(['total', String(histories.order.length), String(histories.ceiling.length)]);
  return ['', 'history of one order vs one ceiling workflow:', ...table(rows, 1)].join('\n');
}

/** Text columns on the left, numbers right-aligned after them. */
export function table(rows: readonly string[][], textColumns = 2): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(0)}%`;
}

function divide(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}
