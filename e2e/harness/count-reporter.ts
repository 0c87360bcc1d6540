import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * Leaves the pass/fail counts where the repository's test command adds them up with jest's (see
 * tooling/bootstrap/run.mjs): a test passes when it ends as it was expected to. A skipped test counts as failed:
 * nothing here is allowed to be skipped.
 */
export default class CountReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  /** Each failed test's name and error, for the closing summary (tooling/jest/summary.js). */
  private failures: { name: string; message: string }[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    // A test that must fail (test.fail(): the console guard's own spec) passes when it fails, as Playwright counts it.
    if (result.status === test.expectedStatus && result.status !== 'skipped') this.passed += 1;
    else {
      this.failed += 1;
      this.failures.push({
        name: `e2e › ${test.titlePath().filter(Boolean).join(' › ')}`,
        message:
          result.errors.map((error) => error.message ?? error.value ?? '').join('\n') || `ended ${result.status}`,
      });
    }
  }

  onEnd(result: FullResult): void {
    const dir = process.env.DURABLE_DELIVERY_TEST_REPORT_DIR;
    if (!dir) return;
    // A set-up that fails before any test runs still has to show up as a failure in the closing line.
    const failed = this.failed + (result.status !== 'passed' && this.failed === 0 ? 1 : 0);
    writeFileSync(
      join(dir, `e2e-${process.pid}.json`),
      JSON.stringify({ passed: this.passed, failed, failures: this.failures }),
    );
  }
}
