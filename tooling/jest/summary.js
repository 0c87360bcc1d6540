const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/** At most this many failures are named at the end, each in at most FAILURE_LINES lines. */
const MAX_FAILURES = 10;
const FAILURE_LINES = 8;

/**
 * The one closing line of `npm test`: the counts every package's jest left in `reportDir` (see count-reporter.js),
 * added up, and the exit status of the whole run. A run whose tasks failed (a build, a lint, a test set-up that threw
 * before any test) is never summed up as a pass: it counts at least one failure, and says where to look. Above it,
 * each failed test's name and the start of its error: a long run's log is often read from its end only (CI keeps the
 * tail), and the error itself is thousands of lines up.
 */
function summarize(reportDir, taskStatus) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for (const file of readdirSync(reportDir)) {
    const counts = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    passed += counts.passed;
    failed += counts.failed;
    failures.push(...(counts.failures ?? []));
  }
  const lines = [];
  for (const failure of failures.slice(0, MAX_FAILURES)) {
    const message = failure.message
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .slice(0, FAILURE_LINES);
    lines.push(`✘ ${failure.name}`, ...message.map((line) => `    ${line}`));
  }
  if (failures.length > MAX_FAILURES) lines.push(`… and ${failures.length - MAX_FAILURES} more failed (above).`);
  if (taskStatus !== 0 && failed === 0) {
    failed = 1;
    lines.push(`A task failed outside the tests (Turborepo exited ${taskStatus}); its output is above.`);
  }
  if (taskStatus === 0 && passed === 0) lines.push('No test ran: that is a failure, not a pass.');
  lines.push(`${passed} passed, ${failed} failed`);
  const status = taskStatus !== 0 ? taskStatus : failed > 0 || passed === 0 ? 1 : 0;
  return { lines, status };
}

module.exports = { summarize };
