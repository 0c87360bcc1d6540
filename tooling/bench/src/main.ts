#!/usr/bin/env node
/**
 * `pnpm bench`: how many full orders per second the real worker gets through a Temporal server (the file-backed dev
 * server by default; `--server postgres` for the full server on PostgreSQL, `--server dev,postgres` for both, one
 * after the other),
 * against a no-op workflow of the same shape measured in the same run as the ceiling (the workflow part); then the
 * apps' HTTP endpoints on `next-serve` against their own server and worker: the driver list by open orders, and
 * createOrder and pickUp at a fixed rate (the apps part, see ./apps.ts); and one client's burst of 1,000 concurrent
 * status calls against the menu's limits while others poll (the burst part, see ./burst-bench.ts); and a driver's
 * pick-up to the customer's open order page, pushed and polled (the live part, see ./live-bench.ts). Loopback only, each part bounded in time
 * (--timeout), not part of the tests. Prints tables and writes JSON to bench-results/.
 *
 *   pnpm bench [--server dev|postgres|dev,postgres] [--only workflow|apps|worker|pages|burst|live] [--timeout 900]
 *              [--orders 300] [--concurrency 20,50] [--warmup 30] [--rate-prompt '1 minute']   (workflow part)
 *              [--open-loop-rate half|<orders/s>|0] [--open-loop-orders 270] [--open-loop-seconds 60]
 *              [--open-orders 100,1000,5000] [--rate-requests 200]                               (apps part)
 *              [--burst 1000]                                                                    (burst part)
 *              [--live-samples 20]                                                               (live part)
 */
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Stack } from '@durable-delivery/stack';
import {
  TEMPORAL_SERVER_KINDS,
  TEMPORAL_SERVER_TITLES,
  parseServerKind,
  type TemporalServerKind,
} from '@durable-delivery/temporal-cluster';
import { TEMPORAL_CLI_VERSION } from '@durable-delivery/temporal-server';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { SERVER_SETTINGS, appsBench, type AppsOptions } from './apps';
import { formatAppsReport, type AppsReport } from './apps-report';
import { formatWorkerReport, workerBench, type WorkerOptions, type WorkerReport } from './worker-bench';
import { renderHtmlReport } from './html-report';
import { formatPagesReport, pagesBench, type PagesOptions } from './pages-bench';
import { burstBench, formatBurstReport, type BurstOptions, type BurstReport } from './burst-bench';
import type { PagesReport } from './pages-report';
import { formatLiveReport, liveBench, type LiveOptions, type LiveReport } from './live-bench';
import { billableActions, describeActions } from './actions';
import { historyLines } from './history';
import { noopActivities } from './noop-activities';
import { NOOP_TASK_QUEUE } from './noop-workflow';
import {
  openLoopPlan,
  runPhase,
  type Arrivals,
  type OpenLoopSettings,
  type PhaseContext,
  type PhaseResult,
} from './phase';
import { RssSampler } from './proc';
import {
  evaluateTargets,
  fixed,
  formatHistories,
  formatOpenLoop,
  formatReport,
  table,
  type BenchReport,
  type ConcurrencyResult,
  type OpenLoopReport,
  RESULTS_DIR,
} from './report';
import { DEFAULT_RATE_PROMPT, benchWindows, ceiling, fullOrder, type Scenario } from './scenarios';
import { startBenchStack } from './app-stack';
import { waitForPollers } from './worker-process';

const REPO_ROOT = resolve(__dirname, '../../..');

const PARTS = ['workflow', 'apps', 'worker', 'pages', 'burst', 'live'] as const;
type Part = (typeof PARTS)[number];

