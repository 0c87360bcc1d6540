/**
 * The HTML report, rendered by the built `report` command from a run's JSON: every figure is drawn, every caption
 * names the machine, versions and settings, and nothing on the page points off the page.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@durable-delivery/jest-config/temp-dir';
import type { BenchOutput } from '../src/html-report';

const run = promisify(execFile);

const latency = (p50: number, p99: number) => ({ p50, p99, max: p99, mean: p50 });
const phase = (ordersPerSecond: number, p50: number, p99: number) =>
  ({
    workflow: 'order',
    concurrency: 20,
    orders: 300,
    delivered: 300,
    errors: [],
    ordersPerSecond,
    latencyMs: latency(p50, p99),
    closedOrdersPerSecond: ordersPerSecond,
    closed: { COMPLETED: 300 },
    stillRunning: 0,
    eventsPerOrder: 43,
    historyBytesPerOrder: 9000,
    cpuMsPerOrder: { benchProcess: 1 },
  }) as const;

/** A run with every part, small and made up: the numbers are the test's, the shapes are the bench's. */
const fixture = {
  startedAt: '2026-12-01T10:00:00.000Z',
  machine: { platform: 'linux 6.1', arch: 'x64', cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, node: '20.20.2' },
  versions: { temporalSdk: '1.24.0', temporalCli: '1.5.1', temporalServer: '1.29.1' },
  git: { commit: '0123456789abcdef', dirty: false },
  parts: ['workflow', 'apps', 'worker', 'pages'],
  settings: {
    ordersPerRun: 300,
    warmupOrders: 30,
    server: 'dev server',
    orderWorker: 'node apps/worker/dist/main.js',
    windows: { ratePrompt: '1 minute' },
  },
  results: [20, 50].map((concurrency) => ({
    concurrency,
    order: { ...phase(17.3, 1140, 1401), concurrency },
    ceiling: { ...phase(14.7, 900, 1200), workflow: 'ceiling', concurrency },
    ratio: 17.3 / 14.7,
    closedRatio: 1.1,
  })),
  openLoop: {
    rateBasis: 'half of 17.30 orders/s at concurrency 20',
    phase: {
      ...phase(8.6, 700, 900),
      orders: 270,
      delivered: 270,
      concurrency: 9,
      stepLatencyMs: { checkout: latency(180, 262), pickUp: latency(60, 90), deliver: latency(70, 110) },
      openLoop: { targetPerSecond: 8.65, sentPerSecond: 8.64, maxSendLagMs: 3, customers: 20 },
    },
  },
  targets: {
    throughputRatio: { target: 0.9, met: true, worst: 1.14 },
    p99AtConcurrency20: { targetMs: 2000, actualMs: 1401, met: true },
    checkoutP99AtHalfCapacity: { targetMs: 250, actualMs: 262, met: false },
  },
  apps: {
    serverKind: 'dev',
    startedAt: '2026-12-01T10:10:00.000Z',
    durationSeconds: 300,
    settings: { listLimit: 20, listCalls: 20, ratePerSecond: 20, apps: 'next start' },
    list: [100, 1000, 5000].map((openOrders, index) => ({
      openOrders,
      setup: { orders: openOrders, seconds: 10, ordersPerSecond: openOrders / 10 },
      visibilityWaitSeconds: 1,
      warmupCalls: 2,
      calls: 20,
      rowsPerCall: 20,
      latencyMs: latency(20 + index, 35 + index),
      cpuMsPerCall: {},
    })),
    createOrder: {
      requests: 4,
      targetPerSecond: 20,
      sentPerSecond: 20,
      answeredPerSecond: 19,
      maxSendLagMs: 1,
      latencyMs: latency(120, 180),
      samplesMs: [110, 120, 130, 180],
      cpuMsPerRequest: { bench: 1 },
      answeredCharging: 1,
      chargeMs: latency(100, 150),
      overheadMs: latency(20, 30),
    },
    pickUp: {
      requests: 4,
      targetPerSecond: 20,
      sentPerSecond: 20,
      answeredPerSecond: 20,
      maxSendLagMs: 1,
      latencyMs: latency(40, 60),
      samplesMs: [38, 40, 45, 60],
      cpuMsPerRequest: { bench: 1 },
    },
    targets: {
      listAt1000: { targetMs: 100, p99Ms: 36, p50Ms: 21, met: true },
      listGrowth: { target: 2, fromOpenOrders: 100, toOpenOrders: 5000, ratio: 1.1, met: true },
      createOrderP99: { marginMs: 50, chargeP99Ms: 150, limitMs: 200, actualMs: 180, met: true },
    },
  },
  worker: {
    startedAt: '2026-12-01T10:20:00.000Z',
    durationSeconds: 100,
    settings: { worker: 'node apps/worker/dist/main.js', memory: 'RSS', coldStart: 'spawn → poll' },
    coldStartMs: [900, 800, 850],
    memory: {
      idleMiB: 160,
      samples: [
        { openOrders: 0, rssMiB: 160 },
        { openOrders: 2000, rssMiB: 560 },
      ],
      perOpenOrderMiB: 0.2,
    },
    targets: {
      idle: { targetMiB: 300, actualMiB: 160, met: true },
      perOpenOrder: { targetMiB: 0.25, actualMiB: 0.2, met: true },
      coldStart: { targetMs: 1000, medianMs: 850, met: true },
    },
  },
  pages: {
    startedAt: '2026-12-01T10:30:00.000Z',
    durationSeconds: 200,
    settings: {
      lighthouse: '12.8.2',
      runs: 5,
      hostCpu: 'Lighthouse benchmarkIndex 900',
      formFactor: 'mobile',
      throttling: 'simulate',
      chromium: '156',
    },
    pages: [
      {
        name: 'menu',
        path: '/',
        showing: 'the menu',
        runs: 5,
        scores: { performance: 97, accessibility: 100, 'best-practices': 100, seo: 100 },
        performanceRuns: [96, 97, 97, 98, 99],
        metrics: [
          { name: 'LCP', value: 1300, target: 1200, display: '1.3 s' },
          { name: 'CLS', value: 0, target: 0.02, display: '0' },
          { name: 'TBT', value: 20, target: 50, display: '20 ms' },
        ],
        checks: [{ name: 'performance', target: '≥ 98', actual: '97', met: false }],
        failingAudits: { performance: ['largest-contentful-paint'] },
      },
      {
        name: 'floor: sign-in',
        path: '/signin',
        showing: 'a sign-in form',
        reference: 'what the framework costs on its own',
        runs: 5,
        scores: { performance: 96, accessibility: 100, 'best-practices': 100, seo: 100 },
        performanceRuns: [95, 96, 96, 98, 99],
        metrics: [
          { name: 'LCP', value: 900, target: 1200, display: '0.9 s' },
          { name: 'CLS', value: 0, target: 0.02, display: '0' },
          { name: 'TBT', value: 140, target: 50, display: '140 ms' },
        ],
        checks: [{ name: 'TBT', target: '≤ 50 ms', actual: '140 ms', met: false }],
        failingAudits: { performance: ['total-blocking-time'] },
      },
    ],
  },
} satisfies BenchOutput;

