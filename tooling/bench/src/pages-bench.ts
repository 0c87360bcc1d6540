/**
 * The pages part of `pnpm bench`: Lighthouse on the apps' production pages (`next-serve`) in Debian's Chromium, on
 * Lighthouse's default phone settings (mobile emulation, simulated slow 4G and a 4× slower CPU), several runs per
 * page and the median kept, as Lighthouse recommends. Each page shows real data while it is measured: the menu, an
 * order in progress, a customer's order history, and a driver's list of orders waiting for pickup — and, for
 * reference, the driver's sign-in page, which has almost nothing of its own: the framework's share of every page.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOrder, newCustomer, signInDriver } from './app-api';
import type { TemporalServerKind } from '@durable-delivery/temporal-cluster';
import { startAppStack, type AppsResources } from './app-stack';
import { createOpenOrders } from './open-orders';
import {
  PAGE_TARGETS,
  type LighthouseCategory,
  type PageCheck,
  type PageMetric,
  type PageResult,
  type PagesReport,
} from './pages-report';

export interface PagesOptions {
  readonly server: TemporalServerKind;
  readonly runs: number;
  readonly chromiumPath: string;
}

/** Debian's Chromium, headless, and off the network: without the background-networking flags it calls home. */
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CATEGORIES: readonly LighthouseCategory[] = ['performance', 'accessibility', 'best-practices', 'seo'];
/** Enough waiting orders to fill the driver's first page, as a busy evening would. */
const OPEN_ORDERS = 30;

interface PageToMeasure {
  readonly name: string;
  readonly origin: string;
  readonly path: string;
  /** Signed in as whom; none for a page anyone sees. */
  readonly cookie?: string;
  readonly showing: string;
  readonly reference?: string;
}

/** A Lighthouse result, as far as this part reads it. */
interface Lhr {
  readonly lighthouseVersion: string;
  /** Lighthouse's own measure of the host's CPU speed, taken at every run. */
  readonly environment?: { readonly benchmarkIndex?: number };
  readonly runtimeError?: { readonly code: string; readonly message: string };
  readonly categories: Record<
    string,
    { readonly score: number | null; readonly auditRefs: readonly { id: string; weight: number }[] }
  >;
  readonly audits: Record<
    string,
    {
      readonly score: number | null;
      readonly numericValue?: number;
      readonly displayValue?: string;
      readonly details?: { readonly items?: readonly { readonly description?: string; readonly url?: string }[] };
    }
  >;
}