interface Options {
  /** The servers to bench on, one after the other; each gets every part. */
  readonly servers: readonly TemporalServerKind[];
  /** Which parts run, in this order. */
  readonly parts: readonly Part[];
  readonly apps: Omit<AppsOptions, 'server'>;
  readonly worker: Omit<WorkerOptions, 'server'>;
  readonly pages: Omit<PagesOptions, 'server'>;
  readonly burst: Omit<BurstOptions, 'server'>;
  readonly live: Omit<LiveOptions, 'server'>;
  readonly orders: number;
  readonly concurrency: readonly number[];
  readonly warmup: number;
  readonly timeoutSeconds: number;
  readonly ratePrompt: string;
  /**
   * The open-loop run after the closed-loop ones: 'half' of the full order's rate at the lowest concurrency, a fixed
   * rate, or 0 for none; at most `orders` orders, and no more than `seconds` of arrivals at that rate.
   */
  readonly openLoop: OpenLoopSettings;
}

function parseOptions(argv: string[]): Options {
  // `pnpm bench -- --orders 50` may pass the "--" through; it means nothing here.
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      orders: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '20,50' },
      warmup: { type: 'string', default: '30' },
      timeout: { type: 'string', default: '900' },
      'rate-prompt': { type: 'string', default: DEFAULT_RATE_PROMPT },
      'open-loop-rate': { type: 'string', default: 'half' },
      'open-loop-orders': { type: 'string', default: '270' },
      'open-loop-seconds': { type: 'string', default: '60' },
      only: { type: 'string' },
      server: { type: 'string', default: 'dev' },
      'open-orders': { type: 'string', default: '100,1000,5000' },
      'rate-requests': { type: 'string', default: '200' },
      'worker-open-orders': { type: 'string', default: '2000' },
      'cold-starts': { type: 'string', default: '5' },
      'lighthouse-runs': { type: 'string', default: '5' },
      burst: { type: 'string', default: '1000' },
      'live-samples': { type: 'string', default: '20' },
    },
  });
  const positive = (name: string, raw: string, min = 1) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}, got ${raw}`);
    return value;
  };
  const only = values.only?.split(',').map((part) => part.trim());
  const unknown = only?.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown?.length) throw new Error(`--only takes ${PARTS.join(', ')} (comma-separated), got ${unknown.join(', ')}`);
  const openOrders = values['open-orders'].split(',').map((part) => positive('open-orders', part.trim()));
  if (openOrders.some((level, index) => index > 0 && level <= (openOrders[index - 1] ?? 0))) {
    throw new Error(`--open-orders must be increasing, got ${values['open-orders']}`);
  }
  const timeoutSeconds = positive('timeout', values.timeout);
  const openLoopRate = values['open-loop-rate'] === 'half' ? 'half' : Number(values['open-loop-rate']);
  if (openLoopRate !== 'half' && !(Number.isFinite(openLoopRate) && openLoopRate >= 0)) {
    throw new Error(`--open-loop-rate takes 'half', orders per second, or 0 for none; got ${values['open-loop-rate']}`);
  }
  const servers = [...new Set(values.server.split(',').map((part) => parseServerKind(part.trim(), '--server')))];
  // Always in the same order, so that a comparison run measures them alike.
  servers.sort((a, b) => TEMPORAL_SERVER_KINDS.indexOf(a) - TEMPORAL_SERVER_KINDS.indexOf(b));
  return {
    servers,
    parts: only === undefined ? PARTS : PARTS.filter((part) => only.includes(part)),
    apps: { openOrders, rateRequests: positive('rate-requests', values['rate-requests']), timeoutSeconds },
    worker: {
      openOrders: positive('worker-open-orders', values['worker-open-orders']),
      memorySteps: 4,
      coldStarts: positive('cold-starts', values['cold-starts']),
    },
    pages: {
      runs: positive('lighthouse-runs', values['lighthouse-runs']),
      chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    },
    burst: { burst: positive('burst', values.burst) },
    live: {
      samples: positive('live-samples', values['live-samples']),
      chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    },
    orders: positive('orders', values.orders),
    concurrency: values.concurrency.split(',').map((part) => positive('concurrency', part.trim())),
    warmup: positive('warmup', values.warmup, 0),
    timeoutSeconds,
    ratePrompt: values['rate-prompt'],
    openLoop: {
      rate: openLoopRate,
      orders: positive('open-loop-orders', values['open-loop-orders']),
      seconds: positive('open-loop-seconds', values['open-loop-seconds']),
    },
  };
}

/** Everything the bench starts, stopped in reverse order by close(), whatever state the run ended in. */
class Resources {
  /** The part's Temporal server and processes (@durable-delivery/stack). */
  stack?: Stack;
  nativeConnection?: NativeConnection;
  ceilingWorker?: { worker: Worker; running: Promise<void> };
  workerRss?: RssSampler;
  /** The live part's browser. */
  closeBrowser?: () => Promise<void>;

  async close(): Promise<void> {
    const steps: [string, () => Promise<void> | void][] = [
      ['browser', () => this.closeBrowser?.()],
      ['RSS sampler', () => this.workerRss?.stop()],
      [
        'ceiling worker',
        async () => {
          if (!this.ceilingWorker) return;
          if (this.ceilingWorker.worker.getState() === 'RUNNING') this.ceilingWorker.worker.shutdown();
          await this.ceilingWorker.running;
        },
      ],
      ['worker connection', () => this.nativeConnection?.close()],
      // Apps, worker processes, the client connection, the Temporal server and its data, in that order.
      ['stack', () => this.stack?.stop()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        console.error(`bench: stopping the ${name} failed: ${String(error)}`);
      }
    }
  }
}

/** `fail` ends the run at once: for a worker that dies mid-run, which would otherwise leave orders waiting. */
async function bench(
  options: Options,
  serverKind: TemporalServerKind,
  resources: Resources,
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<BenchReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· ${line}`);

  // A fresh server per run, its data in a temporary directory (the dev server's SQLite file is file-backed like
  // `pnpm dev`'s, so writes cost what they cost there), headless, on free loopback ports, and the order worker. Their
  // output stays off the report; the last lines still go into the error if one fails to start.
  const { stack, connection, client, serverVersion } = await startBenchStack(
    { server: serverKind, label: 'bench', parts: ['worker'] },
    resources,
    { signal, fail, progress },
  );
  const { address } = stack.temporal;
  const { dataConverter } = stack.encryption;
  const orderWorker = stack.workers[0]!.process;

  // The ceiling's worker runs here; bundling it takes a few seconds, outside every measurement.
  progress('bundling the ceiling workflow and starting its worker');
  const logger = new DefaultLogger('WARN');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./noop-workflow'), logger });
  resources.nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: resources.nativeConnection,
    taskQueue: NOOP_TASK_QUEUE,
    workflowBundle,
    activities: noopActivities,
    // The ceiling pays for the same codec as the order, so the ratio compares workflow work only.
    dataConverter,
  });
  const running = worker.run();
  running.catch((error: unknown) => fail(new Error(`the ceiling worker failed: ${String(error)}`)));
  resources.ceilingWorker = { worker, running };

  await waitForPollers(connection, NOOP_TASK_QUEUE);
  resources.workerRss = new RssSampler(orderWorker.pid);
  // Idle: started and polling, before its first order.
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 2_000));
  const idleRss = resources.workerRss.takePeak();

  const context: PhaseContext = {
    client,
    serverPids: stack.temporal.serverPids(),
    workerPid: orderWorker.pid,
    workerRss: resources.workerRss,
    signal,
  };
  const runId = `b${Date.now().toString(36)}`;
  const order = fullOrder(benchWindows(options.ratePrompt));
  const run = async (scenario: Scenario, concurrency: number, orders: number, label: string) => {
    const arrivals = { kind: 'closed', concurrency } as const;
    const result = await runPhase(context, scenario, { orders, arrivals, idPrefix: `${runId}-${label}-` });
    progress(
      `${label} ${scenario.name}: ${result.delivered}/${orders} delivered, ${result.ordersPerSecond.toFixed(1)}/s, ` +
        `p99 ${result.latencyMs.p99?.toFixed(0) ?? '-'} ms` +
        (result.errors.length > 0 ? `, ${result.errors.length} failed (first: ${result.errors[0]})` : ''),
    );
    return result;
  };

  if (options.warmup > 0) {
    const concurrency = Math.min(10, options.warmup);
    progress(`warm-up: ${options.warmup} orders of each at concurrency ${concurrency}`);
    await run(ceiling, concurrency, options.warmup, 'warmup');
    await run(order, concurrency, options.warmup, 'warmup');
  }

  const results: ConcurrencyResult[] = [];
  for (const [index, concurrency] of options.concurrency.entries()) {
    // Ceiling-order, then order-ceiling: the server's database grows through the run, and the machine is shared;
    // alternating the order spreads that drift over both.
    const scenarios = index % 2 === 0 ? [ceiling, order] : [order, ceiling];
    const byName: Partial<Record<Scenario['name'], PhaseResult>> = {};
    for (const scenario of scenarios) {
      byName[scenario.name] = await run(scenario, concurrency, options.orders, `c${concurrency}`);
    }
    const { ceiling: ceilingResult, order: orderResult } = byName as Record<Scenario['name'], PhaseResult>;
    results.push({
      concurrency,
      ceiling: ceilingResult,
      order: orderResult,
      ratio: orderResult.ordersPerSecond / ceilingResult.ordersPerSecond,
      closedRatio:
        orderResult.closedOrdersPerSecond !== undefined && ceilingResult.closedOrdersPerSecond !== undefined
          ? orderResult.closedOrdersPerSecond / ceilingResult.closedOrdersPerSecond
          : undefined,
    });
  }
  const openLoop = await runOpenLoop(options.openLoop, results, async (arrivals, orders) => {
    progress(`open loop: ${orders} orders at ${arrivals.perSecond.toFixed(2)}/s among ${arrivals.customers} customers`);
    const phase = await runPhase(context, order, { orders, arrivals, idPrefix: `${runId}-open-` });
    progress(
      `open loop: ${phase.delivered}/${orders} delivered, checkout p99 ` +
        `${phase.stepLatencyMs?.checkout.p99?.toFixed(0) ?? '-'} ms` +
        (phase.errors.length > 0 ? `, ${phase.errors.length} failed (first: ${phase.errors[0]})` : ''),
    );
    return phase;
  });
  const afterRuns = resources.workerRss.takePeak();

  // The first order and ceiling workflow of the first measured run, event by event.
  const first = `${runId}-c${options.concurrency[0]}-0`;
  const sampleHistories = {
    order: await historyLines(client, order.workflowId(first)),
    ceiling: await historyLines(client, ceiling.workflowId(first)),
  };
  // What that order would cost on Temporal Cloud, from its history (queries from UIs come on top: see docs/benchmark.md, "Capacity").
  const billable = billableActions(await client.workflow.getHandle(order.workflowId(first)).fetchHistory());

  return {
    ...runInfo(serverKind, startedAt, serverVersion),
    settings: {
      ordersPerRun: options.orders,
      concurrency: options.concurrency,
      warmupOrders: options.warmup,
      customers: 'one per lane: bench-customer-<lane>, ordering one after another',
      timeoutSeconds: options.timeoutSeconds,
      openLoop: options.openLoop,
      windows: benchWindows(options.ratePrompt),
      server: SERVER_SETTINGS[serverKind],
      orderWorker: 'node apps/worker/dist/main.js (WORKER_LOG_LEVEL=WARN, payment and notification faults off)',
      ceilingWorker: 'in the bench process, no-op activities',
      workerOutputLines: orderWorker.lineCount(),
    },
    workerRssMiB: { idle: idleRss, afterRuns },
    results,
    ...(openLoop ? { openLoop } : {}),
    targets: evaluateTargets(results, openLoop),
    sampleHistories,
    billableActionsPerOrder: billable,
  };
}

