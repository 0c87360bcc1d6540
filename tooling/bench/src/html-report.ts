/**
 * One self-contained HTML page from a bench run's JSON: every figure is drawn here, in Node, with Vega-Lite into
 * inline SVG, so the page needs no script, no stylesheet and no font from anywhere — it opens offline, in a mail
 * attachment or a CI artifact, and shows the same pictures everywhere. Each figure's caption says the machine, the
 * versions and the settings its numbers were taken with.
 */
// vega and vega-lite are ES modules; this package is CommonJS, so they load by import() and type-import so.
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import type { AppsReport } from './apps-report';
import type { PagesReport } from './pages-report';
import type { BurstReport } from './burst-bench';
import type { BenchReport } from './report';
import type { WorkerReport } from './worker-bench';

/** What `pnpm bench` writes: the workflow part's report (when it ran) with the other parts beside it. */
export type BenchOutput = Pick<BenchReport, 'startedAt' | 'machine' | 'versions' | 'git'> &
  Partial<Omit<BenchReport, 'startedAt' | 'machine' | 'versions' | 'git'>> & {
    readonly parts: readonly string[];
    /** Parts that failed, with why: the run's other parts are in the report, these are not. */
    readonly failures?: Readonly<Record<string, string>>;
    readonly apps?: AppsReport;
    readonly worker?: WorkerReport;
    readonly pages?: PagesReport;
    readonly burst?: BurstReport;
  };

export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  /** What the figure was measured with, beyond the run-wide machine and versions. */
  readonly settings: string;
}

const WIDTH = 520;
const HEIGHT = 260;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Renders every figure the run has data for, in the order the report shows them. */
export async function renderFigures(report: BenchOutput): Promise<Figure[]> {
  const specs: { id: string; title: string; settings: string; spec: TopLevelSpec }[] = [];
  if (report.results?.length) {
    const workflowSettings = settingsLine(report.settings, ['ordersPerRun', 'warmupOrders', 'server', 'orderWorker']);
    specs.push(
      {
        id: 'throughput',
        title: 'Full orders per second next to the no-op ceiling',
        settings: workflowSettings,
        spec: throughputSpec(report),
      },
      {
        id: 'order-latency',
        title: 'Checkout → delivered latency, order and ceiling',
        settings: workflowSettings,
        spec: orderLatencySpec(report),
      },
    );
  }
  if (report.openLoop) {
    const { phase, rateBasis } = report.openLoop;
    specs.push({
      id: 'open-loop',
      title: 'What a customer and a driver wait for at half capacity (open loop)',
      settings:
        `${phase.orders} orders arriving at ${phase.openLoop?.targetPerSecond.toFixed(2) ?? '?'}/s (${rateBasis}), ` +
        `${phase.openLoop?.customers ?? '?'} customers taking turns, each order picked up and delivered once paid; ` +
        `${phase.delivered} delivered, at most ${phase.concurrency} in flight; ` +
        (report.targets?.checkoutP99AtHalfCapacity
          ? `red line over checkout: its p99 target, ${report.targets.checkoutP99AtHalfCapacity.targetMs} ms; `
          : '') +
        settingsLine(report.settings, ['server', 'orderWorker']),
      spec: openLoopSpec(report),
    });
  }
  if (report.apps) {
    const appsSettings = settingsLine(report.apps.settings, ['listLimit', 'listCalls', 'ratePerSecond', 'apps']);
    specs.push(
      {
        id: 'driver-list',
        title: 'Driver list latency against open orders',
        settings: appsSettings,
        spec: driverListSpec(report.apps),
      },
      {
        id: 'app-latency',
        title: 'createOrder and pickUp latency at a fixed rate',
        settings: report.apps.createOrder.answeredCharging
          ? `${appsSettings}; ${report.apps.createOrder.answeredCharging} of ${report.apps.createOrder.requests} ` +
            "createOrder answered 'charging' (the charge outlasted the checkout's wait)"
          : appsSettings,
        spec: appLatencySpec(report.apps),
      },
    );
  }
  if (report.worker) {
    const workerSettings = settingsLine(report.worker.settings, ['worker', 'memory', 'coldStart']);
    specs.push(
      {
        id: 'worker-memory',
        title: 'Worker memory against open orders',
        settings: workerSettings,
        spec: workerMemorySpec(report.worker),
      },
      {
        id: 'cold-start',
        title: 'Worker cold start, spawn to first poll',
        settings: workerSettings,
        spec: coldStartSpec(report.worker),
      },
    );
  }
  if (report.pages) {
    const settings = settingsLine(report.pages.settings, [
      'lighthouse',
      'runs',
      'hostCpu',
      'formFactor',
      'throttling',
      'chromium',
    ]);
    // What each page showed while measured, and which page is a reference rather than a target.
    const pagesShown = report.pages.pages
      .map((page) => `${page.name} (${page.path}): ${page.showing}${page.reference ? ` — ${page.reference}` : ''}`)
      .join('; ');
    const pagesSettings = `${settings}; pages: ${pagesShown}`;
    specs.push(
      {
        id: 'lighthouse-scores',
        title: 'Lighthouse scores of the production pages (median run)',
        settings: pagesSettings,
        spec: lighthouseScoresSpec(report.pages),
      },
      {
        id: 'lighthouse-metrics',
        title: 'Lighthouse metrics against their targets (median run)',
        settings: pagesSettings,
        spec: lighthouseMetricsSpec(report.pages),
      },
    );
  }
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const figures: Figure[] = [];
  for (const { id, title, settings, spec } of specs) {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    figures.push({ id, title, settings, svg: await view.toSVG() });
    view.finalize();
  }
  return figures;
}

