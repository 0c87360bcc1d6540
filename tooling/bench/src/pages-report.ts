/** The pages part's numbers: Lighthouse on the apps' production pages, median of several runs, and its targets. */

export type LighthouseCategory = 'performance' | 'accessibility' | 'best-practices' | 'seo';

export interface PageMetric {
  readonly name: 'LCP' | 'CLS' | 'TBT';
  /** In the metric's own unit: milliseconds for LCP and TBT, unitless for CLS. */
  readonly value: number;
  readonly target: number;
  readonly display: string;
}

export interface PageCheck {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly met: boolean;
}

export interface PageResult {
  readonly name: string;
  /** The path measured (the origin is the run's own loopback port). */
  readonly path: string;
  /** What the page showed while measured, so a score is never taken on an empty page. */
  readonly showing: string;
  /**
   * Set on a page measured for comparison, not held to the targets: why it is measured. The driver's sign-in page
   * has almost no code of its own, so its figures are what Next.js and React cost before any page's code runs.
   */
  readonly reference?: string;
  readonly runs: number;
  /** Category scores of the median run (by performance score, as Lighthouse picks it), 0–100. */
  readonly scores: Record<LighthouseCategory, number>;
  /** Every run's performance score, for the spread. */
  readonly performanceRuns: readonly number[];
  /** Every run's benchmarkIndex of the host (Lighthouse's CPU measure); absent in runs recorded before it was kept. */
  readonly benchmarkIndexRuns?: readonly number[];
  readonly metrics: readonly PageMetric[];
  readonly checks: readonly PageCheck[];
  /** Audits of the median run that scored below 1, by category: what to fix next. */
  readonly failingAudits: Readonly<Record<string, readonly string[]>>;
}

export interface PagesReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly settings: Record<string, unknown>;
  readonly pages: readonly PageResult[];
}

export const PAGE_TARGETS = {
  performance: 98,
  accessibility: 100,
  bestPractices: 100,
  seo: 100,
  lcpMs: 1200,
  cls: 0.02,
  tbtMs: 50,
} as const;