/** The open-loop run, when asked for (see openLoopPlan). */
async function runOpenLoop(
  settings: OpenLoopSettings,
  results: readonly ConcurrencyResult[],
  run: (arrivals: Extract<Arrivals, { kind: 'open' }>, orders: number) => Promise<PhaseResult>,
): Promise<OpenLoopReport | undefined> {
  const plan = openLoopPlan(settings, results);
  if (!plan) return undefined;
  const phase = await run(plan.arrivals, plan.orders);
  return { rateBasis: plan.rateBasis, phase };
}

/** What every report starts with: where, when, on which versions, from which commit. */
function runInfo(serverKind: TemporalServerKind, startedAt: Date, temporalServer: string | undefined) {
  return {
    serverKind,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: machineInfo(),
    versions: { temporalSdk: packageVersion('@temporalio/client'), temporalCli: TEMPORAL_CLI_VERSION, temporalServer },
    git: gitState(),
  };
}

function machineInfo(): BenchReport['machine'] {
  return {
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
  };
}

function packageVersion(name: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return json.version;
  } catch {
    return undefined;
  }
}

/** Which code was measured: the commit, and whether the tree had uncommitted changes. */
function gitState(): BenchReport['git'] {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain').length > 0 };
  } catch {
    return {};
  }
}

