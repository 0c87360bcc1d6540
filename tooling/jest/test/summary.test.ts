import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize } = require('../summary.js') as {
  summarize: (reportDir: string, taskStatus: number) => { lines: string[]; status: number };
};

function reports(
  ...counts: { passed: number; failed: number; failures?: { name: string; message: string }[] }[]
): string {
  const dir = tempDir('summary-test-');
  counts.forEach((count, index) => writeFileSync(join(dir, `${index}.json`), JSON.stringify(count)));
  return dir;
}

describe("npm test's closing line", () => {
  it('adds up every package', () => {
    expect(summarize(reports({ passed: 3, failed: 0 }, { passed: 4, failed: 0 }), 0)).toEqual({
      lines: ['7 passed, 0 failed'],
      status: 0,
    });
  });

  // A new machine's run once failed in a test set-up (no test of that package ran) and still closed on
  // "145 passed, 0 failed".
  it('never reads as a pass when a task failed before its tests', () => {
    const { lines, status } = summarize(reports({ passed: 145, failed: 0 }), 1);
    expect(lines.at(-1)).toBe('145 passed, 1 failed');
    expect(lines[0]).toMatch(/failed outside the tests/);
    expect(status).toBe(1);
  });

  it('keeps the count of failed tests when there are some', () => {
    expect(summarize(reports({ passed: 5, failed: 2 }), 1)).toEqual({ lines: ['5 passed, 2 failed'], status: 1 });
  });

  it('fails a run in which no test ran', () => {
    const { lines, status } = summarize(reports(), 0);
    expect(lines).toEqual(['No test ran: that is a failure, not a pass.', '0 passed, 0 failed']);
    expect(status).toBe(1);
  });

  // A CI log is often kept by its tail only: a failed e2e spec's error was cut from it, its name left.
  it("names each failed test with the start of its error just above the count, where a log's tail keeps it", () => {
    const message = `\u001b[31mexpect(locator).toContainText(expected) failed\u001b[39m\n\nLocator: getByRole('row')\nExpected: "pickedUp"\nReceived: "paid"\n${'  at line\n'.repeat(20)}`;
    const { lines, status } = summarize(
      reports(
        { passed: 5, failed: 1, failures: [{ name: 'e2e › temporal-ui.spec.ts › operators see orders', message }] },
        { passed: 2, failed: 0 },
      ),
      1,
    );
    expect(lines).toEqual([
      '✘ e2e › temporal-ui.spec.ts › operators see orders',
      '    expect(locator).toContainText(expected) failed',
      "    Locator: getByRole('row')",
      '    Expected: "pickedUp"',
      '    Received: "paid"',
      '      at line',
      '      at line',
      '      at line',
      '      at line',
      '7 passed, 1 failed',
    ]);
    expect(status).toBe(1);
  });
});
