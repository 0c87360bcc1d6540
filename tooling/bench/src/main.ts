#!/usr/bin/env node
/**
 * `pnpm bench`: how many full orders per second the real worker gets through a file-backed Temporal dev server,
 * against a no-op workflow of the same shape measured in the same run as the ceiling. Loopback only, bounded in
 * time, not part of the tests. Prints a table and writes JSON to bench-results/.
 *
 *   pnpm bench [--orders 300] [--concurrency 20,50] [--warmup 30] [--timeout 900] [--rate-prompt '1 minute']
 */
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startProjectDevServer } from '@durable-delivery/dev-server';
import { TEMPORAL_CLI_VERSION, freePort, type DevServer } from '@durable-delivery/temporal-server';
import { ORDER_TASK_QUEUE } from '@durable-delivery/workflows';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { historyLines } from './history';
import { noopActivities } from './noop-activities';
import { NOOP_TASK_QUEUE } from './noop-workflow';
import { runPhase, type PhaseContext, type PhaseResult } from './phase';
import { RssSampler } from './proc';
import { evaluateTargets, formatHistories, formatReport, type BenchReport, type ConcurrencyResult } from './report';
import { DEFAULT_RATE_PROMPT, benchWindows, ceiling, fullOrder, type Scenario } from './scenarios';
import { spawnWorker, waitForPollers, workerMainPath, type WorkerProcess } from './worker-process';

const REPO_ROOT = resolve(__dirname, '../../..');