class Interrupted extends Error {}

/**
 * Runs one part of the bench with its own resources, stopped whatever happens, within `timeoutSeconds`; Ctrl-C or
 * `fail` (a process of the part died) end it at once.
 */
async function runPart<T>(
  name: Part,
  timeoutSeconds: number,
  run: (resources: Resources, signal: AbortSignal, fail: (error: Error) => void) => Promise<T>,
): Promise<T> {
  const resources = new Resources();
  const abort = new AbortController();
  // Every order in flight listens to this one signal (see runPhase); 50 listeners are expected, not a leak.
  setMaxListeners(0, abort.signal);
  const cleanups: (() => void)[] = [];
  let fail: (error: Error) => void = () => undefined;
  // Set once the part has ended: its processes exit because resources.close() stops them, which is no failure.
  let closing = false;
  const stopped = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      if (closing) return;
      // Said at once: while this part's processes and connections close, a client call still in flight can throw
      // from a timer and end the process before the rejection below is reported (a worker killed by its heap limit).
      console.error(`\nbench: the ${name} part failed: ${error.message}`);
      abort.abort();
      reject(error);
    };
    const timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`the ${name} bench did not finish within ${timeoutSeconds} s; aborted`));
    }, timeoutSeconds * 1000);
    timer.unref();
    cleanups.push(() => clearTimeout(timer));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const onSignal = () => {
        abort.abort();
        console.error(`\nbench: ${signal}, stopping the ${name} bench's processes and server…`);
        reject(new Interrupted('interrupted'));
      };
      process.once(signal, onSignal);
      cleanups.push(() => process.off(signal, onSignal));
    }
  });
  const running = run(resources, abort.signal, (error) => fail(error));
  try {
    return await Promise.race([running, stopped]);
  } finally {
    closing = true;
    // Closing the client under requests still in flight makes gRPC throw from a timer; once aborted, they end soon.
    await Promise.race([
      running.catch(() => undefined),
      new Promise((resolveDelay) => setTimeout(resolveDelay, 10_000)),
    ]);
    await resources.close();
    for (const cleanup of cleanups) cleanup();
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // The SDK's own signal handling would shut the ceiling worker down behind our back; we stop everything ourselves.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  try {
    const reports: Record<string, unknown>[] = [];
    for (const server of options.servers) reports.push(await benchOn(server, options));
    if (reports.length > 1) console.log(formatComparison(reports));
    // Missed targets are a result, not a failure: the exit code says only whether every part ran.
    const failed = reports.flatMap((report) => Object.keys((report.failures as object | undefined) ?? {}));
    if (failed.length) {
      console.error(`bench: ${failed.join(', ')} failed (see above); the other parts' figures are written`);
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof Interrupted ? 130 : 1;
  }
}