export async function renderHtmlReport(report: BenchOutput): Promise<string> {
  const figures = await renderFigures(report);
  const machine = report.machine;
  const runWide =
    `${String(machine.cpus)} × ${String(machine.cpuModel)}, ${String(machine.memoryGiB)} GiB, ` +
    `${String(machine.platform)}, Node ${String(machine.node)}; Temporal SDK ${report.versions.temporalSdk ?? '?'}, ` +
    `CLI ${report.versions.temporalCli ?? '?'}, server ${report.versions.temporalServer ?? '?'}; ` +
    `commit ${report.git.commit?.slice(0, 10) ?? 'unknown'}${report.git.dirty ? ' (with uncommitted changes)' : ''}`;
  const body = figures
    .map(
      (figure) => `<figure id="${figure.id}">
<h2>${escapeHtml(figure.title)}</h2>
${figure.svg}
<figcaption><strong>Machine and versions:</strong> ${escapeHtml(runWide)}.<br><strong>Settings:</strong> ${escapeHtml(figure.settings)}.</figcaption>
</figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Durable Delivery benchmark, ${escapeHtml(report.startedAt)}</title>
<style>
body { font-family: ${FONT}; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; }
figure { margin: 2rem 0; padding: 1rem; border: 1px solid #ddd; border-radius: 8px; }
figure h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; margin-top: 0.5rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
td, th { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>Durable Delivery benchmark</h1>
<p>Run started ${escapeHtml(report.startedAt)}; parts: ${escapeHtml(report.parts.join(', '))}. ${escapeHtml(runWide)}.
Reproduce with <code>npm run bench</code> (docs/benchmark.md).</p>
${failuresList(report)}
${targetsTable(report)}
${body}
</body>
</html>
`;
}

/** Every target the run checked, met or missed, in one table at the top. */
function targetsTable(report: BenchOutput): string {
  const rows: [string, string, string, boolean | undefined][] = [];
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} ms`);
  if (report.targets) {
    const { throughputRatio, p99AtConcurrency20 } = report.targets;
    rows.push([
      'Full orders / ceiling',
      `≥ ${throughputRatio.target}`,
      throughputRatio.worst?.toFixed(2) ?? '-',
      throughputRatio.met,
    ]);
    rows.push([
      'Order p99 at concurrency 20',
      `≤ ${p99AtConcurrency20.targetMs} ms`,
      ms(p99AtConcurrency20.actualMs),
      p99AtConcurrency20.met,
    ]);
    const checkout = report.targets.checkoutP99AtHalfCapacity;
    if (checkout) {
      rows.push([
        'Checkout → paid p99 at half capacity (open loop)',
        `≤ ${checkout.targetMs} ms`,
        ms(checkout.actualMs),
        checkout.met,
      ]);
    }
  }
  if (report.apps) {
    const { listAt1000, listGrowth, createOrderP99 } = report.apps.targets;
    rows.push([
      'Driver list p99 at 1,000 open orders',
      `< ${listAt1000.targetMs} ms`,
      ms(listAt1000.p99Ms),
      listAt1000.met,
    ]);
    rows.push([
      `Driver list p50 growth ${listGrowth.fromOpenOrders} → ${listGrowth.toOpenOrders}`,
      `< ${listGrowth.target}×`,
      listGrowth.ratio?.toFixed(2) ?? '-',
      listGrowth.met,
    ]);
    rows.push([
      'createOrder p99',
      `< charge p99 + ${createOrderP99.marginMs} ms`,
      ms(createOrderP99.actualMs),
      createOrderP99.met,
    ]);
  }
  if (report.worker) {
    const { idle, perOpenOrder, coldStart } = report.worker.targets;
    rows.push(['Worker RSS idle', `≤ ${idle.targetMiB} MiB`, `${idle.actualMiB.toFixed(0)} MiB`, idle.met]);
    rows.push([
      'Worker RSS per open order',
      `≤ ${perOpenOrder.targetMiB} MiB`,
      `${perOpenOrder.actualMiB.toFixed(3)} MiB`,
      perOpenOrder.met,
    ]);
    rows.push([
      'Worker cold start (median)',
      `≤ ${coldStart.targetMs} ms`,
      `${coldStart.medianMs.toFixed(0)} ms`,
      coldStart.met,
    ]);
  }
  if (report.burst) {
    const { othersP99, healthzMax, burstRefused } = report.burst.targets;
    const burst = report.burst.burst.requests.toLocaleString('en');
    rows.push([
      `Other customers' p99 during a ${burst}-call burst`,
      `< ${othersP99.targetMs} ms`,
      ms(othersP99.actualMs),
      othersP99.met,
    ]);
    rows.push([
      `/api/healthz slowest during the burst`,
      `< ${healthzMax.targetMs} ms`,
      ms(healthzMax.actualMs),
      healthzMax.met,
    ]);
    rows.push(['Burst calls refused with 429', '> 0', String(burstRefused.tooMany), burstRefused.met]);
  }
  for (const page of report.pages?.pages ?? []) {
    // A reference page is measured beside the others, not held to their goals: its row has no verdict.
    for (const check of page.checks) {
      rows.push([
        `${page.name}: ${check.name}${page.reference ? ' (reference)' : ''}`,
        check.target,
        check.actual,
        page.reference ? undefined : check.met,
      ]);
    }
  }
  if (rows.length === 0) return '';
  const cells = rows
    .map(
      ([name, target, actual, met]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(target)}</td><td>${escapeHtml(actual)}</td><td>${met === undefined ? '-' : met ? 'met' : '<strong>missed</strong>'}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>Target</th><th>Goal</th><th>Measured</th><th></th></tr></thead><tbody>\n${cells}\n</tbody></table>`;
}

function failuresList(report: BenchOutput): string {
  const failures = Object.entries(report.failures ?? {});
  if (failures.length === 0) return '';
  const items = failures
    .map(([part, why]) => `<li><strong>${escapeHtml(part)}</strong> failed: ${escapeHtml(why.slice(0, 500))}</li>`)
    .join('\n');
  return `<p>Parts that did not finish (their figures are missing below):</p>\n<ul>\n${items}\n</ul>`;
}

interface BaseSpec {
  readonly width: number;
  readonly height: number;
  readonly background: string;
  readonly config: {
    readonly font: string;
    readonly axis: { readonly labelFontSize: number; readonly titleFontSize: number };
    readonly legend: { readonly orient: 'bottom' };
  };
  readonly data: { readonly values: object[] };
}

function base(values: readonly object[]): BaseSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { orient: 'bottom' } },
    data: { values: [...values] },
  };
}

function throughputSpec(report: BenchOutput): TopLevelSpec {
  const rows = (report.results ?? []).flatMap((result) => [
    { concurrency: `c=${result.concurrency}`, workflow: 'order', perSecond: result.order.ordersPerSecond },
    { concurrency: `c=${result.concurrency}`, workflow: 'no-op ceiling', perSecond: result.ceiling.ordersPerSecond },
  ]);
  return {
    ...base(rows),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'concurrency', type: 'nominal', title: 'orders in flight', axis: { labelAngle: 0 } },
      xOffset: { field: 'workflow' },
      y: { field: 'perSecond', type: 'quantitative', title: 'orders per second' },
      color: { field: 'workflow', type: 'nominal', title: null },
    },
  };
}

function orderLatencySpec(report: BenchOutput): TopLevelSpec {
  const rows = (report.results ?? []).flatMap((result) =>
    (['order', 'ceiling'] as const).flatMap((workflow) =>
      (['p50', 'p99'] as const).map((quantile) => ({
        group: `c=${result.concurrency} ${quantile}`,
        workflow: workflow === 'order' ? 'order' : 'no-op ceiling',
        ms: result[workflow].latencyMs[quantile] ?? null,
      })),
    ),
  );
  return {
    ...base(rows),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'workflow' },
      y: { field: 'ms', type: 'quantitative', title: 'milliseconds' },
      color: { field: 'workflow', type: 'nominal', title: null },
    },
  };
}

function openLoopSpec(report: BenchOutput): TopLevelSpec {
  const steps = report.openLoop?.phase.stepLatencyMs;
  const labels = { checkout: 'checkout → paid', pickUp: 'pickUp', deliver: 'deliver' } as const;
  const rows = (['checkout', 'pickUp', 'deliver'] as const).flatMap((step) =>
    (['p50', 'p99'] as const).map((quantile) => ({
      request: labels[step],
      quantile,
      ms: steps?.[step][quantile] ?? null,
    })),
  );
  const target = report.targets?.checkoutP99AtHalfCapacity?.targetMs;
  return {
    ...base(rows),
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'request', type: 'nominal', title: null, axis: { labelAngle: 0 }, sort: null },
          xOffset: { field: 'quantile' },
          y: { field: 'ms', type: 'quantitative', title: 'milliseconds from sent to answered' },
          color: { field: 'quantile', type: 'nominal', title: null },
        },
      },
      ...(target === undefined
        ? []
        : [
            {
              // Across the checkout's bars only: the target is checkout's.
              data: { values: [{ request: labels.checkout, target }] },
              mark: { type: 'tick' as const, color: '#c00', thickness: 2, size: 150 },
              encoding: {
                x: { field: 'request', type: 'nominal' as const, sort: null },
                y: { field: 'target', type: 'quantitative' as const },
              },
            },
          ]),
    ],
  };
}

function driverListSpec(apps: AppsReport): TopLevelSpec {
  const rows = apps.list.flatMap((level) =>
    (['p50', 'p99'] as const).map((quantile) => ({
      openOrders: level.openOrders,
      quantile,
      ms: level.latencyMs[quantile] ?? null,
    })),
  );
  return {
    ...base(rows),
    layer: [
      {
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'openOrders', type: 'quantitative', scale: { type: 'log' }, title: 'open orders (log scale)' },
          y: { field: 'ms', type: 'quantitative', title: 'milliseconds per list call' },
          color: { field: 'quantile', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ target: apps.targets.listAt1000.targetMs, label: 'target at 1,000' }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
    ],
  };
}

function appLatencySpec(apps: AppsReport): TopLevelSpec {
  const rows = [
    ...(apps.createOrder.samplesMs ?? []).map((ms) => ({ call: 'createOrder', ms })),
    ...(apps.pickUp.samplesMs ?? []).map((ms) => ({ call: 'pickUp', ms })),
  ];
  // A box per call (median, quartiles, whiskers) over one tick per request: the whole distribution, tail included.
  const x = { field: 'ms', type: 'quantitative', title: 'milliseconds per request' } as const;
  const y = { field: 'call', type: 'nominal', title: null } as const;
  return {
    ...base(rows),
    height: 160,
    layer: [
      { mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35 }, encoding: { x, y } },
      {
        mark: { type: 'tick', thickness: 1, opacity: 0.6, tooltip: true },
        encoding: { x, y, color: { field: 'call', legend: null } },
      },
    ],
  };
}

function workerMemorySpec(worker: WorkerReport): TopLevelSpec {
  const measured = worker.memory.samples.map((sample) => ({ ...sample, series: 'measured RSS' }));
  const top = worker.memory.samples.at(-1)?.openOrders ?? 0;
  const target = [0, top].map((openOrders) => ({
    openOrders,
    rssMiB: worker.targets.idle.targetMiB + worker.targets.perOpenOrder.targetMiB * openOrders,
    series: 'target: 300 MiB + 0.25 MiB per open order',
  }));
  return {
    ...base([...measured, ...target]),
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'openOrders', type: 'quantitative', title: 'open orders (workflows waiting in the worker)' },
      y: { field: 'rssMiB', type: 'quantitative', title: 'worker RSS, MiB' },
      color: { field: 'series', type: 'nominal', title: null },
      strokeDash: { field: 'series', type: 'nominal', title: null },
    },
  };
}

function coldStartSpec(worker: WorkerReport): TopLevelSpec {
  const rows = worker.coldStartMs.map((ms, index) => ({ start: `start ${index + 1}`, ms }));
  return {
    ...base(rows),
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'start', type: 'nominal', title: null, axis: { labelAngle: 0 }, sort: null },
          y: { field: 'ms', type: 'quantitative', title: 'milliseconds to first poll' },
        },
      },
      {
        data: { values: [{ target: worker.targets.coldStart.targetMs }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
    ],
  };
}

function lighthouseScoresSpec(pages: PagesReport): TopLevelSpec {
  const rows = pages.pages.flatMap((page) =>
    Object.entries(page.scores).map(([category, score]) => ({ page: page.name, category, score })),
  );
  return {
    ...base(rows),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'page', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'category' },
      y: { field: 'score', type: 'quantitative', title: 'score', scale: { domain: [0, 100] } },
      color: { field: 'category', type: 'nominal', title: null },
    },
  };
}

function lighthouseMetricsSpec(pages: PagesReport): TopLevelSpec {
  const rows = pages.pages.flatMap((page) =>
    page.metrics.map((metric) => ({
      page: page.name,
      metric: metric.name,
      // Each metric as a share of its target, so LCP (ms), CLS (unitless) and TBT (ms) share one axis.
      ofTarget: metric.target > 0 ? metric.value / metric.target : 0,
      value: metric.display,
    })),
  );
  return {
    ...base(rows),
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'page', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'metric' },
          y: { field: 'ofTarget', type: 'quantitative', title: 'measured ÷ target (≤ 1 meets it)' },
          color: { field: 'metric', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' },
        encoding: { y: { field: 'one', type: 'quantitative' } },
      },
    ],
  };
}

function settingsLine(settings: Record<string, unknown> | undefined, keys: readonly string[]): string {
  if (!settings) return 'not recorded';
  return keys
    .filter((key) => settings[key] !== undefined)
    .map((key) => `${key}: ${typeof settings[key] === 'string' ? settings[key] : JSON.stringify(settings[key])}`)
    .join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