let html: string;
let figuresDir: string;
beforeAll(async () => {
  const dir = tempDir('bench-report-');
  const file = join(dir, 'bench-test.json');
  figuresDir = join(dir, 'figures');
  writeFileSync(file, JSON.stringify(fixture));
  await run(process.execPath, [resolve(__dirname, '../dist/render-report.js'), file, '--figures', figuresDir]);
  html = readFileSync(join(dir, 'bench-test.html'), 'utf8');
});

const figureIds = [
  'throughput',
  'order-latency',
  'open-loop',
  'driver-list',
  'app-latency',
  'worker-memory',
  'cold-start',
  'lighthouse-scores',
  'lighthouse-metrics',
];

function figure(id: string): string {
  const start = html.indexOf(`<figure id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

describe('the benchmark HTML report', () => {
  it('draws a picture for every figure the run has data for, in order', () => {
    const ids = [...html.matchAll(/<figure id="([^"]+)">/g)].map((match) => match[1]);
    expect(ids).toEqual(figureIds);
    for (const id of figureIds) expect(figure(id)).toMatch(/<svg[^>]*>[\s\S]*<path/);
  });

  it('plots the run’s own data: its axis labels and values', () => {
    expect(figure('throughput')).toContain('c=20');
    expect(figure('throughput')).toContain('orders per second');
    expect(figure('driver-list')).toContain('open orders (log scale)');
    expect(figure('worker-memory')).toContain('target: 300 MiB + 0.25 MiB per open order');
    expect(figure('cold-start')).toContain('start 3');
    expect(figure('open-loop')).toContain('checkout → paid');
    expect(figure('open-loop')).toContain('milliseconds from sent to answered');
    expect(figure('lighthouse-scores')).toContain('menu');
  });

  it('says in every caption the machine, the versions and the settings of its numbers', () => {
    for (const id of figureIds) {
      const caption = /<figcaption>([\s\S]*?)<\/figcaption>/.exec(figure(id))?.[1] ?? '';
      expect(caption).toContain('2 × Test CPU, 24 GiB');
      expect(caption).toContain('Temporal SDK 1.24.0, CLI 1.5.1, server 1.29.1');
      expect(caption).toContain('commit 0123456789');
      expect(caption).toMatch(/Settings:<\/strong> \w+/);
    }
    expect(figure('lighthouse-scores')).toContain(
      'lighthouse: 12.8.2; runs: 5; hostCpu: Lighthouse benchmarkIndex 900; formFactor: mobile',
    );
    expect(figure('open-loop')).toContain(
      '270 orders arriving at 8.65/s (half of 17.30 orders/s at concurrency 20), 20 customers taking turns',
    );
    expect(figure('app-latency')).toContain(
      "1 of 4 createOrder answered 'charging' (the charge outlasted the checkout's wait)",
    );
  });

  it('lists every target with what was measured, marking the missed ones', () => {
    expect(html).toContain('<td>menu: performance</td><td>≥ 98</td><td>97</td><td><strong>missed</strong></td>');
    expect(html).toContain('<td>Worker cold start (median)</td><td>≤ 1000 ms</td><td>850 ms</td><td>met</td>');
    expect(html).toContain(
      '<td>Checkout → paid p99 at half capacity (open loop)</td><td>≤ 250 ms</td><td>262.0 ms</td><td><strong>missed</strong></td>',
    );
  });

  it('names a part that failed, and why, above the figures of the parts that ran', async () => {
    const dir = tempDir('bench-report-');
    const file = join(dir, 'bench-failed.json');
    const { apps: _apps, ...withoutApps } = fixture;
    writeFileSync(file, JSON.stringify({ ...withoutApps, failures: { apps: 'createOrder x: outcome charging' } }));
    await run(process.execPath, [resolve(__dirname, '../dist/render-report.js'), file]);
    const page = readFileSync(join(dir, 'bench-failed.html'), 'utf8');
    expect(page).toContain('<li><strong>apps</strong> failed: createOrder x: outcome charging</li>');
    expect(page).not.toContain('<figure id="driver-list">');
    expect(page).toContain('<figure id="worker-memory">');
  });

  it('shows a reference page beside the others, named as one and given no verdict', () => {
    expect(html).toContain('<td>floor: sign-in: TBT (reference)</td><td>≤ 50 ms</td><td>140 ms</td><td>-</td>');
    expect(figure('lighthouse-scores')).toContain(
      'floor: sign-in (/signin): a sign-in form — what the framework costs',
    );
  });

  it('writes each figure as an SVG image of its own on request, the same picture as in the page', () => {
    expect(readdirSync(figuresDir).sort()).toEqual(figureIds.map((id) => `${id}.svg`).sort());
    for (const id of figureIds) {
      const svg = readFileSync(join(figuresDir, `${id}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(figure(id)).toContain(svg.trim());
    }
  });

  it('needs nothing from the network: no script, stylesheet, image or font from anywhere', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i);
    // The only URLs are SVG's XML namespaces, which name a vocabulary and are never fetched.
    const urls = [...html.matchAll(/(?:src|href|url)\s*[=(]\s*["']?([^"')\s>]+)/gi)].map((match) => match[1]);
    expect(urls).toEqual([]);
    const addresses = [...html.matchAll(/https?:\/\/[^\s"'<)]+/g)].map((match) => match[0]);
    expect(new Set(addresses)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });
});