interface Options {
  readonly orders: number;
  readonly concurrency: readonly number[];
  readonly warmup: number;
  readonly timeoutSeconds: number;
  readonly ratePrompt: string;
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
    },
  });
  const positive = (name: string, raw: string, min = 1) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}, got ${raw}`);
    return value;
  };
  return {
    orders: positive('orders', values.orders),
    concurrency: values.concurrency.split(',').map((part) => positive('concurrency', part.trim())),
    warmup: positive('warmup', values.warmup, 0),
    timeoutSeconds: positive('timeout', values.timeout),
    ratePrompt: values['rate-prompt'],
  };
}

/** Everything the bench starts, stopped in reverse order by close(), whatever state the run ended in. */
class Resources {
  tempDir?: string;
  server?: DevServer;
  connection?: Connection;
  nativeConnection?: NativeConnection;
  ceilingWorker?: { worker: Worker; running: Promise<void> };
  orderWorker?: WorkerProcess;
  workerRss?: RssSampler;

  async close(): Promise<void> {
    const steps: [string, () => Promise<void> | void][] = [
      ['RSS sampler', () => this.workerRss?.stop()],
      ['order worker', () => this.orderWorker?.stop()],
      [
        'ceiling worker',
        async () => {
          if (!this.ceilingWorker) return;
          if (this.ceilingWorker.worker.getState() === 'RUNNING') this.ceilingWorker.worker.shutdown();
          await this.ceilingWorker.running;
        },
      ],
      ['worker connection', () => this.nativeConnection?.close()],
      ['client connection', () => this.connection?.close()],
      ['dev server', () => this.server?.stop()],
      [
        'temp files',
        () => {
          if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
        },
      ],
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
  resources: Resources,
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<BenchReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· ${line}`);
  const workerMain = workerMainPath();

  // A fresh server per run: a temporary SQLite file (file-backed like `pnpm dev`, so writes cost what they cost
  // there), headless, on a free loopback port.
  resources.tempDir = mkdtempSync(join(os.tmpdir(), 'durable-delivery-bench-'));
  progress('starting the Temporal dev server');
  resources.server = await startProjectDevServer({
    port: await freePort(),
    headless: true,
    dbFilename: join(resources.tempDir, 'bench.sqlite'),
    // Its output stays off the report; the last lines still go into the error if it fails to start.
    stdio: 'pipe',
    log: () => undefined,
  });
  const { address } = resources.server;
  resources.connection = await Connection.connect({ address });
  const client = new Client({ connection: resources.connection });
  const { serverVersion } = await resources.connection.workflowService.getSystemInfo({});

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
  });
  const running = worker.run();
  running.catch((error: unknown) => fail(new Error(`the ceiling worker failed: ${String(error)}`)));
  resources.ceilingWorker = { worker, running };

  progress(`starting the worker: node ${workerMain}`);
  const orderWorker = spawnWorker(address);
  resources.orderWorker = orderWorker;
  void orderWorker.exited.then((code) =>
    fail(new Error(`the worker exited (code ${code}):\n${orderWorker.lastLines().join('\n')}`)),
  );
  await waitForPollers(resources.connection, ORDER_TASK_QUEUE, resources.orderWorker);
  await waitForPollers(resources.connection, NOOP_TASK_QUEUE);
  resources.workerRss = new RssSampler(resources.orderWorker.pid);
  // Idle: started and polling, before its first order.
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 2_000));
  const idleRss = resources.workerRss.takePeak();

  const context: PhaseContext = {
    client,
    serverPid: resources.server.pid,
    workerPid: resources.orderWorker.pid,
    workerRss: resources.workerRss,
    signal,
  };
  const runId = `b${Date.now().toString(36)}`;
  const order = fullOrder(benchWindows(options.ratePrompt));
  const run = async (scenario: Scenario, concurrency: number, orders: number, label: string) => {
    const result = await runPhase(context, scenario, { orders, concurrency, idPrefix: `${runId}-${label}-` });
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
  const afterRuns = resources.workerRss.takePeak();

  // The first order and ceiling workflow of the first measured run, event by event.
  const first = `${runId}-c${options.concurrency[0]}-0`;
  const sampleHistories = {
    order: await historyLines(client, order.workflowId(first)),
    ceiling: await historyLines(client, ceiling.workflowId(first)),
  };

  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: {
      platform: `${os.platform()} ${os.release()}`,
      arch: os.arch(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.versions.node,
    },
    versions: {
      temporalSdk: packageVersion('@temporalio/client'),
      temporalCli: TEMPORAL_CLI_VERSION,
      temporalServer: serverVersion ?? undefined,
    },
    git: gitState(),
    settings: {
      ordersPerRun: options.orders,
      concurrency: options.concurrency,
      warmupOrders: options.warmup,
      timeoutSeconds: options.timeoutSeconds,
      windows: benchWindows(options.ratePrompt),
      server: 'temporal server start-dev, SQLite file, headless, loopback',
      orderWorker: 'node apps/worker/dist/main.js (WORKER_LOG_LEVEL=WARN, payment and notification faults off)',
      ceilingWorker: 'in the bench process, no-op activities',
      workerOutputLines: resources.orderWorker.lineCount(),
    },
    workerRssMiB: { idle: idleRss, afterRuns },
    results,
    targets: evaluateTargets(results),
    sampleHistories,
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

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // The SDK's own signal handling would shut the ceiling worker down behind our back; we stop everything ourselves.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const resources = new Resources();
  const abort = new AbortController();
  // Every order in flight listens to this one signal (see runPhase); 50 listeners are expected, not a leak.
  setMaxListeners(0, abort.signal);
  let interrupted = false;
  let fail: (error: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      abort.abort();
      reject(error);
    };
    const timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`the bench did not finish within ${options.timeoutSeconds} s; aborted`));
    }, options.timeoutSeconds * 1000);
    timer.unref();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        interrupted = true;
        abort.abort();
        console.error(`\nbench: ${signal}, stopping the worker and the server…`);
        reject(new Error('interrupted'));
      });
    }
  });
  const running = bench(options, resources, abort.signal, (error) => fail(error));
  try {
    const report = await Promise.race([running, stopped]);
    console.log(formatReport(report));
    console.log(formatHistories(report.sampleHistories));
    const outDir = join(REPO_ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten to ${outFile}`);
    // Missed targets are a result, not a failure: the exit code says only whether the bench ran.
    return 0;
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return interrupted ? 130 : 1;
  } finally {
    // Closing the client under requests still in flight makes gRPC throw from a timer; once aborted, they end soon.
    await Promise.race([
      running.catch(() => undefined),
      new Promise((resolveDelay) => setTimeout(resolveDelay, 10_000)),
    ]);
    await resources.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