export async function pagesBench(
  options: PagesOptions,
  resources: AppsResources & { chromium?: ChildProcess },
  signal: AbortSignal,
  fail: (error: Error) => void,
): Promise<PagesReport> {
  const startedAt = new Date();
  const progress = (line: string) => console.log(`· pages: ${line}`);
  const { client, menu, driver, createDriver } = await startAppStack(options.server, resources, signal, fail, progress);

  // The data the pages show: one customer with an order waiting for a driver, and a full first page of the list.
  const customer = await newCustomer(menu.url, signal);
  const orderId = `pages-${Date.now().toString(36)}`;
  await createOrder(
    menu.url,
    customer,
    {
      orderId,
      items: [
        { productId: 'burrata', quantity: 2 },
        { productId: 'tiramisu', quantity: 1 },
      ],
      deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
      paymentMethod: 'tok_visa',
    },
    signal,
  );
  await createOpenOrders(client, `p${Date.now().toString(36)}`, 0, OPEN_ORDERS, signal, progress);
  const driverCookie = await signInDriver(driver.url, await createDriver('bench-driver'), signal);

  const pages: PageToMeasure[] = [
    {
      name: 'menu',
      origin: menu.url,
      path: '/',
      cookie: customer,
      showing: 'the menu: every dish with its photo and price',
    },
    {
      name: 'order in progress',
      origin: menu.url,
      path: `/orders/${orderId}`,
      cookie: customer,
      showing: 'a paid order waiting for a driver: timeline, deadline, dishes, cancel button',
    },
    { name: 'order history', origin: menu.url, path: '/orders', cookie: customer, showing: "the customer's orders" },
    {
      name: 'driver list',
      origin: driver.url,
      path: '/',
      cookie: driverCookie,
      showing: `a driver's list with ${OPEN_ORDERS + 1} orders waiting for pickup (first page)`,
    },
    {
      name: 'floor: sign-in',
      origin: driver.url,
      path: '/signin',
      showing: "the driver's sign-in form: a server-rendered form and the framework, little else",
      reference:
        'not held to the targets: what Next.js and React cost on their own (runtime, hydration), under every page',
    },
  ];

  const { default: lighthouse } = await import('lighthouse');
  const { computeMedianRun } = (await import('lighthouse/core/lib/median-run.js')) as {
    computeMedianRun: (runs: Lhr[]) => Lhr;
  };
  const chromeLauncher = await import('chrome-launcher');
  let lighthouseVersion = '';
  const results: PageResult[] = [];
  for (const page of pages) {
    const runs: Lhr[] = [];
    for (let run = 1; run <= options.runs && !signal.aborted; run++) {
      // A fresh browser and profile per run, so no run inherits another's cache.
      const chrome = await chromeLauncher.launch({ chromePath: options.chromiumPath, chromeFlags: CHROMIUM_FLAGS });
      try {
        const result = await lighthouse(`${page.origin}${page.path}`, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
          ...(page.cookie ? { extraHeaders: { Cookie: page.cookie } } : {}),
        });
        const lhr = result?.lhr as unknown as Lhr | undefined;
        if (!lhr) throw new Error(`Lighthouse returned nothing for ${page.name}`);
        if (lhr.runtimeError)
          throw new Error(`Lighthouse on ${page.name}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
        lighthouseVersion = lhr.lighthouseVersion;
        runs.push(lhr);
        // Every run's full result and trace, for finding out *why* a page scores what it does (long tasks, script costs, the
        // network waterfall): open one in https://googlechrome.github.io/lighthouse/viewer/ or read it with jq.
        if (process.env.BENCH_LIGHTHOUSE_DIR) {
          const slug = page.name.replace(/[^a-z0-9]+/gi, '-');
          mkdirSync(process.env.BENCH_LIGHTHOUSE_DIR, { recursive: true });
          writeFileSync(join(process.env.BENCH_LIGHTHOUSE_DIR, `${slug}-${run}.json`), JSON.stringify(lhr));
          // And the trace it was computed from (Chrome DevTools' Performance panel opens it): which script's
          // evaluation or which hydration a long task was.
          if (result?.artifacts.Trace) {
            writeFileSync(
              join(process.env.BENCH_LIGHTHOUSE_DIR, `${slug}-${run}.trace.json`),
              JSON.stringify(result.artifacts.Trace),
            );
          }
        }
      } finally {
        chrome.kill();
      }
    }
    const median = computeMedianRun(runs);
    const result = pageResult(page, runs, median);
    results.push(result);
    progress(
      `${page.name}: ${CATEGORIES.map((category) => `${category} ${result.scores[category]}`).join(', ')}; ` +
        result.metrics.map((metric) => `${metric.name} ${metric.display}`).join(', '),
    );
  }
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    settings: {
      lighthouse: lighthouseVersion,
      runs: options.runs,
      hostCpu: hostCpuLine(results),
      formFactor: 'mobile (Lighthouse default: Moto G Power emulation)',
      throttling: 'simulate (Lighthouse default: 150 ms RTT, 1.6 Mbps, 4× CPU slowdown)',
      chromium: `${options.chromiumPath} ${CHROMIUM_FLAGS.join(' ')}`,
      median: "Lighthouse's computeMedianRun (the run closest to the median FCP and TTI)",
      apps: 'next-serve (production builds) on 127.0.0.1, NODE_ENV=production',
    },
    pages: results,
  };
}

function pageResult(page: PageToMeasure, runs: readonly Lhr[], median: Lhr): PageResult {
  const score = (category: LighthouseCategory) => Math.round((median.categories[category]?.score ?? 0) * 100);
  const scores = Object.fromEntries(CATEGORIES.map((category) => [category, score(category)])) as PageResult['scores'];
  const audit = (id: string) => median.audits[id]?.numericValue ?? Number.NaN;
  const lcp = audit('largest-contentful-paint');
  const cls = audit('cumulative-layout-shift');
  const tbt = audit('total-blocking-time');
  const metrics: PageMetric[] = [
    { name: 'LCP', value: lcp, target: PAGE_TARGETS.lcpMs, display: `${(lcp / 1000).toFixed(2)} s` },
    { name: 'CLS', value: cls, target: PAGE_TARGETS.cls, display: cls.toFixed(3) },
    { name: 'TBT', value: tbt, target: PAGE_TARGETS.tbtMs, display: `${tbt.toFixed(0)} ms` },
  ];
  const checks: PageCheck[] = [
    {
      name: 'performance',
      target: `≥ ${PAGE_TARGETS.performance}`,
      actual: String(scores.performance),
      met: scores.performance >= PAGE_TARGETS.performance,
    },
    {
      name: 'accessibility',
      target: `${PAGE_TARGETS.accessibility}`,
      actual: String(scores.accessibility),
      met: scores.accessibility >= PAGE_TARGETS.accessibility,
    },
    {
      name: 'best practices',
      target: `${PAGE_TARGETS.bestPractices}`,
      actual: String(scores['best-practices']),
      met: scores['best-practices'] >= PAGE_TARGETS.bestPractices,
    },
    { name: 'SEO', target: `${PAGE_TARGETS.seo}`, actual: String(scores.seo), met: scores.seo >= PAGE_TARGETS.seo },
    ...metrics.map((metric) => ({
      name: metric.name,
      target: `≤ ${metric.name === 'CLS' ? metric.target : `${metric.target} ms`}`,
      actual: metric.display,
      met: metric.value <= metric.target,
    })),
  ];
  const failingAudits = Object.fromEntries(
    CATEGORIES.map((category) => [
      category,
      (median.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0)
        .filter((ref) => {
          const value = median.audits[ref.id]?.score;
          return value !== null && value !== undefined && value < 1;
        })
        .map((ref) => describeAudit(ref.id, median.audits[ref.id])),
    ]),
  );
  return {
    name: page.name,
    path: page.path.replace(/\/orders\/[^/]+$/, '/orders/<id>'),
    showing: page.showing,
    ...(page.reference ? { reference: page.reference } : {}),
    runs: runs.length,
    scores,
    performanceRuns: runs.map((run) => Math.round((run.categories.performance?.score ?? 0) * 100)),
    benchmarkIndexRuns: runs.flatMap((run) =>
      run.environment?.benchmarkIndex === undefined ? [] : [Math.round(run.environment.benchmarkIndex)],
    ),
    metrics,
    checks,
    failingAudits,
  };
}

/**
 * Lighthouse's 4× CPU slowdown assumes a host about as fast as its reference desktop; it warns when the host's
 * benchmarkIndex is under SLOW_HOST_BENCHMARK_INDEX, and every CPU-bound figure (TBT above all) is then inflated.
 */
export const SLOW_HOST_BENCHMARK_INDEX = 1000;

function hostCpuLine(results: readonly PageResult[]): string {
  const all = results.flatMap((page) => page.benchmarkIndexRuns ?? []).sort((a, b) => a - b);
  if (all.length === 0) return 'benchmarkIndex not reported';
  const median = all[Math.floor(all.length / 2)] ?? 0;
  return (
    `Lighthouse benchmarkIndex ${median} (median of ${all.length} runs, ${all[0]}–${all[all.length - 1]}); ` +
    `Lighthouse warns of a slow host below ${SLOW_HOST_BENCHMARK_INDEX}`
  );
}

/** "largest-contentful-paint (3.6 s)"; for console errors, the errors themselves: they say what to fix. */
function describeAudit(id: string, audit: Lhr['audits'][string] | undefined): string {
  const errors = id === 'errors-in-console' ? (audit?.details?.items ?? []) : [];
  const detail = errors.length
    ? errors.map((item) => `${item.description ?? ''}${item.url ? ` at ${item.url}` : ''}`.slice(0, 200)).join('; ')
    : audit?.displayValue;
  return detail ? `${id} (${detail})` : id;
}

export function formatPagesReport(report: PagesReport): string {
  const lines = [
    '',
    `pages: Lighthouse ${String(report.settings.lighthouse)}, median of ${String(report.settings.runs)} runs per page`,
    ...(typeof report.settings.hostCpu === 'string' ? [`  host CPU: ${report.settings.hostCpu}`] : []),
  ];
  for (const page of report.pages) {
    const missed = page.checks
      .filter((check) => !check.met)
      .map((check) => `${check.name} ${check.actual} (target ${check.target})`);
    const verdict = page.reference
      ? `; ${page.reference}`
      : missed.length
        ? `; MISSED: ${missed.join(', ')}`
        : '; all targets met';
    lines.push(
      `  ${page.name} (${page.path}): ${CATEGORIES.map((category) => `${category} ${page.scores[category]}`).join(' / ')}; ` +
        `${page.metrics.map((metric) => `${metric.name} ${metric.display}`).join(', ')}${verdict}`,
    );
    for (const [category, audits] of Object.entries(page.failingAudits)) {
      if (audits.length) lines.push(`    ${category} audits below 1: ${audits.join(', ')}`);
    }
  }
  return lines.join('\n');
}