/** Every part on one server; prints its reports and writes them to one JSON file. */
async function benchOn(server: TemporalServerKind, options: Options): Promise<Record<string, unknown>> {
  console.log(`\n=== on the ${TEMPORAL_SERVER_TITLES[server]} ===`);
  const startedAt = new Date();
  let workflowReport: BenchReport | undefined;
  let appsReport: AppsReport | undefined;
  let workerReport: WorkerReport | undefined;
  let pagesReport: PagesReport | undefined;
  let burstReport: BurstReport | undefined;
  let liveReport: LiveReport | undefined;
  // A part that fails is reported and the others still run: one part's failure half an hour into a full run should
  // not cost the others' figures. The run still exits non-zero (see main).
  const failures: Partial<Record<Part, string>> = {};
  for (const part of options.parts) {
    try {
      await runOnePart(part);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      failures[part] = error instanceof Error ? error.message : String(error);
      console.error(`bench: the ${part} part failed, the others carry on: ${failures[part]}`);
    }
  }
  async function runOnePart(part: Part): Promise<void> {
    if (part === 'workflow') {
      workflowReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        bench(options, server, resources, signal, fail),
      );
      console.log(formatReport(workflowReport));
      if (workflowReport.openLoop) console.log(formatOpenLoop(workflowReport.openLoop));
      console.log(formatHistories(workflowReport.sampleHistories));
      console.log(
        `\nTemporal Cloud billable actions of that order: ${describeActions(workflowReport.billableActionsPerOrder)}`,
      );
    } else if (part === 'apps') {
      appsReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        appsBench({ ...options.apps, server }, resources, signal, fail),
      );
      console.log(formatAppsReport(appsReport, machineInfo()));
    } else if (part === 'worker') {
      workerReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        workerBench({ ...options.worker, server }, resources, signal, fail),
      );
      console.log(formatWorkerReport(workerReport));
    } else if (part === 'burst') {
      burstReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        burstBench({ ...options.burst, server }, resources, signal, fail),
      );
      console.log(formatBurstReport(burstReport));
    } else if (part === 'live') {
      liveReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        liveBench({ ...options.live, server }, resources, signal, fail),
      );
      console.log(formatLiveReport(liveReport));
    } else {
      pagesReport = await runPart(part, options.timeoutSeconds, (resources, signal, fail) =>
        pagesBench({ ...options.pages, server }, resources, signal, fail),
      );
      console.log(formatPagesReport(pagesReport));
    }
  }
  // The workflow part's report as it always was (when it ran), with the other parts' under their names.
  // Each part's own durationSeconds; without the workflow part, the top-level one is the whole run's.
  const report = {
    ...(workflowReport ?? runInfo(server, startedAt, appsReport?.temporalServer ?? workerReport?.temporalServer)),
    parts: options.parts,
    ...(appsReport ? { apps: appsReport } : {}),
    ...(workerReport ? { worker: workerReport } : {}),
    ...(pagesReport ? { pages: pagesReport } : {}),
    ...(burstReport ? { burst: burstReport } : {}),
    ...(liveReport ? { live: liveReport } : {}),
    ...(Object.keys(failures).length ? { failures } : {}),
  };
  const outDir = RESULTS_DIR;
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `bench-${server}-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  const htmlFile = outFile.replace(/\.json$/, '.html');
  const html = await renderHtmlReport(report);
  writeFileSync(htmlFile, html);
  writeFileSync(join(outDir, 'latest.html'), html);
  console.log(`\nwritten to ${outFile}\nreport:    ${htmlFile} (also bench-results/latest.html)`);
  return report;
}

/** Side by side, the workflow part's throughput on each server of this run. */
function formatComparison(reports: readonly Record<string, unknown>[]): string {
  const rows = [['server', 'conc', 'ceiling/s', 'orders/s', 'order p99 ms', 'srv CPU ms/order']];
  for (const report of reports) {
    const { serverKind, results } = report as Partial<BenchReport>;
    for (const result of results ?? []) {
      rows.push([
        serverKind ?? '?',
        String(result.concurrency),
        fixed(result.ceiling.ordersPerSecond, 1),
        fixed(result.order.ordersPerSecond, 1),
        fixed(result.order.latencyMs.p99, 0),
        fixed(result.order.cpuMsPerOrder.server, 1),
      ]);
    }
  }
  return ['', 'both servers, this run (same machine, one after the other):', ...table(rows, 1)].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
